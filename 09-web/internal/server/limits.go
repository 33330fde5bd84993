package server

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// The bounds on what one client can hold. grpc-go's defaults are sized for
// trusted callers (no stream limit, 4 MiB messages, 16 MiB of headers); a
// public server states its own. The README says how each was chosen.
const (
	// MaxConcurrentStreams is how many calls one connection may have open
	// at once. It also caps the handler goroutines that a client resetting
	// streams as fast as it opens them can keep busy (CVE-2023-44487).
	MaxConcurrentStreams = 100
	// MaxRecvMsgSize fits the largest request the API accepts (an order of
	// 100 items, about 8 KiB) with room to spare, instead of 4 MiB.
	MaxRecvMsgSize = 64 << 10
	// MaxCallHeaderSize bounds one call's headers. A call beyond it gets
	// ResourceExhausted, and the other calls on its connection go on. It is
	// twice the REST gateway's 16 KiB of request headers, of which it forwards
	// the token once: a request the gateway accepts is never refused here.
	MaxCallHeaderSize = 32 << 10
	// MaxHeaderListSize is HTTP/2's bound, for the whole connection: grpc-go
	// refuses a header string above it with a connection error, since HPACK's
	// table is shared by the connection. So it is far above MaxCallHeaderSize.
	MaxHeaderListSize = 256 << 10
	// StreamWindow and ConnWindow are static HTTP/2 flow-control windows.
	// Set by hand, they turn off grpc-go's BDP estimator, which PINGs the
	// peer as data arrives to size windows; they also bound what a peer can
	// make a stream buffer to 1 MiB, where the estimator may grow to 16 MiB.
	StreamWindow = 1 << 20
	ConnWindow   = 2 << 20
)

// Keepalive closes connections that hold nothing (MaxConnectionIdle), makes
// clients reconnect now and then so load spreads to new replicas
// (MaxConnectionAge, with a grace for calls in flight), and pings a quiet
// client to find a peer that vanished without closing its connection.
var Keepalive = keepalive.ServerParameters{
	MaxConnectionIdle:     5 * time.Minute,
	MaxConnectionAge:      30 * time.Minute,
	MaxConnectionAgeGrace: time.Minute,
	Time:                  time.Minute,
	Timeout:               20 * time.Second,
}

// KeepalivePolicy refuses clients that ping more often than every 10s: a
// flood of pings costs the server a write each. A client that breaks it is
// sent GOAWAY "too_many_pings".
var KeepalivePolicy = keepalive.EnforcementPolicy{
	MinTime:             10 * time.Second,
	PermitWithoutStream: true,
}

// limitOptions are the server options that apply the bounds above, with
// maxAge, if set, in place of Keepalive's MaxConnectionAge; logged writes
// the access line of a call refused before the interceptors.
func limitOptions(maxAge time.Duration, logged func(ctx context.Context, method string, err error)) []grpc.ServerOption {
	ka := Keepalive
	if maxAge > 0 {
		ka.MaxConnectionAge = maxAge
	}
	return []grpc.ServerOption{
		grpc.MaxConcurrentStreams(MaxConcurrentStreams),
		grpc.MaxRecvMsgSize(MaxRecvMsgSize),
		grpc.InitialWindowSize(StreamWindow),
		grpc.InitialConnWindowSize(ConnWindow),
		grpc.MaxHeaderListSize(MaxHeaderListSize),
		grpc.InTapHandle(limitCallHeaders(logged)),
		grpc.KeepaliveParams(ka),
		grpc.KeepaliveEnforcementPolicy(KeepalivePolicy),
	}
}
