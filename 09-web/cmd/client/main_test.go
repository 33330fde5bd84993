package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testKeys signs tokens for the server most recently started by a test.
var testKeys *authtest.Keys

// testTrackInterval paces tracked orders in these tests: fast, but slow
// enough that a ping sent on one update is answered before the next.
const testTrackInterval = 50 * time.Millisecond

// startServer serves the sample catalog on a free loopback port for one test.
func startServer(t *testing.T, latency time.Duration) string {
	t.Helper()
	addr, _ := startStoppableServer(t, latency)
	return addr
}

// startStoppableServer is startServer that also returns a function to stop
// the server gracefully before the test ends.
func startStoppableServer(t *testing.T, latency time.Duration) (string, func()) {
	t.Helper()
	return serveAt(t, "127.0.0.1:0", latency)
}

// pkis holds each test's development PKI: a server brought back by serveAt
// must present a certificate the client already trusts.
var pkis sync.Map // *testing.T to folder

func testPKI(t *testing.T) string {
	t.Helper()
	if dir, ok := pkis.Load(t); ok {
		return dir.(string)
	}
	dir := t.TempDir()
	if err := devpki.Generate(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	pkis.Store(t, dir)
	t.Cleanup(func() { pkis.Delete(t) })
	return dir
}

// serveAt is startStoppableServer on a given address, to bring a server
// back where a client had one.
func serveAt(t *testing.T, addr string, latency time.Duration) (string, func()) {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	// A real TLS server with a fresh development PKI; the client finds the
	// CA and alice's token through the environment, as a learner's shell
	// could provide them.
	pki := testPKI(t)
	cert, err := tls.LoadX509KeyPair(filepath.Join(pki, devpki.Cert("catalog")), filepath.Join(pki, devpki.Key("catalog")))
	if err != nil {
		t.Fatal(err)
	}
	signing, err := devpki.LoadSigningKey(filepath.Join(pki, devpki.SigningKey))
	if err != nil {
		t.Fatal(err)
	}
	pub := signing.Public().(ed25519.PublicKey)
	keys := &authtest.Keys{Private: signing, Public: pub, KeyID: devpki.KeyID(pub),
		Verifier: auth.NewVerifier(map[string]ed25519.PublicKey{devpki.KeyID(pub): pub}, time.Now)}
	t.Setenv(caEnv, filepath.Join(pki, devpki.CACert))
	t.Setenv(tokenEnv, keys.Token(t, "alice", auth.ScopeWriteOrders))
	testKeys = keys

	log := slog.New(slog.DiscardHandler)
	srv := server.New(server.Config{
		Log:      log,
		Verifier: keys.Verifier,
		Creds:    credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}),
	})
	testutil.RegisterShop(srv, testutil.Shop{
		Products:      catalog.NewStore(catalog.SampleProducts(), latency),
		Stock:         testutil.NewStock(t),
		Orders:        orders.NewMemoryStore(),
		TrackInterval: testTrackInterval,
		Log:           log,
	})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis, server.Shutdown{Grace: time.Second}) }()
	var once sync.Once
	shutdown := func() {
		once.Do(func() {
			stop()
			if err := <-done; err != nil {
				t.Errorf("server: %v", err)
			}
		})
	}
	t.Cleanup(shutdown)
	return lis.Addr().String(), shutdown
}

func TestCommands(t *testing.T) {
	addr := startServer(t, 0)
	tests := []struct {
		name       string
		args       []string
		wantErr    bool
		wantStdout string
		wantStderr string
	}{
		{
			name: "get prints the product",
			args: []string{"get", "--id=product-123"},
			wantStdout: "Product Details:\n" +
				"ID:    product-123\n" +
				"Name:  The Rust Programming Language Book\n" +
				"Price: $25.99\n",
		},
		{
			name:    "get of an unknown id prints the status",
			args:    []string{"get", "--id=product-999"},
			wantErr: true,
			wantStderr: "Error getting product: rpc error: code = NotFound desc = product \"product-999\" not found\n" +
				"  resource ecommerce.catalog.v1.Product \"product-999\"\n",
		},
		{
			name:    "get without an id is InvalidArgument",
			args:    []string{"get"},
			wantErr: true,
			wantStderr: "Error getting product: rpc error: code = InvalidArgument desc = product id is required\n" +
				"  field id: product id is required\n",
		},
		{
			name: "search lists matches in a table",
			args: []string{"search", "--query=programming"},
			wantStdout: "Found 2 products matching \"programming\"\n" +
				"product-123  The Rust Programming Language Book  $25.99\n" +
				"product-789  The Go Programming Language         $34.99\n",
		},
		{
			name:       "search with one match",
			args:       []string{"search", "--query=hub"},
			wantStdout: "Found 1 product matching \"hub\"\n" + "product-321  USB-C Hub  $19.00\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), append(tt.args, "--addr="+addr), &stdout, &stderr)
			if (err != nil) != tt.wantErr {
				t.Fatalf("run(%q) error = %v, want error: %v; stderr:\n%s", tt.args, err, tt.wantErr, stderr.String())
			}
			if tt.wantErr && !errors.Is(err, errReported) {
				t.Errorf("run(%q) error = %v, want it marked as already reported", tt.args, err)
			}
			if stdout.String() != tt.wantStdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), tt.wantStdout)
			}
			if stderr.String() != tt.wantStderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), tt.wantStderr)
			}
		})
	}
}

// TestTimeoutBecomesDeadlineExceeded runs against a server whose store takes
// a minute, with a short --timeout: the call must end with DeadlineExceeded.
func TestTimeoutBecomesDeadlineExceeded(t *testing.T) {
	addr := startServer(t, time.Minute)
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"get", "--id=product-123", "--timeout=100ms", "--addr=" + addr}, io.Discard, &stderr)
	if err == nil {
		t.Fatal("run succeeded, want a deadline error")
	}
	if want := "code = DeadlineExceeded"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr = %q, want it to contain %q", stderr.String(), want)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"get", "product-123"}, {"get", "--timeout=soon"}} {
		var stderr bytes.Buffer
		if err := run(t.Context(), args, io.Discard, &stderr); err == nil || errors.Is(err, errReported) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
		if !strings.Contains(stderr.String(), "Usage: client") {
			t.Errorf("run(%q) printed no usage:\n%s", args, stderr.String())
		}
	}
}
