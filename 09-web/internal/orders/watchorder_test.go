package orders_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// watchAll reads a watch to its end and returns the statuses it sent, short
// names joined by commas, and how it ended.
func watchAll(stream grpc.ServerStreamingClient[ordersv1.WatchOrderResponse]) (string, error) {
	var got []string
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return strings.Join(got, ","), nil
		}
		if err != nil {
			return strings.Join(got, ","), err
		}
		got = append(got, strings.TrimPrefix(resp.GetStatus().GetStatus().String(), "ORDER_STATUS_"))
	}
}

func TestWatchOrderFollowsTheOrderToDelivery(t *testing.T) {
	e := newEnv(t, 5*time.Millisecond)
	id := e.place(t, items("product-123", 1))
	t.Run("a new order is sent as pending, then each change, then OK", func(t *testing.T) {
		stream, err := e.client.WatchOrder(t.Context(), &ordersv1.WatchOrderRequest{OrderId: id})
		if err != nil {
			t.Fatal(err)
		}
		got, err := watchAll(stream)
		if want := "PENDING,SHIPPED,IN_TRANSIT,OUT_FOR_DELIVERY,DELIVERED"; got != want || err != nil {
			t.Errorf("statuses = %s, %v; want %s, OK", got, err, want)
		}
	})
	t.Run("a delivered order is sent once, then OK", func(t *testing.T) {
		stream, err := e.client.WatchOrder(t.Context(), &ordersv1.WatchOrderRequest{OrderId: id})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := watchAll(stream); got != "DELIVERED" || err != nil {
			t.Errorf("statuses = %s, %v; want DELIVERED, OK", got, err)
		}
	})
}

func TestWatchOrderSendsTheCurrentStatusFirst(t *testing.T) {
	store := testutil.NewOrderStore(t)
	e := newEnvWith(t, orders.Config{Orders: store, TrackInterval: time.Hour})
	id := e.place(t, items("product-123", 1))
	if _, err := store.Advance(t.Context(), id, ordersv1.OrderStatus_ORDER_STATUS_IN_TRANSIT); err != nil {
		t.Fatal(err)
	}
	stream, err := e.client.WatchOrder(t.Context(), &ordersv1.WatchOrderRequest{OrderId: id})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if got := resp.GetStatus().GetStatus(); err != nil || got != ordersv1.OrderStatus_ORDER_STATUS_IN_TRANSIT {
		t.Errorf("first status = %v, %v; want IN_TRANSIT, what the store holds", got, err)
	}
}

func TestWatchOrderRefusesBadRequests(t *testing.T) {
	e := newEnv(t, time.Hour)
	id := e.place(t, items("product-123", 1))
	bob := e.dial(e.keys.Token(t, "bob", auth.ScopeWriteOrders))
	tests := []struct {
		name   string
		client ordersv1.OrderManagementServiceClient
		id     string
		want   codes.Code
	}{
		{"no order id", e.client, " ", codes.InvalidArgument},
		{"an id that is not an id", e.client, "order 1", codes.InvalidArgument},
		{"an unknown order", e.client, "order-404", codes.NotFound},
		{"someone else's order, as if unknown", bob, id, codes.NotFound},
		{"no token", e.dial(""), id, codes.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stream, err := tt.client.WatchOrder(t.Context(), &ordersv1.WatchOrderRequest{OrderId: tt.id})
			if err != nil {
				t.Fatal(err)
			}
			got, err := watchAll(stream)
			if status.Code(err) != tt.want || got != "" {
				t.Errorf("watch = %q, %v; want no status and %v", got, err, tt.want)
			}
		})
	}
}

func TestWatchOrderEndsWhenTheServerStops(t *testing.T) {
	e := newEnv(t, time.Hour)
	id := e.place(t, items("product-123", 1))
	stream, err := e.client.WatchOrder(t.Context(), &ordersv1.WatchOrderRequest{OrderId: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	close(e.stopping)
	if _, err := stream.Recv(); status.Code(err) != codes.Unavailable {
		t.Fatalf("Recv after the server began stopping = %v, want Unavailable", err)
	}
}

func TestWatchOrderEndsWhenTheClientCancels(t *testing.T) {
	e := newEnv(t, time.Hour)
	id := e.place(t, items("product-123", 1))
	ctx, cancel := context.WithCancel(t.Context())
	stream, err := e.client.WatchOrder(ctx, &ordersv1.WatchOrderRequest{OrderId: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	testutil.WaitFor(t, "the handler to return", func() bool {
		return strings.Contains(e.logs.String(), `msg="watching an order ended" order=`+id)
	})
	if !strings.Contains(e.logs.String(), "code=Canceled") {
		t.Errorf("handler did not end with Canceled:\n%s", e.logs.String())
	}
}

func TestWatchOrderOfACancelledOrderEndsAtOnce(t *testing.T) {
	store := testutil.NewOrderStore(t)
	e := newEnvWith(t, orders.Config{Orders: store, TrackInterval: time.Hour})
	id := e.place(t, items("product-123", 1))
	if _, err := store.Advance(t.Context(), id, ordersv1.OrderStatus_ORDER_STATUS_CANCELLED); err != nil {
		t.Fatal(err)
	}
	stream, err := e.client.WatchOrder(t.Context(), &ordersv1.WatchOrderRequest{OrderId: id})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := watchAll(stream); got != "CANCELLED" || err != nil {
		t.Errorf("statuses = %s, %v; want CANCELLED, OK", got, err)
	}
}

// TestWatchOrderCapsWatchersPerConnection: one connection holds at most
// MaxOrderWatchersPerConn watches; one more is refused with
// ResourceExhausted, and a watch that ends frees its slot.
func TestWatchOrderCapsWatchersPerConnection(t *testing.T) {
	e := newEnv(t, time.Hour)
	id := e.place(t, items("product-123", 1))
	open := func(ctx context.Context) error {
		stream, err := e.client.WatchOrder(ctx, &ordersv1.WatchOrderRequest{OrderId: id})
		if err != nil {
			return err
		}
		_, err = stream.Recv()
		return err
	}
	cancels := make([]context.CancelFunc, orders.MaxOrderWatchersPerConn)
	for i := range cancels {
		ctx, cancel := context.WithCancel(t.Context())
		cancels[i] = cancel
		defer cancel()
		if err := open(ctx); err != nil {
			t.Fatalf("watch %d = %v, want its first status", i+1, err)
		}
	}
	t.Run("one more is refused with ResourceExhausted", func(t *testing.T) {
		if err := open(t.Context()); status.Code(err) != codes.ResourceExhausted {
			t.Errorf("watch %d = %v, want ResourceExhausted", orders.MaxOrderWatchersPerConn+1, err)
		}
	})
	t.Run("a watch that ends frees its slot", func(t *testing.T) {
		cancels[0]()
		testutil.WaitFor(t, "the first watch to end", func() bool {
			return strings.Contains(e.logs.String(), "code=Canceled")
		})
		if err := open(t.Context()); err != nil {
			t.Errorf("watch after one ended = %v, want its first status", err)
		}
	})
}
