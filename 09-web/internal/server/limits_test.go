package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// TestOneConnectionHoldsAtMostMaxConcurrentStreams fills one connection with
// health watches: the next call on it waits for a free stream, while a
// second connection is served at once.
func TestOneConnectionHoldsAtMostMaxConcurrentStreams(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	health := healthpb.NewHealthClient(r.conn)
	for i := range server.MaxConcurrentStreams {
		w, err := health.Watch(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			t.Fatalf("watch %d: %v", i, err)
		}
		if _, err := w.Recv(); err != nil {
			t.Fatalf("watch %d: %v", i, err)
		}
	}

	waitCtx, waitCancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer waitCancel()
	_, err := r.client.GetProduct(waitCtx, &catalogv1.GetProductRequest{Id: "product-123"})
	if status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("call beyond the stream limit = %v, want it held until its deadline", err)
	}

	other, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := catalogv1.NewProductCatalogServiceClient(other).GetProduct(t.Context(),
		&catalogv1.GetProductRequest{Id: "product-123"}); err != nil {
		t.Errorf("a second connection was not served: %v", err)
	}
}

// TestOversizedRequestsAreRefused sends what the API never needs: a message
// beyond MaxRecvMsgSize and headers beyond MaxCallHeaderSize.
func TestOversizedRequestsAreRefused(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	tests := []struct {
		name     string
		id       string
		header   string
		wantCode codes.Code
	}{
		{name: "a message within the limit is served", id: "product-123", wantCode: codes.OK},
		{name: "a 100 KiB message is ResourceExhausted", id: strings.Repeat("x", 100<<10), wantCode: codes.ResourceExhausted},
		{name: "headers within the call's limit are served", id: "product-123",
			header: strings.Repeat("x", server.MaxCallHeaderSize-1<<10), wantCode: codes.OK},
		{name: "headers beyond the call's limit are ResourceExhausted", id: "product-123",
			header: strings.Repeat("x", server.MaxCallHeaderSize), wantCode: codes.ResourceExhausted},
		// The server advertises the connection's bound, so a grpc-go client
		// refuses to send more; headers_test.go plays a proxy that would not.
		{name: "headers beyond the connection's bound are never sent", id: "product-123",
			header: strings.Repeat("x", server.MaxHeaderListSize), wantCode: codes.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			if tt.header != "" {
				ctx = metadata.AppendToOutgoingContext(ctx, "x-padding", tt.header)
			}
			_, err := r.client.GetProduct(ctx, &catalogv1.GetProductRequest{Id: tt.id})
			if got := status.Code(err); got != tt.wantCode {
				t.Fatalf("code = %v (%v), want %v", got, err, tt.wantCode)
			}
			if msg := status.Convert(err).Message(); len(msg) > 1024 {
				t.Errorf("message is %d bytes, want under 1 KiB", len(msg))
			}
		})
	}
}

// TestOneConnectionHoldsAtMostMaxWatchersPerConn opens watches on one
// connection until the cap: the next is refused at once, with the quota it
// hit, and another connection may still watch.
func TestOneConnectionHoldsAtMostMaxWatchersPerConn(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req := &catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}}
	for i := range catalog.MaxWatchersPerConn {
		w, err := r.client.WatchProducts(ctx, req)
		if err != nil {
			t.Fatalf("watch %d: %v", i, err)
		}
		if _, err := w.Recv(); err != nil {
			t.Fatalf("watch %d: %v", i, err)
		}
	}
	w, err := r.client.WatchProducts(ctx, req)
	if err == nil {
		_, err = w.Recv()
	}
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("watch beyond the cap = %v, want ResourceExhausted", err)
	}

	other, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	w, err = catalogv1.NewProductCatalogServiceClient(other).WatchProducts(ctx, req)
	if err == nil {
		_, err = w.Recv()
	}
	if err != nil {
		t.Errorf("a second connection could not watch: %v", err)
	}
}

// TestKeepaliveClosesIdleAndOldConnections shortens the keepalive limits
// for one server: a connection that carries nothing is closed
// (MaxConnectionIdle), and so is one that lives too long
// (MaxConnectionAge); a client sees its connection leave READY.
func TestKeepaliveClosesIdleAndOldConnections(t *testing.T) {
	saved := server.Keepalive
	t.Cleanup(func() { server.Keepalive = saved })
	tests := []struct {
		name  string
		limit func(*keepalive.ServerParameters)
	}{
		{name: "an idle connection is closed", limit: func(k *keepalive.ServerParameters) { k.MaxConnectionIdle = 100 * time.Millisecond }},
		{name: "an old connection is closed", limit: func(k *keepalive.ServerParameters) {
			k.MaxConnectionAge, k.MaxConnectionAgeGrace = 100*time.Millisecond, 100*time.Millisecond
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server.Keepalive = saved
			tt.limit(&server.Keepalive)
			r := start(t, server.Shutdown{Grace: time.Second})
			if _, err := r.client.GetProduct(t.Context(), &catalogv1.GetProductRequest{Id: "product-123"}); err != nil {
				t.Fatal(err)
			}
			// The bound only turns a hang into a failure; it asserts no speed.
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			for r.conn.GetState() == connectivity.Ready {
				if !r.conn.WaitForStateChange(ctx, connectivity.Ready) {
					t.Fatal("the connection was still READY 10s later")
				}
			}
		})
	}
}
