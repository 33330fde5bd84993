package gateway_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/auth"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/gateway"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/testutil"
)

// TestBodiesBeyondTheLimitAreRefused sends order bodies past MaxRequestBody,
// with and without a Content-Length: each gets a 4xx, and nothing of them
// is parsed.
func TestBodiesBeyondTheLimitAreRefused(t *testing.T) {
	e := start(t)
	alice := e.keys.Token(t, "alice", auth.ScopeWriteOrders)
	big := `{"items": [{"productId": "product-123", "quantity": 1}], "requestId": "` +
		strings.Repeat("x", 2*gateway.MaxRequestBody) + `"}`
	tests := []struct {
		name    string
		body    io.Reader
		chunked bool
		want    int
	}{
		{name: "a small order is served", body: strings.NewReader(`{"items": [{"productId": "product-123", "quantity": 1}]}`), want: http.StatusOK},
		{name: "a large body that says its length is 413", body: strings.NewReader(big), want: http.StatusRequestEntityTooLarge},
		{name: "a large body that does not is 400", body: io.MultiReader(strings.NewReader(big)), chunked: true, want: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST", e.base+"/v1/orders", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.chunked {
				req.ContentLength = -1
			}
			req.Header.Set("Authorization", "Bearer "+alice)
			resp, err := e.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Fatalf("POST /v1/orders = %d %s, want %d", resp.StatusCode, body, tt.want)
			}
			if len(body) > 1024 {
				t.Errorf("the answer is %d bytes: it must not echo the body", len(body))
			}
		})
	}
}

// TestTheWatchSendsOneObjectALine reads the stream line by line, as a
// client of newline-delimited JSON does, and sees a quantity of 0 shown.
func TestTheWatchSendsOneObjectALine(t *testing.T) {
	e := start(t)
	if _, err := e.stock.Adjust(t.Context(), "product-456", -25); err != nil { // sold out
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/products:watch?productIds=product-456", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Result struct {
			Inventory map[string]any `json:"inventory"`
		} `json:"result"`
	}
	if err := json.Unmarshal(line, &msg); err != nil {
		t.Fatalf("first line %q is not one JSON object: %v", line, err)
	}
	if q, ok := msg.Result.Inventory["quantity"]; !ok || q != float64(0) {
		t.Errorf("first line %s: want quantity 0 shown, not left out", line)
	}
}

func TestRESTIsServedOverHTTP2(t *testing.T) {
	e := start(t)
	resp, err := e.http.Get(e.base + "/v1/products/product-123")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol = %s, want HTTP/2", resp.Proto)
	}
}

// TestASlowClientIsCutOff sends half a request and then nothing, as a
// slowloris client does: the server must close the connection.
func TestASlowClientIsCutOff(t *testing.T) {
	e := start(t)
	conn := e.sendHTTP1(t, "GET /v1/products/product-123 HTTP/1.1\r\nHost: x\r\n")
	// The bound only turns a hang into a failure; it asserts no speed.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Fatalf("the connection was still open 30s later (%v); ReadHeaderTimeout is %s", err, gateway.ReadHeaderTimeout)
	}
}

// TestAWatchWithABodyIsRefused: a watch is its URL. A body it says it sends
// and never does would be read, before the watch's first write, with no
// read deadline left (a stream lifts them), and hold the watch for good.
func TestAWatchWithABodyIsRefused(t *testing.T) {
	e := start(t)
	conn := e.sendHTTP1(t, "GET /v1/products:watch?productIds=product-123 HTTP/1.1\r\nHost: x\r\n"+
		"Content-Length: 10\r\n\r\n")
	// The bound only turns a hang into a failure; it asserts no speed.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a watch whose body never comes: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "no request body") {
		t.Errorf("a watch with a body = %s %s, want 400, takes no request body", resp.Status, body)
	}
}

// TestAWatchWhoseRequestNeverEndsIsRefused: an HTTP/2 watch whose request
// says it has no body but never ends would otherwise wait for that body
// with no deadline left. A client's whole share of such watches is refused
// once the read timeout passes, and the share is free again.
func TestAWatchWhoseRequestNeverEndsIsRefused(t *testing.T) {
	e := start(t)
	conn := e.dial(t, "h2")
	fr := h2Conn(t, conn)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	for i := range gateway.MaxRESTWatchersPerClient {
		get(t, fr, uint32(2*i+1), "https", "/v1/products:watch?productIds=product-123", false,
			[2]string{"content-length", "0"})
	}
	// The bound only turns a hang into a failure; it asserts no speed.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	answers := map[uint32]string{}
	for len(answers) < gateway.MaxRESTWatchersPerClient {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("answers to watches that never end: %v (got %v)", err, answers)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				_ = fr.WriteSettingsAck()
			}
		case *http2.MetaHeadersFrame:
			answers[f.StreamID] = f.PseudoValue("status")
		}
	}
	for id, status := range answers {
		if status != "400" {
			t.Errorf("stream %d = %s, want 400", id, status)
		}
	}
	resp, err := e.http.Get(e.base + "/v1/products:watch?productIds=product-123")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a watch after them = %s, want 200", resp.Status)
	}
}

// dial opens a TLS connection to the gateway that offers proto alone
// ("h2", "http/1.1"), closed when the test ends.
func (e *env) dial(t *testing.T, proto string) *tls.Conn {
	t.Helper()
	conn, err := tls.Dial("tcp", strings.TrimPrefix(e.base, "https://"),
		&tls.Config{RootCAs: e.pool, NextProtos: []string{proto}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// sendHTTP1 writes raw onto a new HTTP/1.1 connection to the gateway.
func (e *env) sendHTTP1(t *testing.T, raw string) *tls.Conn {
	t.Helper()
	conn := e.dial(t, "http/1.1")
	if _, err := conn.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestTheClientAddressReachesTheGRPCLog: a REST call's gRPC log line names
// the HTTP client, not only the gateway.
func TestTheClientAddressReachesTheGRPCLog(t *testing.T) {
	e := start(t)
	if status, _ := e.do(t, "GET", "/v1/products/product-123", "", ""); status != http.StatusOK {
		t.Fatalf("GET = %d", status)
	}
	testutil.WaitFor(t, "the call's log line", func() bool {
		return strings.Contains(e.logs.String(), "method=/ecommerce.catalog.v1.ProductCatalogService/GetProduct")
	})
	if !strings.Contains(e.logs.String(), "forwarded_for=127.0.0.1") {
		t.Errorf("log does not name the HTTP client:\n%s", e.logs.String())
	}
}

// TestRESTWatchesAreSharedOutByClient opens watches over REST from one
// client address until its share: the next is 429 with a QuotaFailure, at
// once.
func TestRESTWatchesAreSharedOutByClient(t *testing.T) {
	e := start(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	open := func() *http.Response {
		req, err := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/products:watch?productIds=product-123", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := e.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for i := range gateway.MaxRESTWatchersPerClient {
		if resp := open(); resp.StatusCode != http.StatusOK {
			t.Fatalf("watch %d = %s, want 200", i, resp.Status)
		}
	}
	resp := open()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), "google.rpc.QuotaFailure") {
		t.Fatalf("one watch too many = %s %s, want 429 with a QuotaFailure", resp.Status, body)
	}
	// The share is a client address's, whatever connections it opens.
	for _, want := range []string{"a client address may hold at most 4 watch streams", `"watchers per client address"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the refusal does not say %s, the limit that refused:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), "connection") {
		t.Errorf("the refusal names a connection, which is not what the gateway counts:\n%s", body)
	}
}
