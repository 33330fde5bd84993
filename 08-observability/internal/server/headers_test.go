package server_test

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/server"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/08-observability/gen/ecommerce/catalog/v1"
)

// TestOversizedHeadersCostOnlyTheirCall sends a 64 KiB header, as a proxy
// multiplexing many users might, on a connection that carries a watch: the
// call gets ResourceExhausted naming the limit, and the watch goes on.
func TestOversizedHeadersCostOnlyTheirCall(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	conn, dials := dialCounted(t, r.addr)
	client := catalogv1.NewProductCatalogServiceClient(conn)
	watch, err := client.WatchProducts(t.Context(), &catalogv1.WatchProductsRequest{
		ProductIds: []string{"product-123", "product-456", "product-789"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := watch.Recv(); err != nil {
		t.Fatal(err)
	}

	req := &catalogv1.GetProductRequest{Id: "product-123"}
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", strings.Repeat("x", 64<<10))
	_, err = client.GetProduct(ctx, req)
	refused := time.Now()
	want := status.New(codes.ResourceExhausted, "request headers exceed 32 KiB")
	if st := status.Convert(err); st.Code() != want.Code() || st.Message() != want.Message() {
		t.Errorf("call with a 64 KiB header = %v, want %v", err, want.Err())
	}

	// An update made after the refusal cannot come from a connection that
	// the refusal closed: updates read from a buffer do not count.
	for {
		resp, err := watch.Recv()
		if err != nil {
			t.Fatalf("the watch on the same connection ended: %v", err)
		}
		if resp.GetInventory().GetUpdatedAt().AsTime().After(refused) {
			break
		}
	}
	if _, err := client.GetProduct(t.Context(), req); err != nil {
		t.Errorf("the next call on the connection = %v, want it served", err)
	}
	if got := dials.Load(); got != 1 {
		t.Errorf("the client dialed %d connections, want 1: the oversized header cost the connection", got)
	}
	line := "msg=rpc method=/ecommerce.catalog.v1.ProductCatalogService/GetProduct code=ResourceExhausted"
	if logs := r.logs.String(); !strings.Contains(logs, line) || strings.Contains(logs, "xxxx") {
		t.Errorf("the log has no access line %q for the refused call, or it holds the header:\n%.300s",
			line, logs)
	}
}

// TestARefusedCallsLineIsBounded refuses a call whose path is long as well
// as its headers: the tap logs the path the caller sent, so it must cut it.
func TestARefusedCallsLineIsBounded(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", strings.Repeat("x", 64<<10))
	method := "/" + strings.Repeat("m", 10<<10)
	err := r.conn.Invoke(ctx, method, &catalogv1.GetProductRequest{}, &catalogv1.GetProductResponse{})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("call = %v, want ResourceExhausted", err)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "code=ResourceExhausted") {
		t.Fatalf("the log has no access line for the refused call:\n%.300s", logs)
	}
	if strings.Contains(logs, strings.Repeat("m", 1<<10)) {
		t.Errorf("the access line holds the caller's 10 KiB path whole")
	}
}

// dialCounted connects, and counts the connections the client opens. The
// grpc-go client sends a 64 KiB header as a proxy would pass it on: it
// refuses only a list above the server's connection bound (256 KiB,
// server.MaxHeaderListSize), so the per-call bound is the server's to apply.
func dialCounted(t *testing.T, addr string) (*grpc.ClientConn, *atomic.Int32) {
	t.Helper()
	dials := &atomic.Int32{}
	dial := func(ctx context.Context, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(dial))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn, dials
}

// TestARefusalOnAHealthPathIsLoggedAllTheSame sends oversized headers to a
// path that looks like health's, whose calls are logged at DEBUG: the path
// is the caller's to write, so it must not hide the refusal.
func TestARefusalOnAHealthPathIsLoggedAllTheSame(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", strings.Repeat("x", 64<<10))
	err := r.conn.Invoke(ctx, "/grpc.health.v1.Health/Evade", &catalogv1.GetProductRequest{},
		&catalogv1.GetProductResponse{})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("call = %v, want ResourceExhausted", err)
	}
	line := "level=INFO msg=rpc method=/grpc.health.v1.Health/Evade code=ResourceExhausted"
	if logs := r.logs.String(); !strings.Contains(logs, line) {
		t.Errorf("the log has no line %q:\n%.300s", line, logs)
	}
}

// TestARefusalOnTheProbePortIsLogged sends oversized headers to the plaintext
// health port, which runs no interceptors: its refusal is logged all the same.
func TestARefusalOnTheProbePortIsLogged(t *testing.T) {
	logs := &testutil.LockedBuffer{}
	srv := newServer(t, nil, slog.New(slog.NewTextHandler(logs, nil)))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.ProbeOn(probe)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis, server.Shutdown{Grace: time.Second}) }()
	t.Cleanup(func() { cancel(); <-served })

	conn, _ := dialCounted(t, probe.Addr().String())
	big := metadata.AppendToOutgoingContext(t.Context(), "authorization", strings.Repeat("x", 64<<10))
	_, err = healthpb.NewHealthClient(conn).Check(big, &healthpb.HealthCheckRequest{})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("Check with a 64 KiB header on the probe port = %v, want ResourceExhausted", err)
	}
	line := "level=INFO msg=rpc method=/grpc.health.v1.Health/Check code=ResourceExhausted"
	if got := logs.String(); !strings.Contains(got, line) {
		t.Errorf("the log has no line %q:\n%.300s", line, got)
	}
}
