package server_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/learn-grpc/learn-grpc/05-auth/internal/server"
)

// TestCallsRunOnStreamWorkers checks that the server keeps its pool of
// goroutines to run calls on, which keep the stacks the calls grew
// (05-auth/README.md, "Production notes").
func TestCallsRunOnStreamWorkers(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	health := healthpb.NewHealthClient(r.conn)
	for range 10 {
		if _, err := health.Check(t.Context(), &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := goroutinesIn("google.golang.org/grpc.(*Server).serverWorker("), server.StreamWorkers; got < want {
		t.Errorf("%d goroutines are stream workers, want %d", got, want)
	}
}

// goroutinesIn counts the goroutines with fn in their stacks.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), fn)
		}
		buf = make([]byte, 2*len(buf))
	}
}
