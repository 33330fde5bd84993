package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// edge starts a catalog, orders and the gateway in front of them, and
// returns the gateway's base URL and an HTTPS client that trusts it.
func edge(t *testing.T, latency time.Duration, flags ...string) (string, *http.Client, *testutil.PKI, *testutil.Running) {
	t.Helper()
	pki := testutil.NewPKI(t)
	cat := testutil.StartCatalog(t, pki, latency)
	orders := testutil.StartOrders(t, pki, cat.Addr)
	gw := testutil.Start(t, run, append(pki.Flags("gateway"),
		append([]string{"-http-addr=127.0.0.1:0", "-catalog=" + cat.Addr, "-orders=" + orders.Addr}, flags...)...)...)
	pem, err := os.ReadFile(pki.Path(devpki.CACert))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	t.Cleanup(client.CloseIdleConnections)
	return "https://" + gw.Addr, client, pki, gw
}

func do(t *testing.T, client *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestTheGatewayReachesBothServices(t *testing.T) {
	base, client, pki, gw := edge(t, 0)
	get, _ := http.NewRequest("GET", base+"/v1/products/product-123", nil)
	if code, body := do(t, client, get); code != 200 || !strings.Contains(body, `"id": "product-123"`) {
		t.Errorf("GET product = %d %s", code, body)
	}
	post, _ := http.NewRequest("POST", base+"/v1/orders", strings.NewReader(`{"items": [{"productId": "product-123", "quantity": 1}]}`))
	post.Header.Set("Authorization", "Bearer "+pki.Keys.Token(t, "alice", auth.ScopeWriteOrders))
	if code, body := do(t, client, post); code != 200 || !strings.Contains(body, `"customerId": "alice"`) {
		t.Errorf("POST order with alice's token = %d %s", code, body)
	}
	anon, _ := http.NewRequest("POST", base+"/v1/orders", strings.NewReader(`{"items": [{"productId": "product-123", "quantity": 1}]}`))
	if code, _ := do(t, client, anon); code != http.StatusUnauthorized {
		t.Errorf("POST order without a token = %d, want 401", code)
	}
	health, _ := http.NewRequest("GET", base+"/healthz", nil)
	if code, _ := do(t, client, health); code != 200 {
		t.Errorf("GET /healthz = %d, want 200", code)
	}
	client.CloseIdleConnections()
	if err := gw.Stop(); err != nil {
		t.Fatalf("run after stop = %v; logs:\n%s", err, gw.Logs)
	}
}

// TestARESTDeadlineEndsIn504: Grpc-Timeout bounds the call to orders and,
// through it, the call to a catalog that would take a minute.
func TestARESTDeadlineEndsIn504(t *testing.T) {
	base, client, pki, _ := edge(t, time.Minute)
	post, _ := http.NewRequest("POST", base+"/v1/orders", strings.NewReader(`{"items": [{"productId": "product-123", "quantity": 1}]}`))
	post.Header.Set("Authorization", "Bearer "+pki.Keys.Token(t, "alice", auth.ScopeWriteOrders))
	post.Header.Set("Grpc-Timeout", "300m")
	if code, body := do(t, client, post); code != http.StatusGatewayTimeout {
		t.Errorf("POST order against a slow catalog = %d %s, want 504", code, body)
	}
}

// TestAnOpenWatchEndsAtShutdown stops a gateway whose grace period is an
// hour while a REST watch is open: Stop returns only because the watch ends,
// and its last line says why.
func TestAnOpenWatchEndsAtShutdown(t *testing.T) {
	base, client, _, gw := edge(t, 0, "-shutdown-timeout=1h")
	req, _ := http.NewRequest("GET", base+"/v1/products:watch?productIds=product-123", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	if !lines.Scan() {
		t.Fatalf("no first level: %v", lines.Err())
	}
	stopped := make(chan error, 1)
	go func() { stopped <- gw.Stop() }()
	var last string
	for lines.Scan() {
		last = lines.Text()
	}
	if !strings.Contains(last, "shutting down") || !strings.Contains(last, `"code":14`) {
		t.Errorf("last line = %s, want Unavailable, shutting down", last)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}
