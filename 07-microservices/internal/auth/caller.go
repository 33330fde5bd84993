package auth

import (
	"context"
	"net"
	"sync/atomic"

	"google.golang.org/grpc/peer"
)

// callerNames remembers the text of recent callers' addresses. grpc-go hands
// every call on a connection the same *net.TCPAddr, so comparing pointers
// finds it again; formatting it took three allocations a call and a fifth of
// the access line's time (bench/README.md, "The middleware"). Slots go by
// port, so a few busy connections rarely share one; when they do, each miss
// formats the address again, as before, and stores it in one more allocation.
var callerNames [64]atomic.Pointer[callerName]

type callerName struct {
	addr *net.TCPAddr // never changed by grpc-go, and kept alive here, so never reused
	text string
}

// callerAddr is the address of the call's peer, as the access log writes it.
func callerAddr(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return "unknown"
	}
	addr, ok := p.Addr.(*net.TCPAddr)
	if !ok {
		return p.Addr.String()
	}
	slot := &callerNames[uint(addr.Port)%uint(len(callerNames))] // a port built by hand may be negative
	if c := slot.Load(); c != nil && c.addr == addr {
		return c.text
	}
	c := &callerName{addr: addr, text: addr.String()}
	slot.Store(c)
	return c.text
}
