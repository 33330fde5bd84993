package orders

import (
	"context"
	"time"
)

// The default limits on a client that holds an upload or a tracker open
// without sending: the first message must come within 10s (a client that
// opens a call has it ready), and each later one within 30s of the last.
const (
	DefaultFirstMessageTimeout = 10 * time.Second
	DefaultIdleTimeout         = 30 * time.Second
	// DefaultMaxUploadDuration keeps an upload shorter than the grace the
	// server gives calls when a connection reaches its maximum age (a
	// minute): one that lasted longer could be cut off with its summary.
	DefaultMaxUploadDuration = 45 * time.Second
)

// receive reads a client stream in a goroutine of its own and hands each
// message over on msgs, so that the handler can wait for the next one, a
// timer and the shutdown in one select. When Recv fails (io.EOF for a
// half-close) the error goes to errs and the goroutine ends. It never
// outlives the call: once the handler returns, gRPC ends the stream, Recv
// fails, and ctx is done.
func receive[T any](ctx context.Context, recv func() (*T, error)) (<-chan *T, <-chan error) {
	msgs := make(chan *T)
	errs := make(chan error, 1)
	go func() {
		for {
			m, err := recv()
			if err != nil {
				errs <- err
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return msgs, errs
}
