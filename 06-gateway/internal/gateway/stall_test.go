package gateway_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/learn-grpc/learn-grpc/06-gateway/internal/gateway"
)

// A reader that stops reading: a client that opens watches over raw HTTP/2
// and gives each a flow-control window of 0, so that the gateway's first
// write of each blocks.

// TestARESTWatchThatStopsReadingIsDropped: each write of a watch is bounded
// by the write timeout, 30 s, after which the stream is reset and its slot
// freed. A client filling its share of slots so gets them back.
func TestARESTWatchThatStopsReadingIsDropped(t *testing.T) {
	e := start(t)
	conn := e.dial(t, "h2")
	frames := stallWatches(t, conn, gateway.MaxRESTWatchersPerClient, "product-123")
	reset := map[uint32]bool{}
	waitForFrame(t, frames, "a reset of every stalled watch", func(f http2.Frame) bool {
		if rst, ok := f.(*http2.RSTStreamFrame); ok {
			reset[rst.StreamID] = true
		}
		return len(reset) == gateway.MaxRESTWatchersPerClient
	})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		code, line := firstLine(t, e.http, e.base+watchPath("product-123"))
		if code == http.StatusOK && strings.Contains(line, "product-123") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a watch after the drops = %d %s, want 200 and the product's level", code, line)
		}
	}
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

// stallWatches opens n watches of id on conn (streams 1, 3, 5...) after a
// preface that gives every stream a window of 0, and returns the frames
// the gateway sends, acknowledging its settings and pings meanwhile.
func stallWatches(t *testing.T, conn net.Conn, n int, id string) <-chan http2.Frame {
	t.Helper()
	fr := h2Conn(t, conn, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0})
	for i := range n {
		get(t, fr, uint32(2*i+1), "https", watchPath(id), true)
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
