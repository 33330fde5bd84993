package gateway

import (
	"context"
	"log"
	"log/slog"
	"strings"
)

// serverLog is net/http's error log, as slog records. Most of what net/http
// reports there is worth a warning: a TLS handshake that failed is a client
// that tried and could not connect (an old TLS version, a CA it does not
// trust, plain HTTP to the HTTPS port), which whoever runs it may need to fix.
// One is not: a connection that closes before it sends a byte, which is what
// a load balancer's or Kubernetes' TCP check does, every few seconds. That
// is logged at debug level, so that it is still there to see when asked for.
func serverLog(l *slog.Logger) *log.Logger {
	return log.New(serverLogWriter{l}, "", 0)
}

type serverLogWriter struct{ log *slog.Logger }

func (w serverLogWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSuffix(string(p), "\n")
	level := slog.LevelWarn
	if isTCPCheck(msg) {
		level = slog.LevelDebug
	}
	w.log.Log(context.Background(), level, msg)
	return len(p), nil
}

// isTCPCheck reports whether msg is net/http's line for a TLS handshake that
// found the connection closed before the client's first message: "http: TLS
// handshake error from ADDR: EOF", or "...: connection reset by peer" from a
// checker that closes with a reset.
func isTCPCheck(msg string) bool {
	return strings.HasPrefix(msg, "http: TLS handshake error from ") &&
		(strings.HasSuffix(msg, ": EOF") || strings.HasSuffix(msg, ": connection reset by peer"))
}
