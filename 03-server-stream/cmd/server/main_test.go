package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	catalogv1 "github.com/learn-grpc/learn-grpc/03-server-stream/gen/ecommerce/catalog/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestServeAndStop starts the real server on a free loopback port, calls it,
// then cancels the context the way SIGINT would, and expects a clean return.
func TestServeAndStop(t *testing.T) {
	ctx, stop := context.WithCancel(t.Context())
	stdout, stdoutW := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-addr", "127.0.0.1:0"}, stdoutW, &stderr)
		stdoutW.Close() // a run that fails early must not leave the reader waiting
		done <- err
	}()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the listening line: %v; run: %v", err, <-done)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "gRPC server listening on ")
	if !ok {
		t.Fatalf("first line = %q, want it to start with %q", line, "gRPC server listening on ")
	}

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	health, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
	if err != nil || health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health check = %v, %v; want SERVING", health.GetStatus(), err)
	}
	if _, err := catalogv1.NewProductCatalogServiceClient(conn).GetProduct(t.Context(), &catalogv1.GetProductRequest{Id: "product-123"}); err != nil {
		t.Fatalf("GetProduct: %v", err)
	}

	stop()
	if err := <-done; err != nil {
		t.Fatalf("run after stop = %v, want nil; logs:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "server stopped") {
		t.Errorf("logs do not report the stop:\n%s", stderr.String())
	}
}

func TestRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-addr"}, {"-no-such-flag"}, {"stray"}, {"-addr", "not-an-address"}} {
		if err := run(t.Context(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}
