package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"

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
// WatchProducts stream whose reader takes nothing (see stall_test.go), then
// stops the gateway, whose grace period is an hour: Stop must return all the
// same, well before the 30 s per-message bound would end the stream.
func TestAViewerThatStopsReadingHoldsNeitherItsStreamNorTheStop(t *testing.T) {
	_, _, pki, gw := edge(t, 0, "-shutdown-timeout=1h")
	conn := dialHTTP2(t, pki, gw.Addr)
	frames := stall(t, conn, connectWatch(t, "product-123"))
	waitForFrame(t, frames, "the stream's headers", isHeaders)
	stopsSoon(t, gw, conn)
}

// TestAViewerThatStopsReadingIsDropped: a stream whose reader takes nothing
// holds a slot of the viewers' cap, so each message's write is bounded by
// the gateway's write timeout, 30 s, after which its stream is reset. Its
// address may hold one viewer here, so the next one shows the slot free.
func TestAViewerThatStopsReadingIsDropped(t *testing.T) {
	t.Parallel()
	base, client, pki, gw := edge(t, 0, "-viewers-per-address=1")
	conn := dialHTTP2(t, pki, gw.Addr)
	frames := stall(t, conn, connectWatch(t, "product-123"))
	waitForFrame(t, frames, "a reset of the stalled stream", isReset(1))
	catalog := catalogv1connect.NewProductCatalogServiceClient(client, base)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithCancel(t.Context())
		next, err := catalog.WatchProducts(ctx,
			connect.NewRequest(&catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}}))
		if err == nil && next.Receive() {
			cancel()
			_ = next.Close()
			return
		}
		if err == nil {
			err = next.Err()
			_ = next.Close()
		}
		cancel()
		if time.Now().After(deadline) {
			t.Fatalf("a viewer after the drop: %v, want its first level", err)
		}
	}
}

// connectWatch is a Connect WatchProducts request for id.
func connectWatch(t *testing.T, id string) stalledRequest {
	t.Helper()
	msg, err := proto.Marshal(&catalogv1.WatchProductsRequest{ProductIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	return stalledRequest{
		fields: [][2]string{{":method", "POST"}, {":scheme", "https"},
			{":path", catalogv1connect.ProductCatalogServiceWatchProductsProcedure},
			{"content-type", "application/connect+proto"}, {"connect-protocol-version", "1"}},
		body: append(binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg))), msg...), // flags, length
	}
}
