package auth

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The two answers an unauthenticated caller can get. A missing token may
// say so; every other failure gets the same words, so that a caller probing
// with forged tokens learns nothing about which check stopped it.
var (
	errNoToken      = status.Error(codes.Unauthenticated, "request does not contain an auth token")
	errInvalidToken = status.Error(codes.Unauthenticated, "invalid auth token")
	errDenied       = status.Error(codes.PermissionDenied, "permission denied")
	errInternal     = status.Error(codes.Internal, "internal error")
)

// Interceptors builds the server's middleware. Every check is written once,
// as a function of (ctx, method), and wrapped for unary and stream calls
// alike, so no call can slip past on the kind of RPC it is.
type Interceptors struct {
	Verifier *Verifier
	Policy   map[string]Rule
	Log      *slog.Logger
}

// ServerOptions returns the chains, outermost first: recovery, logging,
// authentication, authorization. Recovery is outermost so that a panic
// anywhere below, middleware included, becomes a status; logging comes
// before auth so that refused calls are logged too.
func (in *Interceptors) ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(in.recoverUnary, in.logUnary, in.checkUnary),
		grpc.ChainStreamInterceptor(in.recoverStream, in.logStream, in.checkStream),
	}
}

// authorize authenticates the caller from ctx's metadata and applies the
// method's rule, returning ctx with the caller's identity.
func (in *Interceptors) authorize(ctx context.Context, method string) (context.Context, error) {
	rule, listed := in.Policy[method]
	if !listed {
		in.Log.Warn("refused a method missing from the auth policy", "method", method)
		return nil, errDenied
	}
	// Health and reflection never read a token: see Rule.Infrastructure.
	if rule.Infrastructure {
		return ctx, nil
	}
	token, err := bearerToken(ctx)
	if rule.Public && errors.Is(err, errNoToken) {
		return ctx, nil
	}
	// A token sent to a public method is checked all the same: a caller
	// must not believe a broken token works because a public call went
	// through, and a handler may use the identity when there is one.
	if err != nil {
		return nil, err
	}
	id, err := in.Verifier.verify(token)
	if err != nil {
		// The reason stays here, in the server's log.
		in.Log.Warn("rejected a token", "method", method, "reason", truncate(err.Error(), maxReason))
		return nil, errInvalidToken
	}
	if rule.Scope != "" && !id.HasScope(rule.Scope) {
		in.Log.Warn("caller lacks a scope", "method", method, "subject", id.Subject, "scope", rule.Scope)
		return nil, errDenied
	}
	return withIdentity(ctx, id), nil
}

// bearerToken reads "authorization: Bearer <token>" from the metadata.
func bearerToken(ctx context.Context) (string, error) {
	values := metadata.ValueFromIncomingContext(ctx, "authorization")
	if len(values) == 0 {
		return "", errNoToken
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	token = strings.TrimSpace(token)
	if len(values) > 1 || !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", errInvalidToken
	}
	return token, nil
}

func (in *Interceptors) checkUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, err := in.authorize(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

// checkStream runs before the handler, so a refused stream ends before a
// single message is read or sent. A stream checks its token once, when it
// opens, so it must not outlive the token: its context ends when the token
// expires, and the caller gets Unauthenticated, as a new call would.
func (in *Interceptors) checkStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, err := in.authorize(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	if id, ok := IdentityFrom(ctx); ok && !id.Expires.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadlineCause(ctx, id.Expires, errTokenExpired)
		defer cancel()
	}
	err = handler(srv, &streamWithContext{ServerStream: ss, ctx: ctx})
	if err != nil && context.Cause(ctx) == errTokenExpired {
		in.Log.Warn("ended a stream whose token expired", "method", info.FullMethod)
		return errInvalidToken
	}
	return err
}

// errTokenExpired is the cause of a stream context ended by its token.
var errTokenExpired = errors.New("token expired")

// streamWithContext hands the handler a stream whose Context carries the
// caller's identity.
type streamWithContext struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *streamWithContext) Context() context.Context { return s.ctx }

func (in *Interceptors) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer in.recoverInto(&err, info.FullMethod)
	return handler(ctx, req)
}

func (in *Interceptors) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer in.recoverInto(&err, info.FullMethod)
	return handler(srv, ss)
}

// recoverInto turns a panic into codes.Internal with a generic message: the
// server keeps serving, the caller learns nothing of its insides, and the
// stack goes to the log for whoever fixes it.
func (in *Interceptors) recoverInto(err *error, method string) {
	if r := recover(); r != nil {
		in.Log.Error("recovered from a panic", "method", method, "panic", r, "stack", string(debug.Stack()))
		*err = errInternal
	}
}

// maxReason bounds the reason a refused token is logged with, and the path
// of a call refused for its headers: the caller wrote both.
const maxReason = 200

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
