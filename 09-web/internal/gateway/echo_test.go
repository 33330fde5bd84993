package gateway_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
)

// TestRefusalsDoNotEchoTheCallersInput sends values far larger than any
// answer should be: the gateway refuses each with a short message, and
// many small header fields count as HTTP/2 counts them, so the gateway,
// not a backend behind it, is the layer that refuses them.
func TestRefusalsDoNotEchoTheCallersInput(t *testing.T) {
	e := start(t)
	token := e.keys.Token(t, "alice", auth.ScopeWriteOrders)
	huge := strings.Repeat("9", 15_000)
	tests := []struct {
		name       string
		body       string
		header     http.Header
		wantStatus int
	}{
		{name: "a bad value in a JSON body", wantStatus: http.StatusBadRequest,
			body: `{"items":[{"productId":"product-123","quantity":"` + strings.Repeat("z", 50_000) + `"}]}`},
		{name: "a Grpc-Timeout that is not one", wantStatus: http.StatusBadRequest,
			header: http.Header{"Grpc-Timeout": {huge + "m"}}},
		{name: "many small header fields", wantStatus: http.StatusRequestHeaderFieldsTooLarge,
			header: http.Header{"X-Many": manyValues(800, "a")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST", e.base+"/v1/orders", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := e.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || len(body) > 400 {
				t.Errorf("= %s with a %d-byte body %.200q, want %d with a short message",
					resp.Status, len(body), body, tt.wantStatus)
			}
		})
	}
}

func manyValues(n int, v string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = v
	}
	return out
}
