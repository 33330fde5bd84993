// Package knobs names the grpc-go options that step 13 measures, once, so that
// bareserver's flags, labbench's clients and the allocation benchmark set
// each of them the same way.
package knobs

import (
	"flag"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding/gzip"
)

// Set is one choice of knobs. Its zero value is grpc-go's defaults.
type Set struct {
	// StreamWindow and ConnWindow, when set, are static flow-control
	// windows on both sides, in bytes. A static window turns off grpc-go's
	// BDP estimator, and with it the PING it sends as data arrives.
	StreamWindow, ConnWindow int32
	// StreamWorkers serves streams on a pool of that many goroutines
	// instead of a new goroutine per stream (server).
	StreamWorkers uint32
	// ReadBuffer sizes each server connection's read buffer, WriteBuffer
	// each connection's write buffer on both sides; 0 keeps grpc-go's
	// 32 KiB, a negative size turns a buffer off.
	ReadBuffer, WriteBuffer int
	// KeepWriteBuffer gives each connection its own write buffer for its
	// lifetime (SharedWriteBuffer(false)); by default it goes back to a pool
	// after each flush.
	KeepWriteBuffer bool
	// Gzip compresses every message (client; the server answers in kind).
	Gzip bool
	// Stream sends each call on one bidirectional stream per caller, reused,
	// instead of a unary call (client).
	Stream bool
	// Conns opens that many connections, and calls take turns on them
	// (client); 0 or 1 is one connection, grpc-go's way.
	Conns int
}

// Flags adds the server's knobs to fs, as bareserver's flags.
func (s *Set) Flags(fs *flag.FlagSet) {
	window := func(p *int32, name, usage string) {
		fs.Func(name, usage+" (`bytes`; static, which turns off BDP pings; default dynamic)", func(v string) error {
			_, err := fmt.Sscan(v, p)
			return err
		})
	}
	window(&s.StreamWindow, "stream-window", "flow-control window of each stream")
	window(&s.ConnWindow, "conn-window", "flow-control window of each connection")
	fs.Func("stream-workers", "serve streams on this many goroutines (`n`; default a goroutine per stream)",
		func(v string) error { _, err := fmt.Sscan(v, &s.StreamWorkers); return err })
	fs.IntVar(&s.ReadBuffer, "read-buffer", 0, "each connection's read buffer (`bytes`; 0 is grpc-go's 32 KiB, <0 none)")
	fs.IntVar(&s.WriteBuffer, "write-buffer", 0, "each connection's write buffer (`bytes`; 0 is grpc-go's 32 KiB, <0 none)")
	fs.BoolFunc("shared-write-buffer", "return the write buffer to a pool after each flush (default true)",
		func(v string) error {
			var shared bool
			_, err := fmt.Sscan(v, &shared)
			s.KeepWriteBuffer = !shared
			return err
		})
}

// Args are the flags that give bareserver this set's server side.
func (s Set) Args() []string {
	var args []string
	add := func(name string, v any, set bool) {
		if set {
			args = append(args, fmt.Sprintf("-%s=%v", name, v))
		}
	}
	add("stream-window", s.StreamWindow, s.StreamWindow != 0)
	add("conn-window", s.ConnWindow, s.ConnWindow != 0)
	add("stream-workers", s.StreamWorkers, s.StreamWorkers != 0)
	add("read-buffer", s.ReadBuffer, s.ReadBuffer != 0)
	add("write-buffer", s.WriteBuffer, s.WriteBuffer != 0)
	add("shared-write-buffer", false, s.KeepWriteBuffer)
	return args
}

// size maps a buffer knob to grpc-go's value: 0 stays unset.
func size(n int) (int, bool) { return max(n, 0), n != 0 }

// ServerOptions are the set's options for grpc.NewServer.
func (s Set) ServerOptions() []grpc.ServerOption {
	var opts []grpc.ServerOption
	if s.StreamWindow != 0 {
		opts = append(opts, grpc.InitialWindowSize(s.StreamWindow))
	}
	if s.ConnWindow != 0 {
		opts = append(opts, grpc.InitialConnWindowSize(s.ConnWindow))
	}
	if s.StreamWorkers != 0 {
		opts = append(opts, grpc.NumStreamWorkers(s.StreamWorkers))
	}
	if n, ok := size(s.ReadBuffer); ok {
		opts = append(opts, grpc.ReadBufferSize(n))
	}
	if n, ok := size(s.WriteBuffer); ok {
		opts = append(opts, grpc.WriteBufferSize(n))
	}
	if s.KeepWriteBuffer {
		opts = append(opts, grpc.SharedWriteBuffer(false)) //nolint:staticcheck // measured on purpose
	}
	return opts
}

// DialOptions are the set's options for grpc.NewClient.
func (s Set) DialOptions() []grpc.DialOption {
	var opts []grpc.DialOption
	if s.StreamWindow != 0 {
		opts = append(opts, grpc.WithInitialWindowSize(s.StreamWindow))
	}
	if s.ConnWindow != 0 {
		opts = append(opts, grpc.WithInitialConnWindowSize(s.ConnWindow))
	}
	if n, ok := size(s.WriteBuffer); ok {
		opts = append(opts, grpc.WithWriteBufferSize(n))
	}
	if s.KeepWriteBuffer {
		opts = append(opts, grpc.WithSharedWriteBuffer(false)) //nolint:staticcheck // measured on purpose
	}
	if s.Gzip {
		opts = append(opts, grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)))
	}
	return opts
}
