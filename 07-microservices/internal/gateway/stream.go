package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/catalog"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/rpcerr"
)

// A stream is an answer meant to stay open: the REST watch. The server's
// write timeout counts from the request's start, so it would cut a stream;
// each of a stream's writes is bounded instead.

// StopWriteTimeout bounds a stream's writes once the gateway begins to stop:
// its last message and its end, which a client that stopped reading (a
// flow-control window of 0) would otherwise hold for the whole grace period.
const StopWriteTimeout = time.Second

// streaming serves the watch route: it takes one of the REST watch slots
// (see clientShare), then serves the watch as a stream (see openStream),
// each write bounded.
func streaming(stopping context.Context, gw *runtime.ServeMux, slots *catalog.WatchLimit) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !bodyless(r) {
			refuse(w, http.StatusBadRequest, codes.InvalidArgument, "a watch takes no request body")
			return
		}
		release, err := slots.Acquire(clientShare(r.RemoteAddr))
		if err != nil {
			runtime.DefaultHTTPErrorHandler(r.Context(), gw, &stableJSON{JSONPb: defaultJSON, indent: true}, w, r, err)
			return
		}
		defer release()
		ctx, done := openStream(withController(r.Context(), w), stopping)
		defer done()
		gw.ServeHTTP(timedWriter{ResponseWriter: w, ctx: ctx}, r.WithContext(ctx))
	})
}

// bodyless reports whether r's body is empty, reading it to its end while
// the read timeout still bounds that: what a watch left unread would be
// read later, by grpc-gateway or net/http, with no deadline left.
func bodyless(r *http.Request) bool {
	if r.ContentLength > 0 {
		return false
	}
	n, err := io.CopyN(io.Discard, r.Body, 1)
	return n == 0 && errors.Is(err, io.EOF)
}

// clientShare is the share of a per-client cap that a request from remote
// counts against: its IPv4 address, or the /64 network of its IPv6 one. A
// host is given a whole /64, and could take a fresh address for each call.
func clientShare(remote string) string {
	host := clientAddress(remote)
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if ip = ip.Unmap(); ip.Is4() {
		return ip.String()
	}
	network, _ := ip.Prefix(64) // an IPv6 address always has 64 bits to keep
	return network.String()
}

// clientAddress is the host of a request's remote address.
func clientAddress(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}

type controllerKey struct{}

// withController gives ctx the response controller of w, through which a
// stream sets its connection's deadlines.
func withController(ctx context.Context, w http.ResponseWriter) context.Context {
	return context.WithValue(ctx, controllerKey{}, http.NewResponseController(w))
}

var noDeadline time.Time

// setWriteDeadline sets the write deadline of a stream's connection.
func setWriteDeadline(ctx context.Context, d time.Time) {
	if rc, ok := ctx.Value(controllerKey{}).(*http.ResponseController); ok {
		_ = rc.SetWriteDeadline(d) // ErrNotSupported only, for a writer that has no connection
	}
}

// openStream readies a stream. It lifts the server's timeouts, which would
// cut it; a watch's request has been read to its end by then (see
// bodyless), so a slow sender is still bounded. Each write is bounded
// instead (see timedWrite). The stream ends when the gateway begins to
// stop, so that no stream holds the shutdown open. done bounds the write
// of the stream's end, which the server makes after the handler returns.
func openStream(ctx, stopping context.Context) (_ context.Context, done func()) {
	if rc, ok := ctx.Value(controllerKey{}).(*http.ResponseController); ok {
		_ = rc.SetReadDeadline(noDeadline)
	}
	setWriteDeadline(ctx, noDeadline)
	ctx, cancel := context.WithCancelCause(ctx)
	fired := make(chan struct{})
	stop := context.AfterFunc(stopping, func() {
		defer close(fired)
		cancel(errStopping)
		setWriteDeadline(ctx, time.Now().Add(StopWriteTimeout)) // a write blocked on flow control
	})
	return ctx, func() {
		if !stop() {
			<-fired // it uses the response writer, which is the handler's only until it returns
		}
		cancel(nil)
		end := WriteTimeout
		if stopping.Err() != nil {
			end = StopWriteTimeout
		}
		setWriteDeadline(ctx, time.Now().Add(end))
	}
}

// timedWrite makes one write of a stream, bounded by WriteTimeout as an
// answer's is: a reader that takes nothing in that time is dropped. Between
// writes the stream may idle as long as it likes. Once ctx has ended (the
// gateway stopping, say), StopWriteTimeout bounds the write.
func timedWrite(ctx context.Context, write func() error) error {
	setWriteDeadline(ctx, time.Now().Add(WriteTimeout))
	if ctx.Err() != nil { // checked after: openStream's stop may have just set its own
		setWriteDeadline(ctx, time.Now().Add(StopWriteTimeout))
	}
	err := write()
	if ctx.Err() == nil { // a stop just after may be lifted here; done bounds the end again
		setWriteDeadline(ctx, noDeadline)
	}
	return err
}

// timedWriter is a stream's response writer, each write and flush of which
// is a timedWrite: grpc-gateway writes the REST watch through it.
type timedWriter struct {
	http.ResponseWriter
	ctx context.Context
}

func (w timedWriter) Write(p []byte) (n int, err error) {
	err = timedWrite(w.ctx, func() error {
		n, err = w.ResponseWriter.Write(p)
		return err
	})
	return n, err
}

// FlushError is what http.ResponseController's Flush calls.
func (w timedWriter) FlushError() error {
	return timedWrite(w.ctx, http.NewResponseController(w.ResponseWriter).Flush)
}

func (w timedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// errStopping is the cause of a stream ended by the gateway's shutdown.
var errStopping = errors.New("gateway stopping")

// streamError is the last line of a REST stream that failed. A watch the
// shutdown ended says so as the services do, with when to come back.
func streamError(ctx context.Context, err error) *status.Status {
	if context.Cause(ctx) == errStopping {
		return status.Convert(rpcerr.ShuttingDown())
	}
	return status.Convert(err)
}
