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
// the access line's time (bench/README.md, "The middleware"). Slots go by a
// hash of the port, so a few busy connections rarely share one; when they
// do, each miss formats the address again, as before, and stores it in one
// more allocation.
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
	if !ok || addr == nil {
		return p.Addr.String()
	}
	slot := &callerNames[callerSlot(addr.Port)]
	if c := slot.Load(); c != nil && c.addr == addr {
		return c.text
	}
	c := &callerName{addr: addr, text: addr.String()}
	slot.Store(c)
	return c.text
}

// callerSlot spreads ports over the slots. Linux hands out even ephemeral
// ports first, so the port itself, modulo 64, would leave half the slots empty.
func callerSlot(port int) int {
	return int(uint32(port) * 0x9E3779B1 >> 26) // Fibonacci hashing: the top 6 bits, for 64 slots
}
