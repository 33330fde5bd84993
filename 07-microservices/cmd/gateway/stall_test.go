package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/devpki"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/gateway"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/testutil"
)

// A reader that stops reading: a client that opens streams over raw HTTP/2
// and gives each a flow-control window of 0, so that the gateway's first
// write of each blocks.

// TestARESTWatchThatStopsReadingHoldsNeitherItsStreamNorTheStop stops a
// gateway whose grace period is an hour while such a watch is open: Stop
// must return all the same, well before the 30 s write bound would end it.
func TestARESTWatchThatStopsReadingHoldsNeitherItsStreamNorTheStop(t *testing.T) {
	_, _, pki, gw := edge(t, 0, "-shutdown-timeout=1h")
	conn := dialHTTP2(t, pki, gw.Addr)
	frames := stall(t, conn, restWatch("product-123"))
	waitForFrame(t, frames, "the watch's headers", isHeaders)
	stopsSoon(t, gw, conn)
}

// TestARESTWatchThatStopsReadingIsDropped: each write of a watch is bounded
// by the write timeout, 30 s, after which the stream is reset and its slot
// freed. A client filling its share of slots so gets them back.
func TestARESTWatchThatStopsReadingIsDropped(t *testing.T) {
	t.Parallel()
	base, client, pki, gw := edge(t, 0)
	conn := dialHTTP2(t, pki, gw.Addr)
	var watches []stalledRequest
	for range gateway.MaxRESTWatchersPerClient {
		watches = append(watches, restWatch("product-123"))
	}
	frames := stall(t, conn, watches...)
	reset := map[uint32]bool{}
	waitForFrame(t, frames, "a reset of every stalled watch", func(f http2.Frame) bool {
		if rst, ok := f.(*http2.RSTStreamFrame); ok {
			reset[rst.StreamID] = true
		}
		return len(reset) == len(watches)
	})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		code, line := firstLine(t, client, base+watchPath("product-123"))
		if code == http.StatusOK && strings.Contains(line, "product-123") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a watch after the drops = %d %s, want 200 and the product's level", code, line)
		}
	}
}

// restWatch is a REST watch request for id.
func restWatch(id string) stalledRequest {
	return stalledRequest{fields: [][2]string{{":method", "GET"}, {":scheme", "https"}, {":path", watchPath(id)}}}
}

func watchPath(id string) string { return "/v1/products:watch?productIds=" + id }

// firstLine GETs url and returns the status and the first line of its body.
func firstLine(t *testing.T, client *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	return resp.StatusCode, line
}

// stopsSoon stops gw, and fails if that takes 20 s: longer than any bound a
// stopping gateway puts on a stream, far shorter than the grace period.
func stopsSoon(t *testing.T, gw *testutil.Running, conn net.Conn) {
	t.Helper()
	stopped := make(chan error, 1)
	go func() { stopped <- gw.Stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Error("Stop still waits for a stream whose reader takes nothing")
		conn.Close() // which ends the stream, and lets Stop end this test
		<-stopped
	}
}

// dialHTTP2 opens a TLS connection to addr that offers HTTP/2 alone.
func dialHTTP2(t *testing.T, pki *testutil.PKI, addr string) net.Conn {
	t.Helper()
	pem, err := os.ReadFile(pki.Path(devpki.CACert))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// stalledRequest is one request of stall: its header fields other than
// :authority, and its body, if any.
type stalledRequest struct {
	fields [][2]string
	body   []byte
}

// stall opens a stream on conn for each request (streams 1, 3, 5...) after
// a preface that gives every stream a window of 0, and returns the frames
// the gateway sends, acknowledging its settings and pings meanwhile.
func stall(t *testing.T, conn net.Conn, requests ...stalledRequest) <-chan http2.Frame {
	t.Helper()
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0}); err != nil {
		t.Fatal(err)
	}
	for i, req := range requests {
		var block bytes.Buffer
		enc := hpack.NewEncoder(&block)
		_ = enc.WriteField(hpack.HeaderField{Name: ":authority", Value: conn.RemoteAddr().String()})
		for _, f := range req.fields {
			_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
		id := uint32(2*i + 1)
		headers := http2.HeadersFrameParam{StreamID: id, BlockFragment: block.Bytes(), EndHeaders: true,
			EndStream: req.body == nil}
		if err := fr.WriteHeaders(headers); err != nil {
			t.Fatal(err)
		}
		if req.body != nil {
			if err := fr.WriteData(id, true, req.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	frames := make(chan http2.Frame, 64)
	go func() {
		defer close(frames)
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			switch f := f.(type) {
			case *http2.SettingsFrame:
				if !f.IsAck() {
					_ = fr.WriteSettingsAck()
				}
			case *http2.PingFrame:
				if !f.IsAck() {
					_ = fr.WritePing(true, f.Data)
				}
			case *http2.HeadersFrame, *http2.RSTStreamFrame, *http2.GoAwayFrame:
				select {
				case frames <- f:
				default:
				}
			}
		}
	}()
	return frames
}

func isHeaders(f http2.Frame) bool {
	_, ok := f.(*http2.HeadersFrame)
	return ok
}

func isReset(stream uint32) func(http2.Frame) bool {
	return func(f http2.Frame) bool {
		rst, ok := f.(*http2.RSTStreamFrame)
		return ok && rst.StreamID == stream
	}
}

// waitForFrame reads frames until one is what is wanted.
func waitForFrame(t *testing.T, frames <-chan http2.Frame, what string, want func(http2.Frame) bool) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatalf("the connection ended before %s", what)
			}
			if want(f) {
				return
			}
		case <-timeout:
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}
