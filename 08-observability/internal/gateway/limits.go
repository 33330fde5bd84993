package gateway

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"google.golang.org/grpc/codes"
)

// The bounds on what one REST client can hold. net/http's defaults trust
// the client: no timeouts at all, 1 MB of headers, bodies of any size.
const (
	// MaxRequestBody fits the largest JSON request the API accepts (an order
	// of 100 items is about 6 KB) with room to spare, and matches the gRPC
	// side's 64 KiB message limit.
	MaxRequestBody = 64 << 10
	// MaxHeaderBytes bounds what net/http parses of a request's headers at
	// all, on a connection, before any handler runs. It is larger than the
	// public MaxRequestHeaderBytes, so that a request between the two gets
	// limitHeaders' clean 431 rather than net/http's: over HTTP/1.1 a bare
	// text 431, and over HTTP/2 a dropped connection when one header string
	// alone passes it (Go's HPACK decoder caps a string at this bound, and
	// more is an error of the whole connection, with its other streams).
	MaxHeaderBytes = 64 << 10
	// ReadHeaderTimeout and ReadTimeout bound a client that sends its
	// request slowly, a byte at a time (slowloris).
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	// WriteTimeout bounds a client that reads its answer slowly. A stream,
	// meant to stay open, gets it for each write instead (see stream.go).
	// An HTTP/2 connection that takes no byte for as long is closed too
	// (WriteByteTimeout): its streams share one frame writer, so a client
	// that stops reading its socket would otherwise hold every stream on
	// it, since a stream's own deadline resets it with a frame.
	WriteTimeout = 30 * time.Second
	// IdleTimeout closes a kept-alive connection that carries nothing.
	IdleTimeout = 2 * time.Minute
	// DefaultTimeout is the deadline of a REST call that sets none (with a
	// Grpc-Timeout header): without one, a stuck backend would hold the
	// request, and the gRPC call behind it, forever.
	DefaultTimeout = 10 * time.Second
)

func newHTTPServer(h http.Handler, tlsConfig *tls.Config, log *slog.Logger) *http.Server {
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         tlsConfig,
		MaxHeaderBytes:    MaxHeaderBytes,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          serverLog(log),
		Protocols:         new(http.Protocols),
		HTTP2:             &http.HTTP2Config{WriteByteTimeout: WriteTimeout},
	}
	// HTTP/2 next to HTTP/1.1: negotiated by TLS (ALPN), or, on the
	// plaintext loopback mode, spoken directly by clients that know to
	// (h2c with prior knowledge).
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(true)
	srv.Protocols.SetUnencryptedHTTP2(tlsConfig == nil)
	return srv
}

// drainLimit is how much of a refused body is read, and dropped, before
// the answer.
const drainLimit = 1 << 20

// limitBody refuses a body larger than limit before anything parses it:
// at once, from its Content-Length, or, for a body that does not say its
// length, as soon as reading passes the limit.
func limitBody(h http.Handler, limit int64) http.Handler {
	limited := http.MaxBytesHandler(h, limit)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			// Reading (and dropping) a little of what was sent lets a client
			// that is still sending read the answer instead of a reset
			// connection; beyond drainLimit, the connection is cut.
			_, _ = io.CopyN(io.Discard, r.Body, drainLimit)
			refuse(w, http.StatusRequestEntityTooLarge, codes.ResourceExhausted, fmt.Sprintf("request body larger than %d bytes", limit))
			return
		}
		limited.ServeHTTP(w, r)
	})
}

// refuse answers a request the gateway turns away itself with the shape of
// its other errors: ResourceExhausted for a body or headers over a limit,
// as the gRPC side answers; InvalidArgument for a header it cannot read.
func refuse(w http.ResponseWriter, httpStatus int, code codes.Code, msg string) {
	quoted, _ := json.Marshal(msg) // a string always marshals
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus)
	fmt.Fprintf(w, "{\n  \"code\": %d,\n  \"message\": %s\n}", code, quoted)
}

// grpcTimeoutRE is a Grpc-Timeout value gRPC accepts: up to 8 digits and
// a unit, hours to nanoseconds.
var grpcTimeoutRE = regexp.MustCompile(`^[0-9]{1,8}[HMSmun]$`)

// withDeadline gives a request that names no deadline DefaultTimeout.
// grpc-gateway turns the context's deadline into the gRPC call's, which
// the handlers then see. A Grpc-Timeout it cannot read is refused here, in
// words that do not repeat it: grpc-gateway's own error would.
func withDeadline(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t := r.Header.Get("Grpc-Timeout"); t != "" {
			if !grpcTimeoutRE.MatchString(t) {
				refuse(w, http.StatusBadRequest, codes.InvalidArgument,
					"invalid Grpc-Timeout header: want up to 8 digits and a unit, one of H M S m u n")
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), DefaultTimeout)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Every REST watch is a gRPC watch on the gateway's connection to a catalog
// replica, so REST watches count against that connection's cap of 32
// watchers, and hold its streams (100 at most) from the unary calls. The
// gateway shares them out by client address: 4 watches each, 32 in all.
const (
	MaxRESTWatchers          = 32
	MaxRESTWatchersPerClient = 4
)
