package auth

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"google.golang.org/grpc/peer"
)

func TestCallerOf(t *testing.T) {
	from := func(addr net.Addr) context.Context {
		return peer.NewContext(context.Background(), &peer.Peer{Addr: addr})
	}
	tcp := func(ap string) *net.TCPAddr { return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(ap)) }
	for _, tt := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"a TCP caller is its address and port", from(tcp("192.0.2.1:5000")), "192.0.2.1:5000"},
		{"an IPv6 caller is bracketed", from(tcp("[2001:db8::1]:5000")), "[2001:db8::1]:5000"},
		{"another kind of address is its String", from(&net.UnixAddr{Name: "/run/lab.sock", Net: "unix"}),
			"/run/lab.sock"},
		{"a call with no peer is unknown", context.Background(), "unknown"},
		{"a peer with no address is unknown", peer.NewContext(context.Background(), &peer.Peer{}), "unknown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := callerOf(tt.ctx); got != tt.want {
				t.Errorf("callerOf = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("connections that share a slot each get their own address", func(t *testing.T) {
		a, b := tcp("192.0.2.1:1000"), tcp("192.0.2.2:1064") // 1000 and 1064 share a slot of 64
		for range 3 {
			if got := callerOf(from(a)); got != "192.0.2.1:1000" {
				t.Fatalf("callerOf(a) = %q", got)
			}
			if got := callerOf(from(b)); got != "192.0.2.2:1064" {
				t.Fatalf("callerOf(b) = %q", got)
			}
		}
	})
	t.Run("a connection's address is formatted once, not on every call", func(t *testing.T) {
		ctx := from(tcp("192.0.2.3:6000"))
		callerOf(ctx)
		if n := testing.AllocsPerRun(100, func() { callerOf(ctx) }); n != 0 {
			t.Errorf("callerOf allocated %v times a call, want 0", n)
		}
	})
}
