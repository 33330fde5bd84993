package server_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/server"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/testutil"
)

// healthWatch is in the stack of each health watch's handler.
const healthWatch = "google.golang.org/grpc/health.(*Server).Watch("

// TestCallsRunOnStreamWorkers holds a health watch open and checks that its
// handler runs on one of the server's stream workers, which keep the stacks
// their calls grew (05-auth/README.md, "Production notes").
func TestCallsRunOnStreamWorkers(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	watch, err := healthpb.NewHealthClient(r.conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := watch.Recv(); err != nil { // the handler is running now
		t.Fatal(err)
	}
	stacks := testutil.Stacks(healthWatch)
	if len(stacks) != 1 || !strings.Contains(stacks[0], testutil.StreamWorker) {
		t.Errorf("the watch runs on a goroutine of its own, want a stream worker:\n%s",
			strings.Join(stacks, "\n\n"))
	}
}

// TestCloseStopsTheWorkersOfAServerNeverServed: New starts the stream
// workers, so a program that fails before Serve calls Close, which must
// leave none behind.
func TestCloseStopsTheWorkersOfAServerNeverServed(t *testing.T) {
	srv := newServer(t, nil, slog.New(slog.DiscardHandler))
	t.Cleanup(srv.Close) // should the test stop early
	workers := func() int { return len(testutil.Stacks(server.WorkerFrame(srv))) }
	testutil.WaitFor(t, "New's stream workers", func() bool { return workers() == server.StreamWorkers })
	srv.Close()
	testutil.WaitFor(t, "Close to stop the stream workers", func() bool { return workers() == 0 })
}

// TestCallsAreServedWithEveryWorkerHeld: a long-lived stream holds a worker
// for its life, and any client may open many. Once every worker is held,
// calls are still answered, on goroutines of their own, and the server still
// stops within its grace period without forcing anything closed.
func TestCallsAreServedWithEveryWorkerHeld(t *testing.T) {
	defer func(n int) { server.StreamWorkers = n }(server.StreamWorkers)
	server.StreamWorkers = 2 // a pool a few watches fill, whatever the cores
	r := start(t, server.Shutdown{Grace: time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // a hang, not a speed
	defer cancel()
	health := healthpb.NewHealthClient(r.conn)
	for range server.StreamWorkers + 4 {
		watch, err := health.Watch(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := watch.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	held := 0
	for _, g := range testutil.Stacks(healthWatch) {
		if strings.Contains(g, testutil.StreamWorker) {
			held++
		}
	}
	if held != server.StreamWorkers {
		t.Fatalf("%d watches hold a stream worker, want every one of the %d", held, server.StreamWorkers)
	}
	for range 20 {
		if _, err := health.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatalf("a call with every worker held: %v", err)
		}
	}
	if err := r.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if strings.Contains(r.logs.String(), "still running after the grace period") {
		t.Errorf("the shutdown had to force streams closed:\n%s", r.logs.String())
	}
}
