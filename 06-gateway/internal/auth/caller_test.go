package auth

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
)

func TestCallerAddr(t *testing.T) {
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
		{"a nil TCP address is its String", from((*net.TCPAddr)(nil)), "<nil>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := callerAddr(tt.ctx); got != tt.want {
				t.Errorf("callerAddr = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("connections that share a slot each get their own address", func(t *testing.T) {
		other := 1001
		for callerSlot(other) != callerSlot(1000) {
			other++
		}
		a, b := tcp("192.0.2.1:1000"), &net.TCPAddr{IP: net.IPv4(192, 0, 2, 2), Port: other}
		for range 3 {
			if got := callerAddr(from(a)); got != "192.0.2.1:1000" {
				t.Fatalf("callerAddr(a) = %q", got)
			}
			if got := callerAddr(from(b)); got != b.String() {
				t.Fatalf("callerAddr(b) = %q, want %q", got, b.String())
			}
		}
	})
	t.Run("even ports, as Linux hands out first, fill every slot", func(t *testing.T) {
		used := map[int]bool{}
		for port := 32768; port < 32768+2*len(callerNames)*4; port += 2 {
			used[callerSlot(port)] = true
		}
		if len(used) != len(callerNames) {
			t.Errorf("even ports used %d of %d slots", len(used), len(callerNames))
		}
	})
	t.Run("two hosts on the same port each get their own address", func(t *testing.T) {
		a, b := tcp("192.0.2.4:7000"), tcp("192.0.2.5:7000")
		for range 3 {
			if got := callerAddr(from(a)); got != "192.0.2.4:7000" {
				t.Fatalf("callerAddr(a) = %q", got)
			}
			if got := callerAddr(from(b)); got != "192.0.2.5:7000" {
				t.Fatalf("callerAddr(b) = %q", got)
			}
		}
	})
	t.Run("a port below zero, as a hand-built address may have, is no panic", func(t *testing.T) {
		if got := callerAddr(from(&net.TCPAddr{IP: net.IPv4(192, 0, 2, 6), Port: -1})); got != "192.0.2.6:-1" {
			t.Errorf("callerAddr = %q", got)
		}
	})
	t.Run("a connection's address is formatted once, not on every call", func(t *testing.T) {
		ctx := from(tcp("192.0.2.3:6000"))
		callerAddr(ctx)
		if n := testing.AllocsPerRun(100, func() { callerAddr(ctx) }); n != 0 {
			t.Errorf("callerAddr allocated %v times a call, want 0", n)
		}
	})
}

// TestCallsOnAConnectionShareItsAddress: the cache finds an address again
// only because grpc-go hands every call on a connection the same one. If
// grpc-go ever copied it per call, the cache would miss every time.
func TestCallsOnAConnectionShareItsAddress(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addrs := make(chan net.Addr, 2)
	srv := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo,
		handler grpc.UnaryHandler) (any, error) {
		if p, ok := peer.FromContext(ctx); ok {
			addrs <- p.Addr
		}
		return handler(ctx, req)
	}))
	healthgrpc.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for range 2 {
		if _, err := healthgrpc.NewHealthClient(conn).Check(t.Context(), &healthgrpc.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	first, second := <-addrs, <-addrs
	if _, ok := first.(*net.TCPAddr); !ok {
		t.Fatalf("a call's address is a %T, want *net.TCPAddr, which callerAddr caches", first)
	}
	if first != second {
		t.Errorf("two calls on one connection had addresses %p and %p, want the same", first, second)
	}
}
