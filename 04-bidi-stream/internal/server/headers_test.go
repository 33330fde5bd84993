package server_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/04-bidi-stream/internal/server"

	catalogv1 "github.com/learn-grpc/learn-grpc/04-bidi-stream/gen/ecommerce/catalog/v1"
)

// TestOversizedHeadersCostOnlyTheirCall sends a 64 KiB header, as a proxy
// multiplexing many users might, on a connection that carries a watch: the
// call gets ResourceExhausted naming the limit, and the watch goes on.
func TestOversizedHeadersCostOnlyTheirCall(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Second})
	conn, dials := dialAsProxy(t, r.addr)
	client := catalogv1.NewProductCatalogServiceClient(conn)
	watch, err := client.WatchProducts(t.Context(), &catalogv1.WatchProductsRequest{
		ProductIds: []string{"product-123", "product-456", "product-789"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := watch.Recv(); err != nil {
		t.Fatal(err)
	}

	req := &catalogv1.GetProductRequest{Id: "product-123"}
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", strings.Repeat("x", 64<<10))
	_, err = client.GetProduct(ctx, req)
	refused := time.Now()
	want := status.New(codes.ResourceExhausted, "request headers exceed 16 KiB")
	if st := status.Convert(err); st.Code() != want.Code() || st.Message() != want.Message() {
		t.Errorf("call with a 64 KiB header = %v, want %v", err, want.Err())
	}

	// An update made after the refusal cannot come from a connection that
	// the refusal closed: updates read from a buffer do not count.
	for {
		resp, err := watch.Recv()
		if err != nil {
			t.Fatalf("the watch on the same connection ended: %v", err)
		}
		if resp.GetInventory().GetUpdatedAt().AsTime().After(refused) {
			break
		}
	}
	if _, err := client.GetProduct(t.Context(), req); err != nil {
		t.Errorf("the next call on the connection = %v, want it served", err)
	}
	if got := dials.Load(); got != 1 {
		t.Errorf("the client dialed %d connections, want 1: the oversized header cost the connection", got)
	}
}

// dialAsProxy connects as a proxy would that passes whatever headers its
// users send: it hides the server's SETTINGS_MAX_HEADER_LIST_SIZE from the
// grpc-go client, which would otherwise refuse to send a list above it. It
// counts the connections the client opens.
func dialAsProxy(t *testing.T, addr string) (*grpc.ClientConn, *atomic.Int32) {
	t.Helper()
	dials := &atomic.Int32{}
	dial := func(ctx context.Context, addr string) (net.Conn, error) {
		dials.Add(1)
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(hideHeaderLimit(bufio.NewReader(c), pw)) }()
		return &filteredConn{Conn: c, r: pr}, nil
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(dial))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn, dials
}

// filteredConn reads what hideHeaderLimit lets through.
type filteredConn struct {
	net.Conn
	r *io.PipeReader
}

func (c *filteredConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *filteredConn) Close() error {
	c.r.Close()
	return c.Conn.Close()
}

// hideHeaderLimit copies HTTP/2 frames from the server, dropping the
// SETTINGS_MAX_HEADER_LIST_SIZE entry (id 6) of every SETTINGS frame.
func hideHeaderLimit(from *bufio.Reader, to io.Writer) error {
	const settingsFrame, ackFlag, maxHeaderListSize = 0x4, 0x1, 0x6
	return copyFrames(from, to, func(head, payload []byte) []byte {
		if head[3] != settingsFrame || head[4]&ackFlag != 0 {
			return payload
		}
		var kept []byte
		for i := 0; i+6 <= len(payload); i += 6 {
			if binary.BigEndian.Uint16(payload[i:]) != maxHeaderListSize {
				kept = append(kept, payload[i:i+6]...)
			}
		}
		return kept
	})
}

// copyFrames copies HTTP/2 frames from the server to the client, each
// payload as edit returns it, the frame's length set to match.
func copyFrames(from *bufio.Reader, to io.Writer, edit func(head, payload []byte) []byte) error {
	for {
		head := make([]byte, 9)
		if _, err := io.ReadFull(from, head); err != nil {
			return err
		}
		payload := make([]byte, int(head[0])<<16|int(head[1])<<8|int(head[2]))
		if _, err := io.ReadFull(from, payload); err != nil {
			return err
		}
		payload = edit(head, payload)
		head[0], head[1], head[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
		if _, err := to.Write(append(head, payload...)); err != nil {
			return err
		}
	}
}
