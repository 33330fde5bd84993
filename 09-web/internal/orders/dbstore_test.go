package orders_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db/dbtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

func openStore(t *testing.T, k dbtest.Kind, dsn string) *orders.DBStore {
	t.Helper()
	s, err := orders.OpenStore(t.Context(), k.OpenDSN(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newOrder(customer string) *ordersv1.Order {
	return &ordersv1.Order{Id: orders.NewOrderID(), CustomerId: customer, Status: ordersv1.OrderStatus_ORDER_STATUS_PENDING,
		Items: []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 2}}}
}

var usd = &commonv1.Money{CurrencyCode: "USD", Units: 51, Nanos: 980_000_000}

func TestOneRequestIDRecordsOneOrderAcrossReplicas(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		dsn := k.DSN(t)
		stores := []*orders.DBStore{openStore(t, k, dsn), openStore(t, k, dsn)} // two replicas of orders
		const racers = 8
		created := make([]bool, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				_, ok, err := stores[i%2].Add(t.Context(), newOrder("alice"), "r1")
				if err != nil && !errors.Is(err, orders.ErrPending) {
					t.Error(err)
				}
				created[i] = ok
			})
		}
		wg.Wait()
		n := 0
		for _, ok := range created {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d of %d racing requests recorded an order, want 1", n, racers)
		}
		if _, ok, _ := stores[0].Add(t.Context(), newOrder("bob"), "r1"); !ok {
			t.Error("bob's r1 was taken by alice's: a request_id must be scoped to its caller")
		}
	})
}

func TestAnOrderIsSettledOnce(t *testing.T) {
	tests := []struct {
		name      string
		settle    func(t *testing.T, s *orders.DBStore, id string)
		wantFound bool // Get finds it
		wantKey   bool // the request_id still leads to it
		wantOwed  int
	}{
		{"a placed order is found, by id and by request_id", func(t *testing.T, s *orders.DBStore, id string) {
			if _, err := s.Placed(t.Context(), id, usd); err != nil {
				t.Fatal(err)
			}
		}, true, true, 0},
		{"a refused order frees its request_id and owes nothing", func(t *testing.T, s *orders.DBStore, id string) {
			if err := s.Failed(t.Context(), id, false); err != nil {
				t.Fatal(err)
			}
		}, false, false, 0},
		{"a failed order frees its request_id and owes its release", func(t *testing.T, s *orders.DBStore, id string) {
			if err := s.Failed(t.Context(), id, true); err != nil {
				t.Fatal(err)
			}
		}, false, false, 1},
		{"an abandoned order is settled as failed, its release owed, and cannot be placed after", func(t *testing.T,
			s *orders.DBStore, id string) {
			if n, err := s.Settle(t.Context(), 0); err != nil || n != 1 {
				t.Fatalf("Settle = %d, %v; want 1 order settled", n, err)
			}
			if _, err := s.Placed(t.Context(), id, usd); !errors.Is(err, orders.ErrSettled) {
				t.Fatalf("Placed after Settle = %v, want ErrSettled", err)
			}
		}, false, false, 1},
	}
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := openStore(t, k, k.DSN(t))
				o, _, err := s.Add(t.Context(), newOrder("alice"), "r1")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.ByRequest(t.Context(), "alice", "r1"); !errors.Is(err, orders.ErrPending) {
					t.Fatalf("ByRequest before settling = %v, want ErrPending", err)
				}
				if n, _ := s.Settle(t.Context(), time.Hour); n != 0 {
					t.Fatalf("Settle settled %d orders younger than its age", n)
				}
				tt.settle(t, s, o.GetId())
				got, err := s.Get(t.Context(), o.GetId())
				found := err == nil
				if found != tt.wantFound {
					t.Errorf("Get = %v, %v; want found %v", got, err, tt.wantFound)
				}
				if found && (got.GetTotal().GetUnits() != 51 || len(got.GetItems()) != 1 || !got.GetCreatedAt().IsValid()) {
					t.Errorf("Get = %v, want the order as placed", got)
				}
				_, err = s.ByRequest(t.Context(), "alice", "r1")
				if keyed := err == nil; keyed != tt.wantKey {
					t.Errorf("ByRequest = %v, want the request_id held %v", err, tt.wantKey)
				}
				owed, err := s.Owed(t.Context(), 10)
				if err != nil || len(owed) != tt.wantOwed {
					t.Errorf("Owed = %v, %v; want %d", owed, err, tt.wantOwed)
				}
				for _, o := range owed {
					if err := s.Released(t.Context(), o.Order); err != nil {
						t.Fatal(err)
					}
				}
				if owed, _ := s.Owed(t.Context(), 10); len(owed) != 0 {
					t.Errorf("Owed after Released = %v, want none", owed)
				}
			})
		}
	})
}
