package gateway_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/gateway"
)

// TestConnectCompressesOnlyLargeAnswers: a browser accepts gzip on every
// call, yet one product goes out as it is, while a page of products, past
// CompressMinBytes, is still gzipped.
func TestConnectCompressesOnlyLargeAnswers(t *testing.T) {
	e := start(t)
	tests := []struct {
		name, method, body string
		wantGzip           bool
	}{
		{"one product is sent as it is", "GetProduct", `{"id":"product-123"}`, false},
		{"a page of products is gzipped", "ListProducts", `{"pageSize":50}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST",
				e.base+"/ecommerce.catalog.v1.ProductCatalogService/"+tt.method, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Encoding", "gzip") // set by hand, so the client leaves the body as sent
			resp, err := e.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body := io.Reader(resp.Body)
			gzipped := resp.Header.Get("Content-Encoding") == "gzip"
			if gzipped {
				if body, err = gzip.NewReader(resp.Body); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := io.ReadAll(body)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("%s = %d %q (%v), want 200", tt.method, resp.StatusCode, raw, err)
			}
			if gzipped != tt.wantGzip {
				t.Errorf("%s answered %d bytes, gzipped: %v; want gzipped: %v", tt.method, len(raw), gzipped, tt.wantGzip)
			}
			if small := len(raw) < gateway.CompressMinBytes; small == tt.wantGzip {
				t.Errorf("%s answered %d bytes; the test needs it %s %d", tt.method, len(raw),
					map[bool]string{true: "at least", false: "under"}[tt.wantGzip], gateway.CompressMinBytes)
			}
		})
	}
}
