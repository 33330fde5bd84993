package catalog

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc/peer"
)

// connKey keys the per-connection watcher cap, so it must not panic on a
// peer without an address (a custom listener may give none).
func TestConnKey(t *testing.T) {
	tcp := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5050}
	bg := context.Background()
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"a peer is named by its address", peer.NewContext(bg, &peer.Peer{Addr: tcp}), "127.0.0.1:5050"},
		{"a peer without an address is unknown", peer.NewContext(bg, &peer.Peer{}), "unknown"},
		{"a call without a peer is unknown", bg, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := connKey(tt.ctx); got != tt.want {
				t.Errorf("connKey = %q, want %q", got, tt.want)
			}
		})
	}
}
