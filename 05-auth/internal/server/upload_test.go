package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/learn-grpc/learn-grpc/05-auth/internal/auth"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/catalog"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/inventory"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/orders"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/server"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/testutil"

	ordersv1 "github.com/learn-grpc/learn-grpc/05-auth/gen/ecommerce/orders/v1"
)

// uploadServer is a real server on loopback whose product-123 has stock
// units and no simulated shop, so the test knows what every order took.
type uploadServer struct {
	client ordersv1.OrderManagementServiceClient
	stock  *inventory.Stock
	stop   func() // stops the server gracefully and waits for Serve
}

func startUploadServer(t *testing.T, stock int32, dial ...grpc.DialOption) *uploadServer {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := inventory.NewStock(map[string]int32{"product-123": stock}, time.Now)
	keys := authtest.NewKeys(t)
	srv := server.New(server.Config{
		Products: catalog.NewStore(catalog.SampleProducts(), 0), Stock: s, Orders: orders.NewMemoryStore(),
		Log: slog.New(slog.NewTextHandler(&testutil.LockedBuffer{}, nil)), Verifier: keys.Verifier,
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis, server.Shutdown{Grace: time.Hour}) }()
	conn, err := grpc.NewClient(lis.Addr().String(), append(dial, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(authtest.Bearer(keys.Token(t, "alice", auth.ScopeWriteOrders))))...)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("Serve = %v", err)
			}
		})
	}
	t.Cleanup(func() { _ = conn.Close(); stop() })
	return &uploadServer{client: ordersv1.NewOrderManagementServiceClient(conn), stock: s, stop: stop}
}

// TestAnUploadPastItsLimitReachesAClientWithSmallHeaderLimits uploads 1,200
// orders from a client that accepts 8 KiB of headers and trailers. The
// summary of the first 1,000, however many rejections it lists, arrives as
// the response, with every order id created.
func TestAnUploadPastItsLimitReachesAClientWithSmallHeaderLimits(t *testing.T) {
	// An unknown id of 64 characters makes the longest rejection reason.
	unknown := "product-" + strings.Repeat("9", 56)
	tests := []struct {
		name        string
		createEvery int // every n-th order is for a product in stock; 0: none
		wantCreated int
	}{
		{name: "every order rejected", createEvery: 0, wantCreated: 0},
		{name: "half the orders created", createEvery: 2, wantCreated: orders.MaxUploadOrders / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const stock = 10_000
			s := startUploadServer(t, stock, grpc.WithMaxHeaderListSize(8<<10))
			// The bound only turns a hang into a failure; it asserts no speed.
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			start := time.Now()
			stream, err := s.client.UploadOrders(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for line := 1; line <= 1200; line++ {
				id := unknown
				if tt.createEvery > 0 && line%tt.createEvery == 0 {
					id = "product-123"
				}
				order := &ordersv1.CreateOrderRequest{Items: []*ordersv1.OrderItem{{ProductId: id, Quantity: 1}}}
				if err := stream.Send(&ordersv1.UploadOrdersRequest{Line: int32(line), Order: order}); err != nil {
					break // the server stopped reading; CloseAndRecv says how it ended
				}
			}
			summary, err := stream.CloseAndRecv()
			if err != nil {
				t.Fatalf("CloseAndRecv = %v, want the summary", err)
			}
			t.Logf("the summary arrived %v after the upload began", time.Since(start).Round(time.Millisecond))
			if got := summary.GetStopped(); got.GetCode() != "ResourceExhausted" || got.GetLastLine() != orders.MaxUploadOrders {
				t.Errorf("stopped = %v, want ResourceExhausted at line %d", got, orders.MaxUploadOrders)
			}
			ids := summary.GetOrderIds()
			if len(ids) != tt.wantCreated || len(summary.GetRejected()) != orders.MaxUploadOrders-tt.wantCreated {
				t.Errorf("summary lists %d created and %d rejected, want %d and %d",
					len(ids), len(summary.GetRejected()), tt.wantCreated, orders.MaxUploadOrders-tt.wantCreated)
			}
			// Nothing lost: what the server took from stock is what the summary lists.
			if l, _ := s.stock.Level("product-123"); int(stock-l.Quantity) != len(ids) {
				t.Errorf("%d units taken, but the summary lists %d orders", stock-l.Quantity, len(ids))
			}
			for _, id := range ids {
				if _, err := s.client.GetOrder(ctx, &ordersv1.GetOrderRequest{Id: id}); err != nil {
					t.Fatalf("order %s from the summary: %v", id, err)
				}
			}
		})
	}
}

// TestAnUploadCutShortByAShutdownStillGetsItsSummary stops the server in
// the middle of an upload: the client hears which orders were created and
// that the server is stopping.
func TestAnUploadCutShortByAShutdownStillGetsItsSummary(t *testing.T) {
	s := startUploadServer(t, 100)
	stream, err := s.client.UploadOrders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for line := 1; line <= 2; line++ {
		order := &ordersv1.CreateOrderRequest{Items: []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 1}}}
		if err := stream.Send(&ordersv1.UploadOrdersRequest{Line: int32(line), Order: order}); err != nil {
			t.Fatal(err)
		}
	}
	testutil.WaitFor(t, "both orders to be created", func() bool {
		l, _ := s.stock.Level("product-123")
		return l.Quantity == 98
	})
	go s.stop()
	var summary ordersv1.UploadOrdersResponse
	if err := stream.RecvMsg(&summary); err != nil {
		t.Fatalf("upload = %v, want the summary", err)
	}
	got := fmt.Sprintf("%d created, stopped with %s at line %d",
		len(summary.GetOrderIds()), summary.GetStopped().GetCode(), summary.GetStopped().GetLastLine())
	if want := "2 created, stopped with Unavailable at line 2"; got != want {
		t.Errorf("summary: %s, want %s", got, want)
	}
}
