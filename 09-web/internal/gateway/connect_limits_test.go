package gateway_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/gateway"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

const createOrderPath = "/ecommerce.orders.v1.OrderManagementService/CreateOrder"

// post sends a Connect JSON unary request as a browser's fetch would, and
// returns the HTTP status and the Connect error code of the answer, if any.
func (e *env) post(t *testing.T, path string, body io.Reader, header http.Header) (int, string) {
	t.Helper()
	got, code, _ := e.postMessage(t, path, body, header)
	return got, code
}

// postMessage is post, with the Connect error's message too.
func (e *env) postMessage(t *testing.T, path string, body io.Reader, header http.Header) (int, string, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", e.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	if _, ok := header["Content-Length"]; !ok && header.Get("Transfer-Encoding") == "chunked" {
		req.ContentLength = -1
	}
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &answer)
	return resp.StatusCode, answer.Code, answer.Message
}

// TestConnectDeadlinesReachTheServices: a call's Connect-Timeout-Ms (or a
// gRPC-Web call's Grpc-Timeout) bounds the order it places. 45 ms is less
// than an order needs (orders.MinTimeLeft), so it must fail; without the
// header the same order is placed.
func TestConnectDeadlinesReachTheServices(t *testing.T) {
	e := start(t)
	alice := "Bearer " + e.keys.Token(t, "alice", auth.ScopeWriteOrders)
	order := `{"items": [{"productId": "product-123", "quantity": 1}]}`
	tests := []struct {
		name     string
		header   http.Header
		wantHTTP int
		wantCode string
	}{
		{"without a deadline, the order is placed", http.Header{}, http.StatusOK, ""},
		{"Connect-Timeout-Ms: 45 is too little to place it", http.Header{"Connect-Timeout-Ms": {"45"}},
			http.StatusGatewayTimeout, "deadline_exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.header.Set("Authorization", alice)
			got, code := e.post(t, createOrderPath, strings.NewReader(order), tt.header)
			if got != tt.wantHTTP || code != tt.wantCode {
				t.Errorf("CreateOrder = %d %q, want %d %q", got, code, tt.wantHTTP, tt.wantCode)
			}
		})
	}
	t.Run("Grpc-Timeout: 45m over gRPC-Web is too little too", func(t *testing.T) {
		_, orders := e.clients(connect.WithGRPCWeb())
		req := as(strings.TrimPrefix(alice, "Bearer "), &ordersv1.CreateOrderRequest{Items: oneItem})
		req.Header().Set("Grpc-Timeout", "45m")
		if _, err := orders.CreateOrder(t.Context(), req); connect.CodeOf(err) != connect.CodeDeadlineExceeded {
			t.Errorf("CreateOrder = %v, want DeadlineExceeded", err)
		}
	})
}

// TestConnectBodiesAreBounded: a Connect body past MaxRequestBody is
// refused by the gateway's outer limit before Connect reads it; a gzipped
// one that is small on the wire is refused once it inflates past the same
// bound (connect.WithReadMaxBytes counts what decompression gives).
func TestConnectBodiesAreBounded(t *testing.T) {
	e := start(t)
	alice := "Bearer " + e.keys.Token(t, "alice", auth.ScopeWriteOrders)
	big := `{"items": [{"productId": "product-123", "quantity": 1}], "requestId": "` +
		strings.Repeat("x", 2*gateway.MaxRequestBody) + `"}`
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	_, _ = zw.Write([]byte(`{"items": [{"productId": "product-123", "quantity": 1}], "requestId": "` +
		strings.Repeat("x", 16*gateway.MaxRequestBody) + `"}`))
	_ = zw.Close()
	if bomb.Len() > gateway.MaxRequestBody/4 {
		t.Fatalf("the gzipped body is %d bytes: it must be far under the outer limit", bomb.Len())
	}
	tests := []struct {
		name     string
		body     io.Reader
		header   http.Header
		wantHTTP int
		wantCode string
		wantMsg  string // in the message: the gateway refused it, not a backend
	}{
		{"a large body that says its length is refused by the outer limit", strings.NewReader(big),
			http.Header{}, http.StatusRequestEntityTooLarge, "", ""},
		{"a large body that does not is refused as it passes the limit", io.MultiReader(strings.NewReader(big)),
			http.Header{"Transfer-Encoding": {"chunked"}}, http.StatusTooManyRequests, "resource_exhausted", ""},
		{"a small gzipped body that inflates past the limit is refused by the gateway",
			bytes.NewReader(bomb.Bytes()), http.Header{"Content-Encoding": {"gzip"}},
			http.StatusTooManyRequests, "resource_exhausted", fmt.Sprintf("configured max %d", gateway.MaxRequestBody)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.header.Set("Authorization", alice)
			got, code, msg := e.postMessage(t, createOrderPath, tt.body, tt.header)
			if got != tt.wantHTTP || code != tt.wantCode || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("CreateOrder = %d %q %q, want %d %q %q", got, code, msg, tt.wantHTTP, tt.wantCode, tt.wantMsg)
			}
		})
	}
	t.Run("a gzipped gRPC-Web message that inflates past the limit is refused", func(t *testing.T) {
		_, orders := e.clients(connect.WithGRPCWeb(), connect.WithSendGzip())
		req := as(strings.TrimPrefix(alice, "Bearer "), &ordersv1.CreateOrderRequest{Items: oneItem,
			RequestId: strings.Repeat("x", 2*gateway.MaxRequestBody)})
		_, err := orders.CreateOrder(t.Context(), req)
		if connect.CodeOf(err) != connect.CodeResourceExhausted ||
			!strings.Contains(err.Error(), fmt.Sprintf("configured max %d", gateway.MaxRequestBody)) {
			t.Errorf("CreateOrder = %v, want ResourceExhausted from the gateway's limit", err)
		}
	})
}

// TestConnectHeadersAreBounded: the Connect routes sit behind the gateway's
// header limit, like the REST routes.
func TestConnectHeadersAreBounded(t *testing.T) {
	e := start(t)
	header := http.Header{"X-Padding": {strings.Repeat("p", gateway.MaxRequestHeaderBytes)}}
	if got, _ := e.post(t, createOrderPath, strings.NewReader(`{}`), header); got != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("CreateOrder with %d bytes of headers = %d, want 431", gateway.MaxRequestHeaderBytes, got)
	}
}
