package orders_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/catalog"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/inventory"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/orders"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/testutil"

	commonv1 "github.com/learn-grpc/learn-grpc/07-microservices/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/07-microservices/gen/ecommerce/orders/v1"
)

func TestARetriedCreateOrderPlacesOnce(t *testing.T) {
	t.Run("the same request_id gets the same order, and stock is taken once", func(t *testing.T) {
		e := newEnv(t, time.Second)
		req := &ordersv1.CreateOrderRequest{Items: items("product-123", 2), RequestId: "9b2f6c1e-retry"}
		first, err := e.client.CreateOrder(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.client.CreateOrder(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := again.GetOrder().GetId(), first.GetOrder().GetId(); got != want {
			t.Errorf("retry placed %s, want the first order %s", got, want)
		}
		if l, _ := e.stock.Level("product-123"); l.Quantity != 98 {
			t.Errorf("product-123 = %d after an order and its retry, want 98", l.Quantity)
		}
	})
	t.Run("requests racing with one request_id place one order", func(t *testing.T) {
		e := newEnv(t, time.Second)
		req := &ordersv1.CreateOrderRequest{Items: items("product-123", 1), RequestId: "race"}
		ids := make([]string, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				resp, err := e.client.CreateOrder(context.Background(), req)
				if err != nil {
					t.Error(err)
				}
				ids[i] = resp.GetOrder().GetId()
			})
		}
		wg.Wait()
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Fatalf("racing requests placed %v, want one order", ids)
			}
		}
		if l, _ := e.stock.Level("product-123"); l.Quantity != 99 {
			t.Errorf("product-123 = %d, want 99: stock taken once", l.Quantity)
		}
	})
	t.Run("a request_id reused for other items is InvalidArgument", func(t *testing.T) {
		e := newEnv(t, time.Second)
		if _, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-123", 1), RequestId: "r1"}); err != nil {
			t.Fatal(err)
		}
		_, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-456", 1), RequestId: "r1"})
		if status.Code(err) != codes.InvalidArgument || badField(err) != "request_id" {
			t.Errorf("reuse = %v, want InvalidArgument on request_id", err)
		}
	})
	t.Run("a request_id refused for want of stock places the order when retried after a restock", func(t *testing.T) {
		e := newEnv(t, time.Second)
		req := &ordersv1.CreateOrderRequest{Items: items("product-456", 30), RequestId: "after-restock"}
		if _, err := e.client.CreateOrder(t.Context(), req); status.Code(err) != codes.FailedPrecondition {
			t.Fatalf("CreateOrder of 30 of 25 = %v, want FailedPrecondition", err)
		}
		if _, err := e.stock.Adjust(t.Context(), "product-456", 10); err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.CreateOrder(t.Context(), req); err != nil {
			t.Fatalf("the same request after a restock = %v, want the order placed", err)
		}
		if l, _ := e.stock.Level("product-456"); l.Quantity != 5 {
			t.Errorf("product-456 = %d, want 5: 35 minus the one order", l.Quantity)
		}
	})
	t.Run("without a request_id, two requests are two orders", func(t *testing.T) {
		e := newEnv(t, time.Second)
		if a, b := e.place(t, items("product-123", 1)), e.place(t, items("product-123", 1)); a == b {
			t.Errorf("two orders share id %s", a)
		}
	})
}

// failingStore is a store that records orders but cannot place them, as a
// database that went down while the catalog held the stock.
type failingStore struct{ orders.Store }

func (failingStore) Placed(context.Context, string, *commonv1.Money) (*ordersv1.Order, error) {
	return nil, errors.New("database is down")
}

// forgetful reserves, but has nothing to give back on release: as a
// catalog whose stock the Relay gave back first.
type forgetful struct{ orders.Stock }

func (forgetful) Release(context.Context, string) (bool, error) { return false, nil }

func TestStockIsGivenBackWhenPlacingFails(t *testing.T) {
	tests := []struct {
		name      string
		forgetful bool
		wantLog   string
	}{
		{"the stock comes back, and the log says so", false, `msg="gave back a failed order's stock"`},
		{"a release given back before (by the Relay) is no warning", true,
			`released_now=false`}, // at INFO, in the line "gave back a failed order's stock"
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := orders.Config{Orders: failingStore{testutil.NewOrderStore(t)}}
			if tt.forgetful {
				c.Stock = forgetful{testutil.LocalStock(inventory.NewReservations(testutil.NewStock(t)),
					catalog.NewStore(catalog.SampleProducts(), 0))}
			}
			e := newEnvWith(t, c)
			_, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-123", 3, "product-456", 2)})
			if status.Code(err) != codes.Unavailable {
				t.Fatalf("CreateOrder = %v, want Unavailable", err)
			}
			for id, want := range map[string]int32{"product-123": 100, "product-456": 25} {
				if l, _ := e.stock.Level(id); l.Quantity != want && !tt.forgetful { // forgetful has its own stock
					t.Errorf("%s = %d after a failed order, want %d", id, l.Quantity, want)
				}
			}
			if !strings.Contains(e.logs.String(), tt.wantLog) {
				t.Errorf("logs lack %s:\n%s", tt.wantLog, e.logs)
			}
		})
	}
}

// pricey is a catalog where everything costs almost the most an int64 of
// nanos can hold.
type pricey struct{}

func (pricey) Prices(_ context.Context, ids []string) (map[string]*commonv1.Money, error) {
	prices := map[string]*commonv1.Money{}
	for _, id := range ids {
		prices[id] = &commonv1.Money{CurrencyCode: "USD", Units: math.MaxInt64 / 1_000_000_000}
	}
	return prices, nil
}

func TestAnOrderTotalThatWouldOverflowIsRefused(t *testing.T) {
	e := newEnvPriced(t, orders.Config{}, pricey{})
	_, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-123", 2)})
	if status.Code(err) != codes.InvalidArgument || badField(err) != "items" {
		t.Fatalf("CreateOrder = %v, want InvalidArgument on items", err)
	}
	if l, _ := e.stock.Level("product-123"); l.Quantity != 100 {
		t.Errorf("a refused order took stock: product-123 = %d", l.Quantity)
	}
}

func TestOrderIDsAreNotSequential(t *testing.T) {
	e := newEnv(t, time.Second)
	a, b := e.place(t, items("product-123", 1)), e.place(t, items("product-123", 1))
	for _, id := range []string{a, b} {
		if !orderID.MatchString(id) {
			t.Errorf("order id %q is not order- and 16 random characters", id)
		}
	}
	if a == b {
		t.Errorf("two orders got the id %s", a)
	}
}

// slowStock holds every reservation until release is closed.
type slowStock struct {
	orders.Stock
	release chan struct{}
}

func (s slowStock) Reserve(ctx context.Context, order string, q map[string]int32) (map[string]*commonv1.Money, error) {
	<-s.release
	return s.Stock.Reserve(ctx, order, q)
}

// countingStore counts the reads of a request_id's order.
type countingStore struct {
	orders.Store
	reads atomic.Int32
}

func (c *countingStore) ByRequest(ctx context.Context, customer, requestID string) (*ordersv1.Order, error) {
	c.reads.Add(1)
	return c.Store.ByRequest(ctx, customer, requestID)
}

// TestADuplicateOfASlowOrderBacksOff: a duplicate of a request that is
// still being placed looks for its outcome less and less often, so that
// duplicates of a slow order do not hammer the store; and gets the order.
func TestADuplicateOfASlowOrderBacksOff(t *testing.T) {
	store := &countingStore{Store: testutil.NewOrderStore(t)}
	slow := slowStock{testutil.LocalStock(inventory.NewReservations(testutil.NewStock(t)),
		catalog.NewStore(catalog.SampleProducts(), 0)), make(chan struct{})}
	e := newEnvWith(t, orders.Config{Orders: store, Stock: slow})
	req := &ordersv1.CreateOrderRequest{Items: items("product-123", 1), RequestId: "slow"}
	first := make(chan error, 1)
	go func() { _, err := e.client.CreateOrder(context.Background(), req); first <- err }()
	testutil.WaitFor(t, "the first request to be recorded", func() bool {
		_, err := store.Store.ByRequest(t.Context(), "alice", "slow")
		return errors.Is(err, orders.ErrPending)
	})
	dup := make(chan error, 1)
	go func() { _, err := e.client.CreateOrder(context.Background(), req); dup <- err }()
	time.Sleep(1500 * time.Millisecond) // a slow catalog; at a fixed 20 ms, 75 reads
	close(slow.release)
	if err := <-first; err != nil {
		t.Fatalf("first request = %v", err)
	}
	if err := <-dup; err != nil {
		t.Fatalf("duplicate = %v, want the first request's order", err)
	}
	// 20, 40, 80, 160, 320, 500 and 500 ms make 1.6 s in 8 reads.
	if got := store.reads.Load(); got > 15 {
		t.Errorf("the duplicate read the store %d times in 1.5 s, want it to back off (about 8)", got)
	}
}

// TestADuplicateLooksAgainBeforeItsDeadline: a duplicate whose backoff would
// sleep past its deadline looks once more just before it, and finds the
// order placed meanwhile. Its looks, from 20 ms doubling to 500 ms, come at
// about 20, 60, 140, 300 and 620 ms, and the next would be at 1120 ms.
func TestADuplicateLooksAgainBeforeItsDeadline(t *testing.T) {
	stock := testutil.NewStock(t)
	slow := slowStock{testutil.LocalStock(inventory.NewReservations(stock),
		catalog.NewStore(catalog.SampleProducts(), 0)), make(chan struct{})}
	store := testutil.NewOrderStore(t)
	e := newEnvWith(t, orders.Config{Orders: store, Stock: slow})
	req := &ordersv1.CreateOrderRequest{Items: items("product-123", 1), RequestId: "near-deadline"}
	first := make(chan error, 1)
	go func() { _, err := e.client.CreateOrder(context.Background(), req); first <- err }()
	testutil.WaitFor(t, "the first request to be recorded", func() bool {
		_, err := store.ByRequest(t.Context(), "alice", "near-deadline")
		return errors.Is(err, orders.ErrPending)
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	time.AfterFunc(650*time.Millisecond, func() { close(slow.release) })
	_, err := e.client.CreateOrder(ctx, req)
	if err != nil {
		t.Errorf("duplicate with a 1 s deadline, the order placed at 650 ms = %v, want the order", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("first request = %v", err)
	}
	if l, _ := stock.Level("product-123"); l.Quantity != 99 {
		t.Errorf("product-123 = %d after one order and its duplicate, want 99", l.Quantity)
	}
}
