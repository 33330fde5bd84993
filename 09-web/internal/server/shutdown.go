package server

import (
	"context"
	"errors"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"
)

// errStopping is the cause of a stream context cancelled by a shutdown.
var errStopping = errors.New("server stopping")

// endStreamsOnStop makes every stream end when the server starts to stop,
// ours and the standard services' alike (a health Watch, a reflection stream
// left open), so none of them holds the shutdown for its whole grace period.
// The handler's context is cancelled, a Recv waiting for the client returns
// at once, and the caller gets ShuttingDown: Unavailable, with when to retry.
func (s *Server) endStreamsOnStop(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo,
	handler grpc.StreamHandler) error {
	if s.stopCtx.Err() != nil {
		return rpcerr.ShuttingDown()
	}
	ctx, cancel := context.WithCancelCause(ss.Context())
	defer cancel(nil)
	unhook := context.AfterFunc(s.stopCtx, func() { cancel(errStopping) })
	defer unhook()
	err := handler(srv, &stoppableStream{ServerStream: ss, ctx: ctx})
	if err != nil && context.Cause(ctx) == errStopping && status.Code(err) == codes.Canceled {
		return rpcerr.ShuttingDown()
	}
	return err
}

// stoppableStream is a ServerStream whose context ends at shutdown, and
// whose RecvMsg stops waiting for the client when it does.
type stoppableStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *stoppableStream) Context() context.Context { return s.ctx }

// RecvMsg waits for the client's next message or the shutdown, whichever
// comes first. A receive left waiting ends when the handler returns, since
// gRPC then closes the stream.
func (s *stoppableStream) RecvMsg(m any) error {
	if context.Cause(s.ctx) == errStopping {
		return rpcerr.ShuttingDown()
	}
	got := make(chan error, 1)
	go func() { got <- s.ServerStream.RecvMsg(m) }()
	select {
	case err := <-got:
		return err
	case <-s.ctx.Done():
		if context.Cause(s.ctx) == errStopping {
			return rpcerr.ShuttingDown()
		}
		return <-got // the client went away: the receive fails with its reason
	}
}
