package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	//go:embed testdata/storefront.html
	storefront []byte
	//go:embed testdata/storefront.js
	storefrontJS []byte
)

// csp is stage 09's Content-Security-Policy (09-web/web/web.go): no inline
// script, no eval, Trusted Types. The program must shop under it.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'"

// shopServer serves testdata/storefront.html and the stock it polls, and
// takes orders as stage 09's gateway would: one unit at a time, a quantity
// below 1 refused with a field error.
type shopServer struct {
	mu    sync.Mutex
	stock map[string]int
	token string // the bearer token an order must carry
}

func newShopServer() *shopServer {
	return &shopServer{stock: map[string]int{"product-123": 100, "product-456": 25, "product-789": 60, "product-321": 200},
		token: "t0ken"}
}

// sell takes n units of id, as an order placed elsewhere would.
func (s *shopServer) sell(id string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stock[id] -= n
}

func (s *shopServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", csp)
		w.Write(storefront)
	case "/app.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write(storefrontJS)
	case "/stock":
		s.mu.Lock()
		defer s.mu.Unlock()
		json.NewEncoder(w).Encode(s.stock)
	case "/order":
		answer := map[string]string{}
		q, err := strconv.Atoi(r.FormValue("quantity"))
		switch id := r.FormValue("product"); {
		case r.FormValue("token") != s.token:
			answer["error"] = "unauthenticated"
		case err != nil || q < 1:
			answer["fieldError"] = "quantity of " + id + " must be at least 1, got " + r.FormValue("quantity")
		default:
			s.sell(id, q)
			answer["id"] = "order-1"
		}
		json.NewEncoder(w).Encode(answer)
	default:
		http.NotFound(w, r)
	}
}

// lineWatcher is an output that calls on with each line as it is written.
type lineWatcher struct {
	mu  sync.Mutex
	buf bytes.Buffer
	on  func(line string)
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if strings.HasSuffix(line, "\n") && w.on != nil {
			w.on(strings.TrimSuffix(line, "\n"))
		}
	}
	return len(p), nil
}

func (w *lineWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// needChrome skips a test that needs a browser where there is none, except
// in CI, where a missing browser is a broken setup.
func needChrome(t *testing.T) {
	t.Helper()
	if _, err := findChrome(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// startShop serves the test storefront over TLS at https://localhost:PORT/
// with a certificate from a CA of its own, written to a file it returns.
func startShop(t *testing.T) (*shopServer, string, string) {
	t.Helper()
	shop := newShopServer()
	ts := httptest.NewUnstartedServer(shop)
	caPEM, leaf := testPKI(t)
	ts.TLS = leaf
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // Chrome refusing a certificate is the point of some tests
	ts.StartTLS()
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(ca, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return shop, fmt.Sprintf("https://localhost:%d/", ts.Listener.Addr().(*net.TCPAddr).Port), ca
}

func TestTheScenarioPrintsOneLineAStep(t *testing.T) {
	needChrome(t)
	shop, url, ca := startShop(t)
	shot := filepath.Join(t.TempDir(), "docs", "storefront.png")
	out := &lineWatcher{on: func(line string) {
		if strings.HasPrefix(line, "waiting for the stock of product-123") {
			shop.sell("product-123", 1) // the order placed elsewhere
		}
	}}
	var errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	code := run(ctx, []string{"--ca=" + ca, "--token=t0ken", "--screenshot=" + shot, url}, out, &errOut)
	if code != 0 {
		t.Fatalf("run exited %d:\n%s%s", code, out, errOut.String())
	}
	want := `page loaded: 4 products
stock of product-123: 100
waiting for the stock of product-123 to change elsewhere
stock of product-123: 99
search "programming": 2 products
order placed from the page: ORDER_STATUS_PENDING (order-1)
stock of product-123: 98
status of the order on the page: ORDER_STATUS_DELIVERED
field error for a bad quantity: items[0].quantity: quantity of product-123 must be at least 1, got 0
screenshot: ` + filepath.ToSlash(shot) + "\n"
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("%s is not a PNG: it starts %q", shot, png[:min(8, len(png))])
	}
}

func TestAServerTheCADidNotSignIsRefused(t *testing.T) {
	needChrome(t)
	_, url, _ := startShop(t)
	otherCA, _ := testPKI(t)
	ca := filepath.Join(t.TempDir(), "other.crt")
	if err := os.WriteFile(ca, otherCA, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"--ca=" + ca, url}, &out, &errOut); code != exitFailed {
		t.Fatalf("run exited %d, want %d:\n%s%s", code, exitFailed, out.String(), errOut.String())
	}
	if got := errOut.String(); !strings.Contains(got, "does not present a certificate that") {
		t.Errorf("error output %q does not say the certificate is not the CA's", got)
	}
}

func TestWithoutTheCAChromeRefusesThePage(t *testing.T) {
	needChrome(t)
	_, url, _ := startShop(t)
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"--wait=5s", url}, &out, &errOut); code != exitFailed {
		t.Fatalf("run exited %d, want %d:\n%s%s", code, exitFailed, out.String(), errOut.String())
	}
	if got := errOut.String(); !strings.Contains(got, "CERT") {
		t.Errorf("error output %q does not name a certificate error", got)
	}
}

func TestNoBrowserIsASkipOfOneLine(t *testing.T) {
	t.Setenv("LAB_CHROME", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := findChrome(); err == nil {
		t.Skip("a browser is installed outside the PATH here")
	}
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"https://localhost:1/"}, &out, &errOut); code != exitSkipped {
		t.Errorf("run exited %d, want %d", code, exitSkipped)
	}
	if got, want := out.String()+errOut.String(), "skipped: no Chrome or Chromium found (set LAB_CHROME)\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestALabChromeThatIsNoProgramFails(t *testing.T) {
	t.Setenv("LAB_CHROME", filepath.Join(t.TempDir(), "no-such-chrome"))
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"https://localhost:1/"}, &out, &errOut); code != exitFailed {
		t.Errorf("run exited %d, want %d", code, exitFailed)
	}
	if got := errOut.String(); !strings.Contains(got, "LAB_CHROME=") {
		t.Errorf("error output %q does not name LAB_CHROME", got)
	}
}

func TestAPageThatIsNotThereFailsAtOnce(t *testing.T) {
	needChrome(t)
	_, url, ca := startShop(t)
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"--ca=" + ca, url + "nothing"}, &out, &errOut); code != exitFailed {
		t.Fatalf("run exited %d, want %d:\n%s%s", code, exitFailed, out.String(), errOut.String())
	}
	if got := errOut.String(); !strings.Contains(got, "HTTP 404") {
		t.Errorf("error output %q does not say HTTP 404", got)
	}
}
