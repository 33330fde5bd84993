package catalog_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// newWatchClient serves the catalog over bufconn and returns a client and
// the stock behind it, so tests can make changes and see them arrive.
func newWatchClient(t *testing.T) (catalogv1.ProductCatalogServiceClient, *inventory.Stock) {
	t.Helper()
	stock := testutil.NewStock(t)
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	catalogv1.RegisterProductCatalogServiceServer(srv, catalog.NewService(catalog.NewStore(catalog.SampleProducts(), 0), stock, nil))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return catalogv1.NewProductCatalogServiceClient(conn), stock
}

func TestWatchRejectsBadRequests(t *testing.T) {
	tooMany := make([]string, catalog.MaxWatchedProducts+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("product-%d", i)
	}
	tests := []struct {
		name     string
		ids      []string
		wantCode codes.Code
	}{
		{"no ids", nil, codes.InvalidArgument},
		{"an empty id", []string{"product-123", " "}, codes.InvalidArgument},
		{"too many ids", tooMany, codes.InvalidArgument},
		{"an unknown id", []string{"product-123", "product-999"}, codes.NotFound},
	}
	client, stock := newWatchClient(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stream, err := client.WatchProducts(t.Context(), &catalogv1.WatchProductsRequest{ProductIds: tt.ids})
			if err != nil {
				t.Fatal(err)
			}
			// The error must be the first thing on the stream: no update before it.
			resp, err := stream.Recv()
			if status.Code(err) != tt.wantCode {
				t.Fatalf("first Recv = %v, %v; want code %v", resp, err, tt.wantCode)
			}
			if stock.Watchers("product-123") != 0 {
				t.Error("a refused watch left a subscription behind")
			}
		})
	}
}

func TestWatchSendsCurrentLevelsThenChanges(t *testing.T) {
	client, stock := newWatchClient(t)
	stream, err := client.WatchProducts(t.Context(), &catalogv1.WatchProductsRequest{ProductIds: []string{"product-456", "product-123", "product-456"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id  string
		qty int32
	}{{"product-456", 25}, {"product-123", 100}} // duplicates ignored, order kept
	for _, w := range want {
		got := recv(t, stream)
		if got.GetProductId() != w.id || got.GetQuantity() != w.qty {
			t.Fatalf("got %s=%d, want %s=%d", got.GetProductId(), got.GetQuantity(), w.id, w.qty)
		}
	}
	for _, step := range []struct{ delta, want int32 }{{-1, 99}, {-2, 97}, {-3, 94}} {
		if _, err := stock.Adjust(t.Context(), "product-123", step.delta); err != nil {
			t.Fatal(err)
		}
		got := recv(t, stream)
		// One change at a time, read before the next: none may be skipped.
		if got.GetProductId() != "product-123" || got.GetQuantity() != step.want || got.GetUpdatedAt() == nil {
			t.Fatalf("got %v, want product-123=%d with a time", got, step.want)
		}
	}
}

// TestCancelRemovesSubscription cancels a watch and then observes the
// handler's subscription going away, which happens only when it returns.
func TestCancelRemovesSubscription(t *testing.T) {
	client, stock := newWatchClient(t)
	ctx, cancel := context.WithCancel(t.Context())
	stream, err := client.WatchProducts(ctx, &catalogv1.WatchProductsRequest{ProductIds: []string{"product-789"}})
	if err != nil {
		t.Fatal(err)
	}
	recv(t, stream)
	if n := stock.Watchers("product-789"); n != 1 {
		t.Fatalf("watchers = %d, want 1", n)
	}
	cancel()
	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Errorf("Recv after cancel = %v, want Canceled", err)
	}
	testutil.WaitFor(t, "the subscription to be removed", func() bool { return stock.Watchers("product-789") == 0 })
}

func TestStockCloseEndsStreamWithUnavailable(t *testing.T) {
	client, stock := newWatchClient(t)
	stream, err := client.WatchProducts(t.Context(), &catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}})
	if err != nil {
		t.Fatal(err)
	}
	recv(t, stream)
	stock.Close()
	_, err = stream.Recv()
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("Recv after shutdown = %v, want Unavailable", err)
	}
	if err == io.EOF {
		t.Fatal("a server stopping must not look like a finished stream")
	}
}

func recv(t *testing.T, stream grpc.ServerStreamingClient[catalogv1.WatchProductsResponse]) *catalogv1.ProductInventory {
	t.Helper()
	resp, err := stream.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	return resp.GetInventory()
}
