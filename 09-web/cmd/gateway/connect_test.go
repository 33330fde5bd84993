package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/proto"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1/catalogv1connect"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1/ordersv1connect"
)

// TestOpenConnectStreamsEndAtShutdown stops a gateway whose grace period
// is an hour while a browser's two kinds of stream are open, over
// HTTP/1.1: Stop returns only because they end, each with Unavailable.
func TestOpenConnectStreamsEndAtShutdown(t *testing.T) {
	base, client, pki, gw := edge(t, 0, "-shutdown-timeout=1h")
	token := "Bearer " + pki.Keys.Token(t, "alice", auth.ScopeWriteOrders)
	orders := ordersv1connect.NewOrderManagementServiceClient(client, base, connect.WithGRPCWeb())
	create := connect.NewRequest(&ordersv1.CreateOrderRequest{Items: []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 1}}})
	create.Header().Set("Authorization", token)
	placed, err := orders.CreateOrder(t.Context(), create)
	if err != nil {
		t.Fatal(err)
	}
	watch := connect.NewRequest(&ordersv1.WatchOrderRequest{OrderId: placed.Msg.GetOrder().GetId()})
	watch.Header().Set("Authorization", token)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	order, err := orders.WatchOrder(ctx, watch)
	if err != nil {
		t.Fatal(err)
	}
	defer order.Close()
	catalog := catalogv1connect.NewProductCatalogServiceClient(client, base)
	stock, err := catalog.WatchProducts(ctx, connect.NewRequest(&catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}}))
	if err != nil {
		t.Fatal(err)
	}
	defer stock.Close()
	if !order.Receive() || !stock.Receive() {
		t.Fatalf("first messages: %v, %v", order.Err(), stock.Err())
	}
	stopped := make(chan error, 1)
	go func() { stopped <- gw.Stop() }()
	for order.Receive() { // an order's status may change meanwhile
	}
	for stock.Receive() {
	}
	for name, err := range map[string]error{"WatchOrder": order.Err(), "WatchProducts": stock.Err()} {
		if connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), "shutting down") {
			t.Errorf("%s ended with %v, want Unavailable, shutting down", name, err)
		}
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

func TestABadCORSOriginIsRefused(t *testing.T) {
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"-cors-origins=https://shop.example.com/store"}, &bytes.Buffer{}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "-cors-origins") {
		t.Errorf("run = %v, want an error naming -cors-origins", err)
	}
}

// TestAViewerThatStopsReadingHoldsNeitherItsStreamNorTheStop opens a
// WatchProducts stream over raw HTTP/2 with a flow-control window of 0, so
// that the gateway's first send blocks, then stops the gateway, whose grace
// period is an hour: Stop must return all the same, well before the 30 s
// per-message bound would end the stream.
func TestAViewerThatStopsReadingHoldsNeitherItsStreamNorTheStop(t *testing.T) {
	_, _, pki, gw := edge(t, 0, "-shutdown-timeout=1h")
	conn := dialHTTP2(t, pki, gw.Addr)
	frames := stalledWatch(t, conn, "product-123")
	waitForFrame(t, frames, "the stream's headers", func(f http2.Frame) bool {
		_, ok := f.(*http2.HeadersFrame)
		return ok
	})
	stopped := make(chan error, 1)
	go func() { stopped <- gw.Stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Error("Stop still waits for a stream whose reader takes nothing")
		conn.Close() // which ends the stream, and lets Stop end this test
		<-stopped
	}
}

// TestAViewerThatStopsReadingIsDropped: a stream whose reader takes nothing
// holds a slot of the viewers' cap, so each message's write is bounded by
// the gateway's write timeout, 30 s, after which its stream is reset.
func TestAViewerThatStopsReadingIsDropped(t *testing.T) {
	_, _, pki, gw := edge(t, 0)
	conn := dialHTTP2(t, pki, gw.Addr)
	frames := stalledWatch(t, conn, "product-123")
	waitForFrame(t, frames, "a reset of the stalled stream", func(f http2.Frame) bool {
		rst, ok := f.(*http2.RSTStreamFrame)
		return ok && rst.StreamID == 1
	})
}

// dialHTTP2 opens a TLS connection to addr that offers HTTP/2 alone.
func dialHTTP2(t *testing.T, pki *testutil.PKI, addr string) net.Conn {
	t.Helper()
	pem, err := os.ReadFile(pki.Path(devpki.CACert))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// stalledWatch opens a Connect WatchProducts stream on conn, after a
// preface that gives every stream a window of 0, and returns the frames
// the gateway sends, acknowledging its settings and pings meanwhile.
func stalledWatch(t *testing.T, conn net.Conn, id string) <-chan http2.Frame {
	t.Helper()
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0}); err != nil {
		t.Fatal(err)
	}
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "https"},
		{":authority", conn.RemoteAddr().String()},
		{":path", catalogv1connect.ProductCatalogServiceWatchProductsProcedure},
		{"content-type", "application/connect+proto"}, {"connect-protocol-version", "1"}} {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	msg, err := proto.Marshal(&catalogv1.WatchProductsRequest{ProductIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	envelope := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg))) // flags, then length
	headers := http2.HeadersFrameParam{StreamID: 1, BlockFragment: block.Bytes(), EndHeaders: true}
	if err := fr.WriteHeaders(headers); err != nil {
		t.Fatal(err)
	}
	if err := fr.WriteData(1, true, append(envelope, msg...)); err != nil {
		t.Fatal(err)
	}
	frames := make(chan http2.Frame, 64)
	go func() {
		defer close(frames)
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			switch f := f.(type) {
			case *http2.SettingsFrame:
				if !f.IsAck() {
					_ = fr.WriteSettingsAck()
				}
			case *http2.PingFrame:
				if !f.IsAck() {
					_ = fr.WritePing(true, f.Data)
				}
			case *http2.HeadersFrame, *http2.RSTStreamFrame, *http2.GoAwayFrame:
				select {
				case frames <- f:
				default:
				}
			}
		}
	}()
	return frames
}

// waitForFrame reads frames until one is what is wanted.
func waitForFrame(t *testing.T, frames <-chan http2.Frame, what string, want func(http2.Frame) bool) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatalf("the connection ended before %s", what)
			}
			if want(f) {
				return
			}
		case <-timeout:
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}
