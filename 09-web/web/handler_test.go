package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func get(t *testing.T, method, path string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func TestHandler(t *testing.T) {
	t.Run("the page is served at / with the strict policy", func(t *testing.T) {
		res := get(t, http.MethodGet, "/", nil)
		body, _ := io.ReadAll(res.Body)
		want, err := os.ReadFile("dist/index.html")
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK || string(body) != string(want) {
			t.Fatalf("GET / = %d, %d bytes; want 200 with dist/index.html (%d bytes)", res.StatusCode, len(body), len(want))
		}
		for name, want := range map[string]string{
			"Content-Type":            "text/html; charset=utf-8",
			"Content-Security-Policy": ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"Cache-Control":           "no-cache",
		} {
			if got := res.Header.Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
	})
	t.Run("the policy allows scripts and calls from the page's own origin only", func(t *testing.T) {
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(ContentSecurityPolicy, want+";") {
				t.Errorf("policy %q lacks %q", ContentSecurityPolicy, want)
			}
		}
		if strings.Contains(ContentSecurityPolicy, "unsafe") || strings.Contains(ContentSecurityPolicy, "*") {
			t.Errorf("policy %q allows more than 'self'", ContentSecurityPolicy)
		}
	})
	t.Run("assets are served with their types", func(t *testing.T) {
		for path, want := range map[string]string{
			"/app.js":    "text/javascript; charset=utf-8",
			"/style.css": "text/css; charset=utf-8",
		} {
			res := get(t, http.MethodGet, path, nil)
			if got := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || got != want {
				t.Errorf("GET %s = %d %q, want 200 %q", path, res.StatusCode, got, want)
			}
			if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s lacks the security headers: %v", path, res.Header)
			}
		}
	})
	t.Run("an unchanged file is answered 304 to its ETag", func(t *testing.T) {
		etag := get(t, http.MethodGet, "/app.js", nil).Header.Get("ETag")
		if etag == "" {
			t.Fatal("GET /app.js has no ETag")
		}
		res := get(t, http.MethodGet, "/app.js", http.Header{"If-None-Match": {etag}})
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("GET /app.js with If-None-Match = %d, want 304", res.StatusCode)
		}
	})
	t.Run("an unknown path is 404, with the security headers", func(t *testing.T) {
		for _, path := range []string{"/nope", "/index.html", "/dist/app.js", "/app.js/", "/../web.go"} {
			res := get(t, http.MethodGet, path, nil)
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, res.StatusCode)
			}
			if res.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("GET %s has no Content-Security-Policy", path)
			}
		}
	})
	t.Run("HEAD is answered and POST refused", func(t *testing.T) {
		if res := get(t, http.MethodHead, "/", nil); res.StatusCode != http.StatusOK {
			t.Errorf("HEAD / = %d, want 200", res.StatusCode)
		}
		res := get(t, http.MethodPost, "/", nil)
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("POST / = %d Allow %q, want 405 Allow \"GET, HEAD\"", res.StatusCode, res.Header.Get("Allow"))
		}
	})
}
