package server_test

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// TestShutdownEndsEveryStream stops a server whose grace period is an hour
// while health watches and a reflection stream are open: Serve returns only
// if shutdown ends them all, and each client gets Unavailable with RetryInfo.
func TestShutdownEndsEveryStream(t *testing.T) {
	r := start(t, server.Shutdown{Drain: 200 * time.Millisecond, Grace: time.Hour})
	// The bound only turns a hang into a failure; it asserts no speed.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	health := healthpb.NewHealthClient(r.conn)
	watch := watchHealth(ctx, t, health, catalogv1.ProductCatalogService_ServiceDesc.ServiceName)
	live := watchHealth(ctx, t, health, "")
	refl, err := reflectionpb.NewServerReflectionClient(r.conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := refl.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := refl.Recv(); err != nil {
		t.Fatal(err)
	}

	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()

	t.Run("the service's health turns NOT_SERVING during the drain", func(t *testing.T) {
		resp, err := watch.Recv()
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
			t.Fatalf("health update = %v, %v; want NOT_SERVING", resp, err)
		}
		if _, err := r.client.GetProduct(t.Context(), &catalogv1.GetProductRequest{Id: "product-123"}); err != nil {
			t.Errorf("a call during the drain = %v, want it served", err)
		}
	})
	t.Run("the health watch ends with Unavailable", func(t *testing.T) {
		_, err := watch.Recv()
		wantShuttingDown(t, err)
	})
	// Liveness asks for "": a server that drains is alive, so its watch sees
	// no change before the stream ends.
	t.Run("the server's health stays SERVING until the end", func(t *testing.T) {
		resp, err := live.Recv()
		if err == nil {
			t.Fatalf("health of \"\" changed to %v during the drain, want it SERVING", resp.GetStatus())
		}
		wantShuttingDown(t, err)
	})
	t.Run("the reflection stream ends with Unavailable", func(t *testing.T) {
		_, err := refl.Recv()
		wantShuttingDown(t, err)
	})
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Serve = %v, want nil after a requested stop", err)
		}
	case <-ctx.Done():
		t.Fatal("Serve still running 30s after the stop: a stream held the shutdown")
	}
}

// watchHealth watches one service's health and reads its first answer,
// which must be SERVING.
func watchHealth(ctx context.Context, t *testing.T, health healthpb.HealthClient,
	service string) healthpb.Health_WatchClient {
	t.Helper()
	w, err := health.Watch(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := w.Recv(); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("first health update of %q = %v, %v; want SERVING", service, resp, err)
	}
	return w
}

func wantShuttingDown(t *testing.T, err error) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != codes.Unavailable {
		t.Fatalf("stream ended with %v, want Unavailable", err)
	}
	for _, d := range st.Details() {
		if _, ok := d.(*errdetails.RetryInfo); ok {
			return
		}
	}
	t.Errorf("status %v carries no RetryInfo", err)
}

// TestServeFailsWhenTheListenerFails closes the listener under a running
// server: Serve must return the error at once, not wait for a stop signal.
func TestServeFailsWhenTheListenerFails(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, nil, slog.New(slog.DiscardHandler))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(t.Context(), lis, server.Shutdown{Grace: time.Hour}) }()
	lis.Close()
	select {
	case err := <-served:
		if err == nil {
			t.Error("Serve = nil after its listener failed, want the error")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve still running 30s after its listener failed")
	}
}

// TestAStreamsEndHookRunsBeforeStoppingCloses: the catalog closes its stock
// in an OnStreamsEnd hook, so the hook must run at shutdown alone, and before
// Stopping ends the other streams.
func TestAStreamsEndHookRunsBeforeStoppingCloses(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, nil, slog.New(slog.DiscardHandler))
	ran, stoppingClosed := false, false
	srv.OnStreamsEnd(func() { ran, stoppingClosed = true, isClosed(srv.Stopping()) })
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis, server.Shutdown{Grace: time.Hour}) }()
	if isClosed(srv.Stopping()) {
		t.Fatal("Stopping is closed before any shutdown")
	}
	stop()
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v, want nil", err)
	}
	if !ran {
		t.Fatal("the hook did not run at shutdown")
	}
	if stoppingClosed {
		t.Error("Stopping was closed when the hook ran, want it closed after")
	}
	if !isClosed(srv.Stopping()) {
		t.Error("Stopping is still open after Serve returned")
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// TestAClientThatStopsReadingIsCutOff opens a watch and never reads it, so
// the server's Send blocks once the flow-control window is full, where no
// signal reaches it: the stop must cut it off at the grace period, not wait
// for it forever.
func TestAClientThatStopsReadingIsCutOff(t *testing.T) {
	r := start(t, server.Shutdown{Grace: 500 * time.Millisecond})
	// A fixed window (no BDP growth), so that it fills in well under a second.
	conn, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(1<<16), grpc.WithInitialConnWindowSize(1<<16))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ids := []string{"product-123", "product-456", "product-789", "product-321"}
	if _, err := catalogv1.NewProductCatalogServiceClient(conn).WatchProducts(t.Context(),
		&catalogv1.WatchProductsRequest{ProductIds: ids}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, "the watch to start", func() bool { return r.stock.Watchers("product-123") == 1 })
	fillWindow(t, r, ids)
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	case <-time.After(30 * time.Second): // turns a hang into a failure; asserts no speed
		t.Fatal("Serve still running 30s after the stop: a client that stopped reading held it")
	}
	if !strings.Contains(r.logs.String(), "still running after the grace period") {
		t.Errorf("the stop did not have to cut anything off, so the test proves nothing:\n%s", r.logs.String())
	}
}

// fillWindow waits until the shop has changed ids often enough to fill a
// stream's flow-control window and the server's write quota (64 KiB each, at
// about 45 bytes a change): counted on a subscription of its own, not timed.
func fillWindow(t *testing.T, r *running, ids []string) {
	t.Helper()
	sub, err := r.stock.Subscribe(ids)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for seen := 0; seen < 4000; {
		select {
		case <-sub.Ready():
			seen += len(sub.Take())
		case <-time.After(30 * time.Second): // a hang detector
			t.Fatalf("the shop made %d changes, then none for 30s", seen)
		}
	}
}
