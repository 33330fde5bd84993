package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// TestAnUploadPastItsLimitReachesAClientWithSmallHeaderLimits uploads 1,200
// orders from a client that accepts 8 KiB of headers and trailers. The
// summary of the first 1,000, however many rejections it lists, arrives as
// the response, with every order id created.
func TestAnUploadPastItsLimitReachesAClientWithSmallHeaderLimits(t *testing.T) {
	// An unknown id of 64 characters makes the longest rejection reason.
	unknown := "product-" + strings.Repeat("9", 56)
	inStock := catalog.SampleStock()["product-321"]
	tests := []struct {
		name        string
		createEvery int // every n-th order asks for product-321; 0: none
		wantCreated int
	}{
		{name: "every order rejected", createEvery: 0, wantCreated: 0},
		{name: "half the orders ask for stock, as many as there is get it", createEvery: 2, wantCreated: int(inStock)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pki := testutil.NewPKI(t)
			_, running := ordersClient(t, pki, testutil.StartCatalog(t, pki, 0))
			client := dialAsAlice(t, pki, running.Addr, grpc.WithMaxHeaderListSize(8<<10))
			// The bound only turns a hang into a failure; it asserts no speed.
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			start := time.Now()
			stream, err := client.UploadOrders(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for line := 1; line <= 1200; line++ {
				id := unknown
				if tt.createEvery > 0 && line%tt.createEvery == 0 {
					id = "product-321"
				}
				if err := stream.Send(&ordersv1.UploadOrdersRequest{Line: int32(line), Order: order(id, 1)}); err != nil {
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
			for _, id := range ids {
				if _, err := client.GetOrder(ctx, &ordersv1.GetOrderRequest{Id: id}); err != nil {
					t.Fatalf("order %s from the summary: %v", id, err)
				}
			}
		})
	}
}
