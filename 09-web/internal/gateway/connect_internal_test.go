package gateway

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1/catalogv1connect"
)

// recordingConn is a backend connection that records what each unary call
// carried and answers with err, or an empty response.
type recordingConn struct {
	grpc.ClientConnInterface
	mu       sync.Mutex
	deadline time.Time
	hasDL    bool
	md       metadata.MD
	err      error
}

func (c *recordingConn) Invoke(ctx context.Context, _ string, _, _ any, _ ...grpc.CallOption) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline, c.hasDL = ctx.Deadline()
	c.md, _ = metadata.FromOutgoingContext(ctx)
	return c.err
}

// fakeViewers records each viewer and sends it one update, then waits for
// its end or answers err.
type fakeViewers struct {
	mu      sync.Mutex
	clients []string
	err     error
}

func (f *fakeViewers) Watch(ctx context.Context, client string, ids []string,
	send func(*catalogv1.WatchProductsResponse) error) error {
	f.mu.Lock()
	f.clients = append(f.clients, client)
	f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	for _, id := range ids {
		up := &catalogv1.WatchProductsResponse{Inventory: &catalogv1.ProductInventory{ProductId: id, Quantity: 7}}
		if err := send(up); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return status.FromContextError(ctx.Err()).Err()
}

// serveConnect serves the Connect routes over conn and v on a real TLS
// listener, and returns a catalog client of them and the stop of the
// gateway's streams.
func serveConnect(t *testing.T, conn grpc.ClientConnInterface, v viewers) (catalogv1connect.ProductCatalogServiceClient, func()) {
	t.Helper()
	stopping, stop := context.WithCancel(context.Background())
	mux := http.NewServeMux()
	mountConnectServices(stopping, mux, conn, conn, v)
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(func() { stop(); srv.Close() })
	return catalogv1connect.NewProductCatalogServiceClient(srv.Client(), srv.URL), stop
}

func TestConnectCallsGetTheGatewaysDefaultDeadline(t *testing.T) {
	conn := &recordingConn{}
	client, _ := serveConnect(t, conn, &fakeViewers{})
	t.Run("a call that sends no deadline gets DefaultTimeout", func(t *testing.T) {
		if _, err := client.GetProduct(t.Context(), connect.NewRequest(&catalogv1.GetProductRequest{Id: "p"})); err != nil {
			t.Fatal(err)
		}
		if !conn.hasDL || time.Until(conn.deadline) > DefaultTimeout {
			t.Errorf("backend deadline = %v (set: %v), want one within %s", conn.deadline, conn.hasDL, DefaultTimeout)
		}
	})
	t.Run("a call with Connect-Timeout-Ms keeps its own", func(t *testing.T) {
		req := connect.NewRequest(&catalogv1.GetProductRequest{Id: "p"})
		ctx, cancel := context.WithTimeout(t.Context(), DefaultTimeout+time.Hour) // sent as Connect-Timeout-Ms
		defer cancel()
		if _, err := client.GetProduct(ctx, req); err != nil {
			t.Fatal(err)
		}
		if !conn.hasDL || time.Until(conn.deadline) < DefaultTimeout {
			t.Errorf("backend deadline = %v (set: %v), want the caller's, past the default", conn.deadline, conn.hasDL)
		}
	})
}

// TestConnectForwardsTheTokenAndTheAddressOnly: as the REST routes do, a
// call passes Authorization once and the client's address, no other header.
func TestConnectForwardsTheTokenAndTheAddressOnly(t *testing.T) {
	conn := &recordingConn{}
	client, _ := serveConnect(t, conn, &fakeViewers{})
	req := connect.NewRequest(&catalogv1.GetProductRequest{Id: "p"})
	req.Header().Set("Authorization", "Bearer t0ken")
	req.Header().Set("X-Forwarded-For", "203.0.113.9")
	req.Header().Set("Cookie", "session=secret")
	req.Header().Set("X-Other", "x")
	if _, err := client.GetProduct(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	want := metadata.Pairs("authorization", "Bearer t0ken", "x-forwarded-for", "203.0.113.9, 127.0.0.1")
	if got := conn.md; len(got) != len(want) || strings.Join(got["authorization"], "|") != "Bearer t0ken" ||
		strings.Join(got["x-forwarded-for"], "|") != "203.0.113.9, 127.0.0.1" {
		t.Errorf("forwarded metadata = %v, want %v", got, want)
	}
}

// TestConnectErrorsKeepTheirDetails: a backend's status reaches a Connect
// client with its code, message and every google.rpc detail.
func TestConnectErrorsKeepTheirDetails(t *testing.T) {
	conn := &recordingConn{err: rpcerr.Invalid(rpcerr.Violation{Field: "id", Description: "product id is required"})}
	client, _ := serveConnect(t, conn, &fakeViewers{})
	_, err := client.GetProduct(t.Context(), connect.NewRequest(&catalogv1.GetProductRequest{}))
	if got := BadRequestField(t, err); got != "id" {
		t.Errorf("field violation = %q, want id", got)
	}
}

// BadRequestField returns the field of the BadRequest in err, a Connect
// error of InvalidArgument. It is exported for gateway_test's tests too.
func BadRequestField(t *testing.T, err error) string {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeInvalidArgument {
		t.Fatalf("error = %v, want a Connect InvalidArgument", err)
	}
	for _, d := range ce.Details() {
		v, err := d.Value()
		if br, ok := v.(*errdetails.BadRequest); err == nil && ok && len(br.GetFieldViolations()) > 0 {
			return br.GetFieldViolations()[0].GetField()
		}
	}
	t.Fatalf("error %v has no BadRequest detail", err)
	return ""
}

func TestConnectWatchProductsUsesTheViewers(t *testing.T) {
	t.Run("a viewer is handed over with its address, and gets what the viewers send", func(t *testing.T) {
		v := &fakeViewers{}
		client, _ := serveConnect(t, &recordingConn{}, v)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		stream, err := client.WatchProducts(ctx, connect.NewRequest(&catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}}))
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Close()
		if !stream.Receive() || stream.Msg().GetInventory().GetQuantity() != 7 {
			t.Fatalf("first message = %v, %v; want product-123 at 7", stream.Msg(), stream.Err())
		}
		v.mu.Lock()
		defer v.mu.Unlock()
		if len(v.clients) != 1 || v.clients[0] != "127.0.0.1" {
			t.Errorf("viewers saw clients %q, want [127.0.0.1]", v.clients)
		}
	})
	t.Run("a viewer refused by the viewers gets their status, details included", func(t *testing.T) {
		v := &fakeViewers{err: rpcerr.Exhausted("too many watches from 127.0.0.1", "client address", time.Second)}
		client, _ := serveConnect(t, &recordingConn{}, v)
		stream, err := client.WatchProducts(t.Context(), connect.NewRequest(&catalogv1.WatchProductsRequest{ProductIds: []string{"p"}}))
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Close()
		for stream.Receive() {
		}
		var ce *connect.Error
		if !errors.As(stream.Err(), &ce) || ce.Code() != connect.CodeResourceExhausted || len(ce.Details()) != 2 {
			t.Fatalf("stream ended with %v, want ResourceExhausted with QuotaFailure and RetryInfo", stream.Err())
		}
	})
	t.Run("the gateway's stop ends a watch with Unavailable", func(t *testing.T) {
		client, stop := serveConnect(t, &recordingConn{}, &fakeViewers{})
		stream, err := client.WatchProducts(t.Context(), connect.NewRequest(&catalogv1.WatchProductsRequest{ProductIds: []string{"p"}}))
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Close()
		if !stream.Receive() {
			t.Fatal(stream.Err())
		}
		stop()
		for stream.Receive() {
		}
		if connect.CodeOf(stream.Err()) != connect.CodeUnavailable || !strings.Contains(stream.Err().Error(), "shutting down") {
			t.Errorf("stream ended with %v, want Unavailable, shutting down", stream.Err())
		}
	})
}

func TestConnectErrorOfAConnectErrorIsItself(t *testing.T) {
	ce := connect.NewError(connect.CodeCanceled, errors.New("gone"))
	if got := connectError(ce); got != ce {
		t.Errorf("connectError(%v) = %v, want it unchanged", ce, got)
	}
	if got := connectError(status.Error(codes.NotFound, "x")); connect.CodeOf(got) != connect.CodeNotFound {
		t.Errorf("connectError(NotFound) = %v", got)
	}
}
