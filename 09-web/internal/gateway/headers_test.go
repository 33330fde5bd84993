package gateway_test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/gateway"
)

// TestTokensUpToTheHeaderLimitAreServed reads alice's order with ever larger
// valid tokens, over HTTP/1.1 and HTTP/2: within the gateway's header limit
// the token reaches the backend once, and is checked there; beyond it the
// answer is 431 with the public limit, never a 500, and nothing behind the
// gateway is named.
func TestTokensUpToTheHeaderLimitAreServed(t *testing.T) {
	e := start(t)
	_, placed := e.do(t, "POST", "/v1/orders", e.keys.Token(t, "alice", auth.ScopeWriteOrders),
		`{"items": [{"productId": "product-123", "quantity": 1}]}`)
	path := "/v1/orders/" + placed["order"].(map[string]any)["id"].(string)
	// The request's other headers, Host, User-Agent and Accept-Encoding, set
	// here so that the test knows every byte: a token of maxToken fills the
	// limit exactly.
	host := strings.TrimPrefix(e.base, "https://")
	const agent, encoding = "test", "identity"
	// Each of the four fields costs 32 bytes more, as in HTTP/2.
	maxToken := gateway.MaxRequestHeaderBytes - len("Host"+host) - len("User-Agent"+agent) -
		len("Accept-Encoding"+encoding) - len("Authorization"+"Bearer ") - 4*32
	tests := []struct {
		name    string
		size    int // of the token
		padding int // bytes of an X-Padding header the gateway does not forward
		want    int
	}{
		{name: "a 4 KiB token is served", size: 4 << 10, want: http.StatusOK},
		{name: "an 8 KiB token is served", size: 8 << 10, want: http.StatusOK},
		{name: "a 15 KiB token is served", size: 15 << 10, want: http.StatusOK},
		// Forwarded, it must fit the backend's per-call limit: limits nest.
		{name: "a token that fills the limit exactly is served", size: maxToken, want: http.StatusOK},
		{name: "a token one byte past the limit is 431", size: maxToken + 1,
			want: http.StatusRequestHeaderFieldsTooLarge},
		{name: "a 20 KiB token is 431", size: 20 << 10, want: http.StatusRequestHeaderFieldsTooLarge},
		{name: "20 KiB of headers the gateway would not forward is 431", size: 1 << 10, padding: 20 << 10,
			want: http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, proto := range []string{"HTTP/1.1", "HTTP/2.0"} {
		client := e.client(t, proto)
		for _, tt := range tests {
			t.Run(proto+": "+tt.name, func(t *testing.T) {
				token := tokenOfSize(t, e.keys, "alice", tt.size)
				req, err := http.NewRequestWithContext(t.Context(), "GET", e.base+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("User-Agent", agent)
				req.Header.Set("Accept-Encoding", encoding)
				req.Header.Set("Authorization", "Bearer "+token)
				if tt.padding > 0 {
					req.Header.Set("X-Padding", strings.Repeat("p", tt.padding))
				}
				// A token one byte short of the size it asked for is padded
				// by the User-Agent, so that sizes at the limit are exact.
				req.Header.Set("User-Agent", agent+strings.Repeat("a", tt.size-len(token)))
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("GET with a %d-byte token: %v", len(token), err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != tt.want {
					t.Fatalf("GET with a %d-byte token = %s %s, want %d", len(token), resp.Status, body, tt.want)
				}
				if resp.Proto != proto {
					t.Errorf("served over %s, want %s", resp.Proto, proto)
				}
				if tt.want == http.StatusOK {
					return
				}
				var got struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatalf("body %q is not the gateway's JSON error: %v", body, err)
				}
				want := fmt.Sprintf("request headers larger than %d bytes", gateway.MaxRequestHeaderBytes)
				if got.Code != 8 || got.Message != want {
					t.Errorf("body = %s, want code 8 and %q, which names the public limit only", body, want)
				}
			})
		}
	}
}

// client returns an HTTP client of the test server that speaks proto only.
func (e *env) client(t *testing.T, proto string) *http.Client {
	t.Helper()
	if proto == "HTTP/2.0" {
		return e.http
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.pool}, Protocols: new(http.Protocols)}
	tr.Protocols.SetHTTP1(true)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// tokenOfSize mints a valid token for subject of size bytes, or one byte
// less where base64 cannot make that size, padded with group scopes, as an
// identity provider's token carries its user's groups.
func tokenOfSize(t *testing.T, keys *authtest.Keys, subject string, size int) string {
	t.Helper()
	claims := authtest.Claims(subject)
	sign := func(pad int) string {
		claims.Scope = "groups:" + strings.Repeat("g", pad)
		return keys.Sign(t, claims)
	}
	// The largest padding whose token fits: a token grows with its padding.
	lo, hi := 0, size
	if len(sign(lo)) > size {
		t.Fatalf("the smallest token is more than %d bytes", size)
	}
	for lo < hi {
		if mid := (lo + hi + 1) / 2; len(sign(mid)) <= size {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return sign(lo)
}
