package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/learn-grpc/learn-grpc/06-gateway/internal/devpki"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
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
	pki := t.TempDir()
	if err := devpki.Generate(pki, time.Now()); err != nil {
		t.Fatal(err)
	}
	args := []string{"-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0",
		"-tls-cert", filepath.Join(pki, devpki.ServerCert), "-tls-key", filepath.Join(pki, devpki.ServerKey),
		"-jwt-public-key", filepath.Join(pki, devpki.SigningPubKey), "-tls-ca", filepath.Join(pki, devpki.CACert)}
	go func() {
		err := run(ctx, args, stdoutW, &stderr)
		stdoutW.Close() // a run that fails early must not leave the reader waiting
		done <- err
	}()

	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the listening line: %v; run: %v", err, <-done)
	}
	gatewayLine, err := out.ReadString('\n')
	if err != nil || !strings.HasPrefix(gatewayLine, "REST gateway listening on https://") {
		t.Fatalf("second line = %q, %v; want the gateway's address; run: %v", gatewayLine, err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }() // never block the server on its output
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "gRPC server listening on ")
	if !ok {
		t.Fatalf("first line = %q, want it to start with %q", line, "gRPC server listening on ")
	}

	creds, err := credentials.NewClientTLSFromFile(filepath.Join(pki, devpki.CACert), "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
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

// TestPlaintextOnlyOnLoopback: plaintext must be asked for, and even then
// only on a loopback address; without it, missing certificates stop the
// server instead of it quietly serving plaintext.
func TestPlaintextOnlyOnLoopback(t *testing.T) {
	pki := t.TempDir()
	if err := devpki.Generate(pki, time.Now()); err != nil {
		t.Fatal(err)
	}
	pub := "-jwt-public-key=" + filepath.Join(pki, devpki.SigningPubKey)
	for _, addr := range []string{":0", "0.0.0.0:0", "192.0.2.1:0"} {
		err := run(t.Context(), []string{"-insecure-plaintext", "-addr=" + addr, pub}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("plaintext on %s: %v, want a refusal", addr, err)
		}
	}
	err := run(t.Context(), []string{"-addr=127.0.0.1:0", "-http-addr=127.0.0.1:0", pub, "-tls-cert=" + filepath.Join(pki, "missing.crt")}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "go run ./cmd/devcerts") {
		t.Errorf("missing certificate: %v, want an error that says how to make one", err)
	}

	ctx, stop := context.WithCancel(t.Context())
	stdout, stdoutW := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-insecure-plaintext", "-addr=127.0.0.1:0", "-http-addr=127.0.0.1:0", pub}, stdoutW, &stderr)
		stdoutW.Close()
		done <- err
	}()
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "serving PLAINTEXT") {
		t.Errorf("plaintext mode did not say so:\n%s", stderr.String())
	}
}

func TestRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-addr"}, {"-no-such-flag"}, {"stray"}, {"-addr", "not-an-address"}, {"-log-level=loud"}} {
		if err := run(t.Context(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}
