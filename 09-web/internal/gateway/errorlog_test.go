package gateway

import (
	"bufio"
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"
)

// TestATCPCheckIsNotAWarning connects as a load balancer's TCP check does,
// and closes without a word: that is logged at debug level, while a client
// that speaks plain HTTP to the HTTPS port is still a warning.
func TestATCPCheckIsNotAWarning(t *testing.T) {
	pki := t.TempDir()
	if err := devpki.Generate(pki, time.Now()); err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(pki, devpki.Cert("gateway")),
		filepath.Join(pki, devpki.Key("gateway")))
	if err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lis := &countingListener{Listener: inner}
	logs := &testutil.LockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
		served <- Serve(ctx, lis, http.NotFoundHandler(), tlsConfig, 5*time.Second, log)
	}()

	check, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	check.Close()
	plain, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(plain).ReadString('\n'); !strings.HasPrefix(line, "HTTP/1.0 400") {
		t.Fatalf("plain HTTP to the HTTPS port got %q, want a 400", line)
	}
	// A third Accept means the server took both connections in hand; its
	// shutdown then waits for both to end, and their log lines to be written.
	testutil.WaitFor(t, "both connections to be accepted", func() bool { return lis.accepts.Load() >= 3 })
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}

	var checks, plains []string
	for line := range strings.Lines(logs.String()) {
		switch {
		case strings.Contains(line, "TLS handshake error") && strings.Contains(line, ": EOF"):
			checks = append(checks, line)
		case strings.Contains(line, "client sent an HTTP request to an HTTPS server"):
			plains = append(plains, line)
		}
	}
	if len(checks) != 1 || !strings.Contains(checks[0], "level=DEBUG") {
		t.Errorf("the TCP check was logged as %q, want once, at debug level", checks)
	}
	if len(plains) != 1 || !strings.Contains(plains[0], "level=WARN") {
		t.Errorf("plain HTTP was logged as %q, want once, as a warning", plains)
	}
}

// countingListener counts the calls to Accept.
type countingListener struct {
	net.Listener
	accepts atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	l.accepts.Add(1)
	return l.Listener.Accept()
}
