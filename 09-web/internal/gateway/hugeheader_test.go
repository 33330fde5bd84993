package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// hugeHeader is far past every limit on the way: the gateway's, net/http's
// bound on a connection, and a backend's.
const hugeHeader = 300 << 10

// TestAHugeHeaderNeverReachesTheBackend sends a 300 KiB Authorization
// header over HTTP/1.1 and over HTTP/2 (a raw client, since Go's refuses to
// send it) while another client holds a REST watch open. The sender is
// refused, never with a 500; the backend never sees the call; the watch,
// and the gateway's connection to the backend that carries it, go on.
func TestAHugeHeaderNeverReachesTheBackend(t *testing.T) {
	e := start(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/products:watch?productIds=product-123", nil)
	if err != nil {
		t.Fatal(err)
	}
	watch, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Body.Close()
	lines := bufio.NewScanner(watch.Body)
	if !lines.Scan() {
		t.Fatalf("the watch sent nothing: %v", lines.Err())
	}

	t.Run("over HTTP/1.1 the sender is refused", func(t *testing.T) {
		req, err := http.NewRequestWithContext(t.Context(), "GET", e.base+"/v1/products/product-123", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+strings.Repeat("t", hugeHeader))
		// net/http answers 431 and hangs up while the client may still be
		// sending; the client sees the answer, or the connection closed.
		if resp, err := e.client(t, "HTTP/1.1").Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("status = %s, want 431", resp.Status)
			}
		}
	})
	t.Run("over HTTP/2 the sender's connection alone ends", func(t *testing.T) {
		if status := sendRawHTTP2(t, e); status != "" {
			t.Errorf("answered %s; want the sender's connection closed: its header is past the connection's bound",
				status)
		}
	})

	if _, err := e.stock.Adjust(t.Context(), "product-123", -1); err != nil {
		t.Fatal(err)
	}
	if !lines.Scan() {
		t.Fatalf("the open watch ended: %v", lines.Err())
	}
	var update struct {
		Result struct {
			Inventory struct{ Quantity int } `json:"inventory"`
		} `json:"result"`
	}
	if err := json.Unmarshal(lines.Bytes(), &update); err != nil || update.Result.Inventory.Quantity != 99 {
		t.Errorf("the watch's next line = %s (%v), want product-123 at 99", lines.Bytes(), err)
	}
	if strings.Contains(e.logs.String(), "GetProduct") {
		t.Errorf("a call with a huge header reached the backend:\n%s", e.logs.String())
	}
}

// sendRawHTTP2 sends GET /v1/products/product-123 with a hugeHeader
// Authorization on a connection of its own, as a client that ignores the
// server's advertised limit would, and returns the :status of any answer
// ("" when the server closes the connection instead).
func sendRawHTTP2(t *testing.T, e *env) string {
	t.Helper()
	addr := strings.TrimPrefix(e.base, "https://")
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: e.pool, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The bound only turns a hang into a failure; it asserts no speed.
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "localhost"},
		{":path", "/v1/products/product-123"}, {"authorization", "Bearer " + strings.Repeat("t", hugeHeader)}} {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr := http2.NewFramer(conn, conn)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	go func() { // the server may hang up before it has read it all
		if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
			return
		}
		_ = fr.WriteSettings()
		b := block.Bytes()
		const frame = 16 << 10
		first := http2.HeadersFrameParam{StreamID: 1, BlockFragment: b[:frame], EndStream: true}
		if err := fr.WriteHeaders(first); err != nil {
			return
		}
		for b = b[frame:]; len(b) > 0; b = b[min(frame, len(b)):] {
			if err := fr.WriteContinuation(1, len(b) <= frame, b[:min(frame, len(b))]); err != nil {
				return
			}
		}
	}()
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return "" // the connection closed
		}
		switch f := f.(type) {
		case *http2.GoAwayFrame:
			return ""
		case *http2.MetaHeadersFrame:
			return f.PseudoValue("status")
		}
	}
}
