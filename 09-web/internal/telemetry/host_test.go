package telemetry_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"
)

// TestACallersHostMakesNoMetricSeries sends 200 requests, each with a
// different 8 KB Host: the gateway's metrics must not grow with them, or
// any caller could make every scrape as large as it likes.
func TestACallersHostMakesNoMetricSeries(t *testing.T) {
	tel, err := telemetry.Setup(t.Context(), "gateway", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	h := tel.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusRequestHeaderFieldsTooLarge)
	}), "gateway")
	srv := httptest.NewServer(h)
	defer srv.Close()
	for i := range 200 {
		req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/v1/products/x", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = fmt.Sprintf("h%d%s", i, strings.Repeat("a", 8000))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	rec := httptest.NewRecorder()
	tel.Metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if len(body) > 100_000 || strings.Contains(string(body), strings.Repeat("a", 100)) {
		t.Errorf("metrics are %d bytes after 200 requests with different Hosts, want them not to grow with the Host", len(body))
	}
}
