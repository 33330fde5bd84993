package auth

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The access log: a line per call, with the status its caller received.

func (in *Interceptors) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo,
	handler grpc.UnaryHandler) (resp any, err error) {
	// Deferred, so that a handler that panics is logged too.
	start, returned := time.Now(), false
	defer func() { in.logCall(ctx, info.FullMethod, start, received(ctx, err, returned)) }()
	resp, err = handler(ctx, req)
	returned = true
	return resp, err
}

func (in *Interceptors) logStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo,
	handler grpc.StreamHandler) (err error) {
	start, returned := time.Now(), false
	defer func() { in.logCall(ss.Context(), info.FullMethod, start, received(ss.Context(), err, returned)) }()
	err = handler(srv, ss)
	returned = true
	return err
}

// LogRefused writes the access line of a call that the server refused
// before any interceptor ran, as its header-size tap does. The method is
// the caller's text, not a registered name: it is bounded like a reason,
// and logged at INFO whatever it says, so that no path hides the refusal.
func (in *Interceptors) LogRefused(ctx context.Context, method string, err error) {
	in.accessLine(ctx, slog.LevelInfo, truncate(method, maxReason), time.Now(), status.Code(err))
}

func (in *Interceptors) logCall(ctx context.Context, method string, start time.Time, code codes.Code) {
	// Health checks and reflection are probes and tools, not traffic: at
	// INFO they would bury the calls worth reading, as they would the traces.
	level := slog.LevelInfo
	if quiet(method) {
		level = slog.LevelDebug
	}
	in.accessLine(ctx, level, method, start, code)
}

// accessLine writes a call's line at level.
func (in *Interceptors) accessLine(ctx context.Context, level slog.Level, method string, start time.Time,
	code codes.Code) {
	h := in.Log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	// A record built by hand (pc 0) spares slog a runtime.Callers on every
	// call, for a source position this handler never prints: the benchmark
	// in bench/ found it among the chain's larger costs.
	now := time.Now()
	r := slog.NewRecord(now, level, "rpc", 0)
	r.AddAttrs(
		slog.String("method", method),
		slog.String("code", code.String()),
		slog.Duration("duration", now.Sub(start)),
		slog.String("caller", callerAddr(ctx)))
	// A REST call reaches us from the gateway, so its peer is the gateway;
	// grpc-gateway names the HTTP client in x-forwarded-for. Any gRPC client
	// can send that header too, so it is logged beside the peer, never
	// instead of it.
	if fwd := metadata.ValueFromIncomingContext(ctx, "x-forwarded-for"); len(fwd) > 0 {
		// The gateway appends the address it saw; what comes before it is
		// the client's to write.
		last := fwd[len(fwd)-1]
		last = last[strings.LastIndexByte(last, ',')+1:] // not Split: a refused call's header may be 256 KiB
		r.AddAttrs(slog.String("forwarded_for", truncate(strings.TrimSpace(last), 64)))
	}
	_ = h.Handle(ctx, r)
}

// quiet reports whether method is health's or reflection's.
func quiet(method string) bool {
	return strings.HasPrefix(method, "/grpc.health.") || strings.HasPrefix(method, "/grpc.reflection.")
}

// received is the status the caller of a call whose handler returned err
// gets: what grpc-go sends, and what its metrics count. A handler that did
// not return panicked, and recovery, outside logging, answers Internal. (Or
// it called runtime.Goexit: then the line says Internal, but the caller gets
// no answer at all, a bug no interceptor can mend.)
func received(ctx context.Context, err error, returned bool) codes.Code {
	if !returned {
		return codes.Internal
	}
	if err != nil {
		if code := status.Code(err); code != codes.Unknown {
			return code
		}
		return status.FromContextError(err).Code() // as grpc-go sends a bare context error
	}
	// A handler may succeed for a caller that is gone: grpc-go sends a unary
	// answer after the interceptors return, and that send fails.
	switch ctx.Err() {
	case nil:
		return codes.OK
	case context.DeadlineExceeded:
		return codes.DeadlineExceeded
	}
	// Cancelled: the caller reset the call, or its connection closed. Sending
	// the headers fails as the answer's send will, and tells the two apart.
	if status.Code(grpc.SendHeader(ctx, nil)) == codes.Unavailable {
		return codes.Unavailable
	}
	return codes.Canceled
}
