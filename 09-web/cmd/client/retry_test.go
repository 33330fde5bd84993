package main

import (
	"bytes"
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// flakyCatalog fails its first calls with Unavailable and the RetryInfo the
// server sends when it stops, then answers.
type flakyCatalog struct {
	catalogv1.UnimplementedProductCatalogServiceServer
	failures atomic.Int32
	calls    atomic.Int32
}

func (f *flakyCatalog) GetProduct(context.Context, *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	if f.calls.Add(1) <= f.failures.Load() {
		return nil, rpcerr.Unavailable("try again", 10*time.Millisecond)
	}
	return &catalogv1.GetProductResponse{Product: &catalogv1.Product{Id: "product-123", Name: "Book"}}, nil
}

func serveFlaky(t *testing.T, failures int32) (*flakyCatalog, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	flaky := &flakyCatalog{}
	flaky.failures.Store(failures)
	srv := grpc.NewServer()
	catalogv1.RegisterProductCatalogServiceServer(srv, flaky)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return flaky, lis.Addr().String()
}

func TestAReadThatFailsOnceSucceedsOnTheRetry(t *testing.T) {
	flaky, addr := serveFlaky(t, 1)
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"get", "--id=product-123", "--insecure-plaintext", "--addr=" + addr}, &stdout, &stderr); err != nil {
		t.Fatalf("run = %v; stderr:\n%s", err, stderr.String())
	}
	if got := flaky.calls.Load(); got != 2 {
		t.Errorf("the server was called %d times, want 2", got)
	}
}

func TestHonourRetryInfo(t *testing.T) {
	const getProduct = "/ecommerce.catalog.v1.ProductCatalogService/GetProduct"
	withRetryInfo := rpcerr.Unavailable("stopping", time.Millisecond)
	tests := []struct {
		name      string
		method    string
		err       error
		timeout   time.Duration
		wantCalls int
	}{
		{name: "an idempotent read waits and calls again, a bounded number of times",
			method: getProduct, err: withRetryInfo, wantCalls: 1 + maxRetryInfoWaits},
		{name: "a method not known to be idempotent is called once",
			method: "/ecommerce.catalog.v1.ProductCatalogService/Other", err: withRetryInfo, wantCalls: 1},
		{name: "an error without RetryInfo is left to the service config",
			method: getProduct, err: status.Error(codes.Unavailable, "down"), wantCalls: 1},
		{name: "a delay beyond the deadline is not waited for",
			method: getProduct, err: rpcerr.Unavailable("stopping", time.Hour), timeout: time.Minute, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			calls := 0
			invoker := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error {
				calls++
				return tt.err
			}
			if err := honourRetryInfo(ctx, tt.method, nil, nil, nil, invoker); status.Code(err) != status.Code(tt.err) {
				t.Errorf("error = %v, want the last attempt's %v", err, tt.err)
			}
			if calls != tt.wantCalls {
				t.Errorf("called %d times, want %d", calls, tt.wantCalls)
			}
		})
	}
}

// TestClientKeepaliveIsWithinTheServerPolicy guards against GOAWAY
// "too_many_pings": the client must not ping more often than the server
// allows.
func TestClientKeepaliveIsWithinTheServerPolicy(t *testing.T) {
	if clientKeepalive.Time < server.KeepalivePolicy.MinTime {
		t.Errorf("client pings every %s; the server allows every %s at most",
			clientKeepalive.Time, server.KeepalivePolicy.MinTime)
	}
}
