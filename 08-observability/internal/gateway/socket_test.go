package gateway_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/gateway"
)

// TestAClientThatReadsNoBytesFreesItsHandlers: HTTP/2 streams share one
// writer, so a client that stops reading its socket blocks it, and with it
// every stream of its connection: a stream's write deadline only resets
// the stream, with a frame that writer must send. The server's
// WriteByteTimeout closes a connection that takes no byte for that long,
// so the handler is freed. (Plaintext HTTP/2 here: the server's HTTP/2
// settings are the same with TLS.)
func TestAClientThatReadsNoBytesFreesItsHandlers(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freed := make(chan error, 1)
	endless := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		chunk := make([]byte, 64<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				freed <- err
				return
			}
		}
	})
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- gateway.Serve(ctx, lis, endless, nil, time.Second, slog.New(slog.DiscardHandler)) }()
	defer func() { stop(); <-served }()

	conn, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Windows far larger than any socket buffer, so that only the socket stops the writes.
	fr := h2Conn(t, conn, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 30})
	if err := fr.WriteWindowUpdate(0, 1<<30); err != nil {
		t.Fatal(err)
	}
	get(t, fr, 1, "http", "/", true)
	// From here on the client reads nothing.
	select {
	case <-freed:
	case <-time.After(time.Minute): // a hang guard: it asserts no speed
		t.Fatal("a handler writing to a client that reads nothing is still blocked after a minute")
	}
}
