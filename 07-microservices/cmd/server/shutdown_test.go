package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/auth"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/catalog"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/devpki"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/inventory"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/orders"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/server"

	catalogv1 "github.com/learn-grpc/learn-grpc/07-microservices/gen/ecommerce/catalog/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/07-microservices/gen/ecommerce/orders/v1"
)

// TestShutdownWithEveryKindOfStreamOpen stops a server, whose grace period
// is an hour, while a health watch, a product watch, a tracker and a REST
// watch are open: run returns only if the stop ends them all, and every
// gRPC client gets Unavailable.
func TestShutdownWithEveryKindOfStreamOpen(t *testing.T) {
	pki := t.TempDir()
	if err := devpki.Generate(pki, time.Now()); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	stdout, stdoutW := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-shutdown-timeout", "1h",
			"-track-interval", "1h",
			"-tls-cert", filepath.Join(pki, devpki.ServerCert), "-tls-key", filepath.Join(pki, devpki.ServerKey),
			"-jwt-public-key", filepath.Join(pki, devpki.SigningPubKey), "-tls-ca", filepath.Join(pki, devpki.CACert)},
			stdoutW, &stderr)
		stdoutW.Close()
		done <- err
	}()
	out := bufio.NewReader(stdout)
	grpcLine, _ := out.ReadString('\n')
	restLine, _ := out.ReadString('\n')
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	addr := strings.TrimSpace(strings.TrimPrefix(grpcLine, "gRPC server listening on "))
	restURL := strings.TrimSpace(strings.TrimPrefix(restLine, "REST gateway listening on "))

	// The bound only turns a hang into a failure; it asserts no speed.
	streamCtx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	creds, err := credentials.NewClientTLSFromFile(filepath.Join(pki, devpki.CACert), "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	health, err := healthpb.NewHealthClient(conn).Watch(streamCtx, &healthpb.HealthCheckRequest{})
	mustRecv(t, "health watch", health, err)
	watch, err := catalogv1.NewProductCatalogServiceClient(conn).WatchProducts(streamCtx,
		&catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}})
	mustRecv(t, "product watch", watch, err)
	tracker := openTracker(t, streamCtx, conn, pki)
	rest := openRESTWatch(t, streamCtx, restURL, pki)
	defer rest.Close()

	stop()
	for name, s := range map[string]interface{ RecvMsg(any) error }{"health watch": health, "product watch": watch, "tracker": tracker} {
		var err error
		for err == nil {
			err = s.RecvMsg(new(healthpb.HealthCheckResponse))
		}
		if status.Code(err) != codes.Unavailable {
			t.Errorf("%s ended with %v, want Unavailable", name, err)
		}
	}
	rest.ScanAll()
	if !strings.Contains(rest.Last(), `"code":14`) {
		t.Errorf("the REST watch's last line is %q, want the Unavailable (14) that ended it", rest.Last())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run = %v, want nil; logs:\n%s", err, stderr.String())
		}
	case <-streamCtx.Done():
		t.Fatalf("the server had not stopped 30s after the signal; logs:\n%s", stderr.String())
	}
}

func mustRecv(t *testing.T, what string, s interface{ RecvMsg(any) error }, err error) {
	t.Helper()
	if err == nil {
		err = s.RecvMsg(new(catalogv1.WatchProductsResponse))
	}
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// openTracker places an order as alice and tracks it, until the first ack.
func openTracker(t *testing.T, ctx context.Context, conn *grpc.ClientConn, pki string) grpc.ClientStream {
	t.Helper()
	key, err := devpki.LoadSigningKey(filepath.Join(pki, devpki.SigningKey))
	if err != nil {
		t.Fatal(err)
	}
	keys := &authtest.Keys{Private: key, KeyID: devpki.KeyID(key.Public().(ed25519.PublicKey))}
	token := grpc.PerRPCCredentials(authtest.Bearer(keys.Token(t, "alice", auth.ScopeWriteOrders)))
	client := ordersv1.NewOrderManagementServiceClient(conn)
	order, err := client.CreateOrder(ctx, &ordersv1.CreateOrderRequest{Items: []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 1}}}, token)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := client.TrackOrder(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range []*ordersv1.TrackOrderRequest{
		{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: order.GetOrder().GetId()}}},
		{Kind: &ordersv1.TrackOrderRequest_Ping{Ping: &ordersv1.LocationPing{}}},
	} {
		if err := stream.Send(req); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	return stream
}

// restWatch is a REST watch read line by line.
type restWatch struct {
	body  io.ReadCloser
	lines *bufio.Scanner
	last  string
}

func openRESTWatch(t *testing.T, ctx context.Context, base, pki string) *restWatch {
	t.Helper()
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(filepath.Join(pki, devpki.CACert))
	if err != nil || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("reading the CA: %v", err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(client.CloseIdleConnections)
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/v1/products:watch?productIds=product-456", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	w := &restWatch{body: resp.Body, lines: bufio.NewScanner(resp.Body)}
	if !w.lines.Scan() {
		t.Fatalf("the REST watch sent nothing: %v", w.lines.Err())
	}
	return w
}

func (w *restWatch) ScanAll() {
	for w.lines.Scan() {
		w.last = w.lines.Text()
	}
}

func (w *restWatch) Last() string { return w.last }
func (w *restWatch) Close()       { _ = w.body.Close() }

// TestOneSideFailingStopsTheOther hands serveBoth a listener that fails, on
// either side: it must return the error at once, having stopped the other.
func TestOneSideFailingStopsTheOther(t *testing.T) {
	for _, broken := range []string{"gRPC", "REST"} {
		t.Run("the "+broken+" listener fails", func(t *testing.T) {
			srv := server.New(server.Config{
				Products: catalog.NewStore(catalog.SampleProducts(), 0), Stock: inventory.NewStock(catalog.SampleStock(), time.Now),
				Orders: orders.NewMemoryStore(), TrackInterval: time.Hour, Log: slog.New(slog.DiscardHandler),
				Verifier: authtest.NewKeys(t).Verifier,
			})
			lis, httpLis := listen(t), listen(t)
			if broken == "gRPC" {
				lis.Close()
			} else {
				httpLis.Close()
			}
			done := make(chan error, 1)
			go func() {
				done <- serveBoth(t.Context(), srv, lis, httpLis, http.NotFoundHandler(), nil,
					server.Shutdown{Grace: time.Hour}, slog.New(slog.DiscardHandler))
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Error("serveBoth = nil, want the listener's error")
				}
			case <-time.After(30 * time.Second): // turns a hang into a failure; asserts no speed
				t.Fatal("serveBoth still running 30s after a listener failed")
			}
		})
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lis.Close() })
	return lis
}
