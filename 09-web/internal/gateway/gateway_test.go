package gateway_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
	"github.com/learn-grpc/learn-grpc/09-web/internal/gateway"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"
	"github.com/learn-grpc/learn-grpc/09-web/openapi"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// env is the real server, gRPC and REST, on loopback TLS listeners.
type env struct {
	base      string // https://127.0.0.1:PORT
	http      *http.Client
	transport *http.Transport
	keys      *authtest.Keys
	stock     *inventory.Stock
	logs      *testutil.LockedBuffer
	pool      *x509.CertPool // the development CA
}

func start(t *testing.T, opts ...gateway.Option) *env {
	t.Helper()
	pki := t.TempDir()
	if err := devpki.Generate(pki, time.Now()); err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(pki, devpki.Cert("catalog")), filepath.Join(pki, devpki.Key("catalog")))
	if err != nil {
		t.Fatal(err)
	}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	keys := authtest.NewKeys(t)
	stock := testutil.NewStock(t)
	logs := &testutil.LockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	srv := server.New(server.Config{Log: log, Verifier: keys.Verifier, Creds: credentials.NewTLS(tlsConfig)})
	testutil.RegisterShop(srv, testutil.Shop{
		Products: catalog.NewStore(catalog.SampleProducts(), 0), Stock: stock,
		Orders: orders.NewMemoryStore(), TrackInterval: time.Hour, Log: log,
	})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dial, err := credentials.NewClientTLSFromFile(filepath.Join(pki, devpki.CACert), "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(dial))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	h, err := gateway.Handler(ctx, conn, conn, openapi.Document, telemetry.Off(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ctx, lis, server.Shutdown{Grace: 5 * time.Second}); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		if err := gateway.Serve(ctx, httpLis, h, tlsConfig, 5*time.Second, log); err != nil {
			t.Error(err)
		}
	})

	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(filepath.Join(pki, devpki.CACert))
	if err != nil || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("reading the CA: %v", err)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		stop()
		wg.Wait()
		_ = conn.Close()
	})
	return &env{base: "https://" + httpLis.Addr().String(), http: &http.Client{Transport: transport}, transport: transport,
		keys: keys, stock: stock, logs: logs, pool: pool}
}

// do sends a request and returns the status and decoded JSON body.
func (e *env) do(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil && err != io.EOF {
		t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	return resp.StatusCode, out
}

func TestRoutesAndStatuses(t *testing.T) {
	e := start(t)
	alice := e.keys.Token(t, "alice", auth.ScopeWriteOrders)
	order := `{"items": [{"productId": "product-123", "quantity": 2}]}`
	_, placed := e.do(t, "POST", "/v1/orders", alice, order)
	id, _ := placed["order"].(map[string]any)["id"].(string)
	tests := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"get a product", "GET", "/v1/products/product-123", "", "", http.StatusOK},
		{"unknown product is 404", "GET", "/v1/products/product-999", "", "", http.StatusNotFound},
		{"search", "GET", "/v1/products?query=books", "", "", http.StatusOK},
		{"empty search is 400", "GET", "/v1/products", "", "", http.StatusBadRequest},
		{"order without a token is 401", "POST", "/v1/orders", "", order, http.StatusUnauthorized},
		{"order with a bad token is 401", "POST", "/v1/orders", "not-a-jwt", order, http.StatusUnauthorized},
		{"order without the scope is 403", "POST", "/v1/orders", e.keys.Token(t, "alice"), order, http.StatusForbidden},
		{"order with a token", "POST", "/v1/orders", alice, order, http.StatusOK},
		{"malformed JSON is 400", "POST", "/v1/orders", alice, `{"items": [`, http.StatusBadRequest},
		{"not enough stock is 400 (FailedPrecondition)", "POST", "/v1/orders", alice, `{"items": [{"productId": "product-456", "quantity": 1000}]}`, http.StatusBadRequest},
		{"own order", "GET", "/v1/orders/" + id, alice, "", http.StatusOK},
		{"someone else's order is 404, as an unknown one", "GET", "/v1/orders/" + id, e.keys.Token(t, "bob"), "", http.StatusNotFound},
		{"unknown route is 404", "GET", "/v1/nothing", "", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body := e.do(t, tt.method, tt.path, tt.token, tt.body)
			if got != tt.want {
				t.Fatalf("%s %s = %d %v, want %d", tt.method, tt.path, got, body, tt.want)
			}
		})
	}
	_, body := e.do(t, "GET", "/v1/orders/"+id, alice, "")
	if o, _ := body["order"].(map[string]any); o["customerId"] != "alice" {
		t.Errorf("order = %v, want alice's: the subject comes from the token passed through", body)
	}
}

// TestWatchStreams reads the feed as newline-delimited JSON objects, then
// hangs up: the gRPC handler behind the gateway must end its subscription.
func TestWatchStreams(t *testing.T) {
	e := start(t)
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/products:watch?productIds=product-123", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(bufio.NewReader(resp.Body))
	var first struct {
		Result struct {
			Inventory struct {
				ProductID string `json:"productId"`
				Quantity  int    `json:"quantity"`
			} `json:"inventory"`
		} `json:"result"`
	}
	if err := dec.Decode(&first); err != nil {
		t.Fatal(err)
	}
	if first.Result.Inventory.ProductID != "product-123" || first.Result.Inventory.Quantity != 100 {
		t.Fatalf("first message = %+v, want product-123 at 100", first)
	}
	if _, err := e.stock.Adjust(t.Context(), "product-123", -1); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&first); err != nil || first.Result.Inventory.Quantity != 99 {
		t.Fatalf("second message = %+v, %v; want 99", first, err)
	}
	cancel()
	deadline := time.Now().Add(10 * time.Second)
	for e.stock.Watchers("product-123") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the watch behind the gateway outlived its HTTP client")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	e := start(t)
	status, doc := e.do(t, "GET", "/openapi.json", "", "")
	if status != http.StatusOK || doc["swagger"] != "2.0" {
		t.Fatalf("GET /openapi.json = %d, swagger %v", status, doc["swagger"])
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range []string{"/v1/products/{id}", "/v1/orders", "/v1/orders/{id}"} {
		if _, ok := paths[p]; !ok {
			t.Errorf("OpenAPI document lacks %s", p)
		}
	}
}

// TestStatusTable holds the README's table of gRPC codes and HTTP statuses
// to what grpc-gateway really does.
func TestStatusTable(t *testing.T) {
	table := map[codes.Code]int{
		codes.OK: 200, codes.InvalidArgument: 400, codes.FailedPrecondition: 400, codes.OutOfRange: 400,
		codes.Unauthenticated: 401, codes.PermissionDenied: 403, codes.NotFound: 404,
		codes.AlreadyExists: 409, codes.Aborted: 409, codes.ResourceExhausted: 429, codes.Canceled: 499,
		codes.Internal: 500, codes.Unknown: 500, codes.DataLoss: 500, codes.Unimplemented: 501,
		codes.Unavailable: 503, codes.DeadlineExceeded: 504,
	}
	for code, want := range table {
		if got := runtime.HTTPStatusFromCode(code); got != want {
			t.Errorf("%v maps to HTTP %d; the README says %d", code, got, want)
		}
	}
}
