package gateway_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/gateway"
)

const (
	shop     = "https://shop.example.com"
	stranger = "https://evil.example.net"
)

// cors sends a request from a page of origin and returns the answer's
// status and headers.
func (e *env) cors(t *testing.T, method, origin string, header http.Header) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method,
		e.base+"/ecommerce.catalog.v1.ProductCatalogService/GetProduct", strings.NewReader(`{"id": "product-123"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// preflight is what a browser asks before a Connect call with a token:
// the headers lower-case and sorted, as the Fetch standard has it.
var preflight = http.Header{
	"Access-Control-Request-Method":  {"POST"},
	"Access-Control-Request-Headers": {"authorization,connect-protocol-version,connect-timeout-ms,content-type"},
}

func TestCORSAllowsOnlyTheListedOrigins(t *testing.T) {
	e := start(t, gateway.WithCORSOrigins([]string{shop}))
	t.Run("a preflight from a listed origin allows POST and the token", func(t *testing.T) {
		code, h := e.cors(t, "OPTIONS", shop, preflight)
		allowed := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
		if code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != shop ||
			!strings.Contains(allowed, "authorization") || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("preflight = %d %v, want 204 allowing %s, POST and Authorization", code, h, shop)
		}
	})
	t.Run("a call from a listed origin may read gRPC-Web's status headers", func(t *testing.T) {
		code, h := e.cors(t, "POST", shop, nil)
		exposed := strings.Split(h.Get("Access-Control-Expose-Headers"), ", ")
		if code != http.StatusOK || h.Get("Access-Control-Allow-Origin") != shop ||
			!slices.Contains(exposed, "Grpc-Status") || !slices.Contains(exposed, "Grpc-Message") {
			t.Errorf("call = %d %v, want 200 allowing %s, exposing Grpc-Status and Grpc-Message", code, h, shop)
		}
	})
	t.Run("a preflight from another origin is not allowed", func(t *testing.T) {
		if _, h := e.cors(t, "OPTIONS", stranger, preflight); h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s allowed: %v", stranger, h)
		}
	})
	t.Run("a call from another origin gets no CORS headers, so its page cannot read it", func(t *testing.T) {
		if _, h := e.cors(t, "POST", stranger, nil); h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("call from %s allowed: %v", stranger, h)
		}
	})
}

// TestCORSCoversTheGatewaysOwnRefusals: a page of a listed origin can read
// the gateway's refusal of a body or headers over its limits, since CORS
// sits outside them; without CORS headers it would see only "Failed to
// fetch". REST stays same-origin.
func TestCORSCoversTheGatewaysOwnRefusals(t *testing.T) {
	e := start(t, gateway.WithCORSOrigins([]string{shop}))
	tests := []struct {
		name   string
		header http.Header
		body   string
	}{
		{"a body over the limit", nil, strings.Repeat("x", 2*gateway.MaxRequestBody)},
		{"headers over the limit", http.Header{"X-Padding": {strings.Repeat("p", gateway.MaxRequestHeaderBytes)}}, "{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused where the page can read it", func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST", e.base+createOrderPath, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = http.Header{"Origin": {shop}, "Content-Type": {"application/grpc-web+proto"}}
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := e.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			exposed := strings.Split(resp.Header.Get("Access-Control-Expose-Headers"), ", ")
			if resp.Header.Get("Grpc-Status") != "8" || resp.Header.Get("Access-Control-Allow-Origin") != shop ||
				!slices.Contains(exposed, "Grpc-Status") {
				t.Errorf("refusal = %d %v, want grpc-status 8 that %s may read", resp.StatusCode, resp.Header, shop)
			}
		})
	}
	t.Run("a preflight with headers over the limit is refused too", func(t *testing.T) {
		big := http.Header{"Access-Control-Request-Method": {"POST"},
			"Access-Control-Request-Headers": {strings.Repeat("x-a,", gateway.MaxRequestHeaderBytes/4)}}
		if code, _ := e.cors(t, "OPTIONS", shop, big); code != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("preflight with %d bytes of headers = %d, want 431", gateway.MaxRequestHeaderBytes, code)
		}
	})
	t.Run("a REST call gets no CORS headers", func(t *testing.T) {
		req, err := http.NewRequestWithContext(t.Context(), "GET", e.base+"/v1/products/product-123", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", shop)
		resp, err := e.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("REST call = %d %v, want 200 and no CORS headers", resp.StatusCode, resp.Header)
		}
	})
}

func TestCORSWithoutOriginsAllowsNone(t *testing.T) {
	e := start(t)
	if _, h := e.cors(t, "OPTIONS", shop, preflight); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from %s allowed with no -cors-origins: %v", shop, h)
	}
	if code, h := e.cors(t, "POST", shop, nil); code != http.StatusOK || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("call = %d %v, want 200 (served, as to a page of the gateway's own) and no CORS headers", code, h)
	}
}

func TestParseOrigins(t *testing.T) {
	tests := []struct {
		list    string
		want    []string
		wantErr bool
	}{
		{list: "", want: nil},
		{list: shop + ", http://localhost:5173", want: []string{shop, "http://localhost:5173"}},
		{list: "*", wantErr: true},
		{list: "shop.example.com", wantErr: true},
		{list: shop + "/store", wantErr: true},
		{list: "ftp://shop.example.com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			got, err := gateway.ParseOrigins(tt.list)
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("ParseOrigins(%q) = %q, %v; want %q (error: %v)", tt.list, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
