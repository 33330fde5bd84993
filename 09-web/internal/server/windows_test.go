package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
)

// TestTheServerSendsNoFlowControlPings makes calls on a connection that
// counts the server's HTTP/2 frames: with static windows, the server never
// PINGs the client to estimate the bandwidth as a call's data arrives.
func TestTheServerSendsNoFlowControlPings(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	pings := &atomic.Int32{}
	dial := func(ctx context.Context, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(countPings(bufio.NewReader(c), pw, pings)) }()
		return &filteredConn{Conn: c, r: pr}, nil
	}
	conn, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(dial))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	const calls = 20
	for range calls {
		if _, err := health.Check(t.Context(), &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := pings.Load(); got != 0 {
		t.Errorf("the server sent %d PINGs over %d calls, want none: its windows are not static", got, calls)
	}
}

// countPings copies HTTP/2 frames from the server, counting the PINGs it
// starts (not the ACKs of the client's own).
func countPings(from *bufio.Reader, to io.Writer, pings *atomic.Int32) error {
	const pingFrame, ackFlag = 0x6, 0x1
	for {
		head := make([]byte, 9)
		if _, err := io.ReadFull(from, head); err != nil {
			return err
		}
		payload := make([]byte, int(head[0])<<16|int(head[1])<<8|int(head[2]))
		if _, err := io.ReadFull(from, payload); err != nil {
			return err
		}
		if head[3] == pingFrame && head[4]&ackFlag == 0 {
			pings.Add(1)
		}
		if _, err := to.Write(append(head, payload...)); err != nil {
			return err
		}
	}
}

// filteredConn reads what countPings passes on.
type filteredConn struct {
	net.Conn
	r *io.PipeReader
}

func (c *filteredConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *filteredConn) Close() error {
	c.r.Close()
	return c.Conn.Close()
}
