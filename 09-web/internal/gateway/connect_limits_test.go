package gateway_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/gateway"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
	"github.com/learn-grpc/learn-grpc/09-web/internal/watchhub"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
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
			http.Header{}, http.StatusTooManyRequests, "resource_exhausted",
			fmt.Sprintf("request body larger than %d bytes", gateway.MaxRequestBody)},
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
// header limit, like the REST routes, and its refusal reaches every
// protocol's client as ResourceExhausted, not as an HTTP 431 it cannot read.
func TestConnectHeadersAreBounded(t *testing.T) {
	e := start(t)
	for _, p := range protocols {
		t.Run(p.name+" is refused with ResourceExhausted", func(t *testing.T) {
			catalog, _ := e.clients(p.opts...)
			req := as("", &catalogv1.GetProductRequest{Id: "product-123"})
			req.Header().Set("X-Padding", strings.Repeat("p", gateway.MaxRequestHeaderBytes))
			_, err := catalog.GetProduct(t.Context(), req)
			if connect.CodeOf(err) != connect.CodeResourceExhausted ||
				!strings.Contains(err.Error(), "request headers larger than") {
				t.Errorf("GetProduct with %d bytes of headers = %v, want ResourceExhausted from the gateway",
					gateway.MaxRequestHeaderBytes, err)
			}
		})
	}
}

// TestRefusalsSpeakTheCallersProtocol: a body the outer limit refuses, for
// saying its length, is answered as each protocol carries a status, so a
// browser's client reads the code and message rather than an HTTP 413.
func TestRefusalsSpeakTheCallersProtocol(t *testing.T) {
	e := start(t)
	big := make([]byte, 2*gateway.MaxRequestBody)
	want := fmt.Sprintf("request body larger than %d bytes", gateway.MaxRequestBody)
	tests := []struct {
		contentType string
		wantHTTP    int
		read        func(*http.Response, []byte) (code, msg string)
	}{
		{"application/json", http.StatusTooManyRequests, connectUnaryError},
		{"application/proto", http.StatusTooManyRequests, connectUnaryError},
		{"application/connect+json", http.StatusOK, connectEndStreamError},
		{"application/grpc-web+proto", http.StatusOK, grpcStatus},
		{"application/grpc", http.StatusOK, grpcStatus},
	}
	for _, tt := range tests {
		t.Run(tt.contentType+" gets its protocol's ResourceExhausted", func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST", e.base+createOrderPath, bytes.NewReader(big))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tt.contentType)
			resp, err := e.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			code, msg := tt.read(resp, body)
			if resp.StatusCode != tt.wantHTTP || code != "resource_exhausted" || msg != want {
				t.Errorf("got %d %q %q, want %d %q %q", resp.StatusCode, code, msg, tt.wantHTTP, "resource_exhausted", want)
			}
		})
	}
	t.Run("a REST call still gets the REST shape", func(t *testing.T) {
		got, _ := e.do(t, "POST", "/v1/orders", "", string(big))
		if got != http.StatusRequestEntityTooLarge {
			t.Errorf("POST /v1/orders with a large body = %d, want 413", got)
		}
	})
}

// TestRefusalsEchoNoContentType: a refusal names its protocol's own
// Content-Type, not the one the caller wrote, whatever its size.
func TestRefusalsEchoNoContentType(t *testing.T) {
	e := start(t)
	odd := "application/grpc-web+" + strings.Repeat("a", 8000)
	req, err := http.NewRequestWithContext(t.Context(), "POST", e.base+createOrderPath,
		bytes.NewReader(make([]byte, 2*gateway.MaxRequestBody)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", odd)
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Type"); got != "application/grpc-web" || resp.Header.Get("Grpc-Status") != "8" {
		t.Errorf("refusal: Content-Type of %d bytes, grpc-status %q; want application/grpc-web and 8",
			len(got), resp.Header.Get("Grpc-Status"))
	}
}

// connectErrorJSON is the error of a Connect answer, in JSON.
type connectErrorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func connectUnaryError(_ *http.Response, body []byte) (string, string) {
	var e connectErrorJSON
	_ = json.Unmarshal(body, &e)
	return e.Code, e.Message
}

// connectEndStreamError reads a Connect stream's end message: a flags byte
// of 2, a 4-byte length, then {"error": {...}}.
func connectEndStreamError(_ *http.Response, body []byte) (string, string) {
	if len(body) < 5 || body[0] != 2 {
		return "", fmt.Sprintf("not an end-of-stream message: % x", body[:min(len(body), 8)])
	}
	var end struct {
		Error connectErrorJSON `json:"error"`
	}
	_ = json.Unmarshal(body[5:], &end)
	return end.Error.Code, end.Error.Message
}

// grpcStatus reads a trailers-only gRPC or gRPC-Web answer's status.
func grpcStatus(resp *http.Response, _ []byte) (string, string) {
	get := func(k string) string {
		if v := resp.Header.Get(k); v != "" {
			return v
		}
		return resp.Trailer.Get(k)
	}
	code := get("Grpc-Status")
	if code == "8" {
		code = "resource_exhausted"
	}
	msg, _ := url.PathUnescape(get("Grpc-Message"))
	return code, msg
}

// TestGatewayCapsNestInsideTheBackends: the gateway's watch caps fit the
// caps of the one connection it holds to each backend, so the gateway, the
// outer layer, refuses first and names its own limit.
func TestGatewayCapsNestInsideTheBackends(t *testing.T) {
	hubStreams := watchhub.MaxProducts / catalog.MaxWatchedProducts
	if got := gateway.MaxRESTWatchers + hubStreams; got > catalog.MaxWatchersPerConn {
		t.Errorf("REST watches and the hub's streams = %d, more than a catalog connection's %d",
			got, catalog.MaxWatchersPerConn)
	}
	if gateway.MaxOrderWatchers > orders.MaxOrderWatchersPerConn {
		t.Errorf("the gateway's %d order watches are more than an orders connection's %d",
			gateway.MaxOrderWatchers, orders.MaxOrderWatchersPerConn)
	}
}
