package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/auth"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/catalog"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/catalogclient"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/db/dbtest"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/devpki"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/orders"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/testutil"

	ordersv1 "github.com/learn-grpc/learn-grpc/07-microservices/gen/ecommerce/orders/v1"
)

// ordersOn starts orders on the database dsn, in front of the catalog at
// catalogAt (an address or a list), and returns it with a client for alice.
func ordersOn(t *testing.T, pki *testutil.PKI, dsn, catalogAt string) (ordersv1.OrderManagementServiceClient, *testutil.Running) {
	t.Helper()
	running := testutil.Start(t, run, append(pki.Flags("orders"),
		"-addr=127.0.0.1:0", "-catalog="+catalogAt, "-db="+dsn)...)
	creds, err := credentials.NewClientTLSFromFile(pki.Path(devpki.CACert), "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(running.Addr, grpc.WithTransportCredentials(creds),
		grpc.WithPerRPCCredentials(authtest.Bearer(pki.Keys.Token(t, "alice", auth.ScopeWriteOrders))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return ordersv1.NewOrderManagementServiceClient(conn), running
}

// addrs joins the replicas' addresses as -catalog takes them.
func addrs(replicas ...*testutil.Service) string {
	var list []string
	for _, r := range replicas {
		list = append(list, r.Addr)
	}
	return strings.Join(list, ",")
}

// storeOf opens the orders' database as the test's own reader.
func storeOf(t *testing.T, k dbtest.Kind, dsn string) *orders.DBStore {
	t.Helper()
	s, err := orders.OpenStore(t.Context(), k.OpenDSN(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func placedUnits(t *testing.T, s *orders.DBStore, product string) int32 {
	t.Helper()
	n, err := s.PlacedUnits(t.Context(), product)
	if err != nil {
		t.Fatal(err)
	}
	return int32(n)
}

// TestDuplicatesRacingTakeStockOnce: request ids each sent twice at once to
// orders in front of two replicas. The request id is claimed in the database
// before stock is reserved, so only one of each pair reserves: the units
// taken are the units in stored orders, none leak through a release sent to
// the replica that holds nothing, and stock for one of each pair is enough.
func TestDuplicatesRacingTakeStockOnce(t *testing.T) {
	tests := []struct {
		name     string
		product  string
		ids      int
		catalogs func(t *testing.T, pki *testutil.PKI) (a, b *testutil.Service, taken func() int32)
	}{
		{"replicas with a store each: no release leaks", "product-321", 100,
			func(t *testing.T, pki *testutil.PKI) (a, b *testutil.Service, taken func() int32) {
				a, b = testutil.StartCatalog(t, pki, 0), testutil.StartCatalog(t, pki, 0)
				return a, b, func() int32 { return held(t, "product-321", a, b) }
			}},
		{"replicas on one store with stock for one of each pair: every order is placed", "product-456", 25,
			func(t *testing.T, pki *testutil.PKI) (a, b *testutil.Service, taken func() int32) {
				a, b = catalogsOnOneStock(t, pki)
				return a, b, func() int32 { return held(t, "product-456", b) }
			}},
	}
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				pki := testutil.NewPKI(t)
				a, b, taken := tt.catalogs(t, pki)
				dsn := k.DSN(t)
				client, _ := ordersOn(t, pki, dsn, addrs(a, b))
				got := make([][2]string, tt.ids)
				var wg sync.WaitGroup
				for i := range tt.ids {
					for j := range 2 {
						wg.Go(func() {
							req := order(tt.product, 1)
							req.RequestId = fmt.Sprintf("dup-%d", i)
							resp, err := placeRetrying(client, req)
							if err != nil {
								t.Errorf("CreateOrder %s: %v", req.RequestId, err)
							}
							got[i][j] = resp.GetOrder().GetId()
						})
					}
				}
				wg.Wait()
				for i, pair := range got {
					if pair[0] != pair[1] {
						t.Errorf("dup-%d placed %s and %s, want one order", i, pair[0], pair[1])
					}
				}
				stored := placedUnits(t, storeOf(t, k, dsn), tt.product)
				// A failed attempt's stock comes back, at once or from the outbox.
				settled := time.Now().Add(90 * time.Second)
				for taken() != stored && time.Now().Before(settled) {
					time.Sleep(50 * time.Millisecond)
				}
				if n := taken(); n != stored || stored != int32(tt.ids) {
					t.Errorf("the catalog holds %d units of %s for %d units in stored orders, want %d and %d",
						n, tt.product, stored, tt.ids, tt.ids)
				}
			})
		}
	})
}

// placeRetrying places an order as a careful client does: a call refused
// with a status that asks for a retry (a busy store, a duplicate still being
// placed) is sent again, with the same request_id, until it is answered.
func placeRetrying(client ordersv1.OrderManagementServiceClient, req *ordersv1.CreateOrderRequest) (
	*ordersv1.CreateOrderResponse, error) {
	giveUp := time.Now().Add(2 * time.Minute)
	for pause := 20 * time.Millisecond; ; pause = min(2*pause, time.Second) {
		resp, err := client.CreateOrder(context.Background(), req)
		switch status.Code(err) {
		case codes.Unavailable, codes.Aborted, codes.DeadlineExceeded:
			if time.Now().Before(giveUp) {
				time.Sleep(pause)
				continue
			}
		}
		return resp, err
	}
}

// TestOrdersSurviveARestart: an order placed before orders restarts is
// still found, and its request id still leads to it, not to a new order.
func TestOrdersSurviveARestart(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		pki := testutil.NewPKI(t)
		cat := testutil.StartCatalog(t, pki, 0)
		dsn := k.DSN(t)
		client, first := ordersOn(t, pki, dsn, cat.Addr)
		req := order("product-123", 2)
		req.RequestId = "before-the-restart"
		placed, err := client.CreateOrder(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Stop(); err != nil {
			t.Fatal(err)
		}
		client, _ = ordersOn(t, pki, dsn, cat.Addr)
		tests := []struct {
			name string
			call func() (*ordersv1.Order, error)
		}{
			{"the old order is still found", func() (*ordersv1.Order, error) {
				resp, err := client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: placed.GetOrder().GetId()})
				return resp.GetOrder(), err
			}},
			{"its request id returns the same order", func() (*ordersv1.Order, error) {
				resp, err := client.CreateOrder(t.Context(), req)
				return resp.GetOrder(), err
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.call()
				if err != nil {
					t.Fatal(err)
				}
				want := placed.GetOrder()
				if got.GetId() != want.GetId() || got.GetTotal().GetUnits() != want.GetTotal().GetUnits() ||
					!got.GetCreatedAt().AsTime().Equal(want.GetCreatedAt().AsTime()) {
					t.Errorf("got %v, want the order placed before the restart, %v", got, placed.GetOrder())
				}
			})
		}
		if got := held(t, "product-123", cat); got != 2 {
			t.Errorf("the catalog holds %d units of product-123, want 2: the order's, once", got)
		}
	})
}

// TestAnOwedReleaseReachesACatalogThatComesBack: orders stopped halfway
// through an order whose stock the catalog holds, and the catalog is down
// when orders settles it. The release is owed in the database and the
// relay retries it, across a restart of orders too, until the catalog is
// back: then the stock returns within 5s and nothing is owed.
func TestAnOwedReleaseReachesACatalogThatComesBack(t *testing.T) {
	tests := []struct {
		name    string
		restart bool // orders restarts while the catalog is down
	}{
		{"the catalog returns", false},
		{"orders restarts, then the catalog returns", true},
	}
	settleAfter = time.Nanosecond // every order found being placed at start was left by a crash
	t.Cleanup(func() { settleAfter = orders.SettleAfter })
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				pki := testutil.NewPKI(t)
				cat := testutil.StartCatalog(t, pki, 0)
				dsn := k.DSN(t)
				store := storeOf(t, k, dsn)
				id := halfPlaced(t, pki, cat, store)
				link := newProxy(t, cat.Addr)
				link.Down()
				_, running := ordersOn(t, pki, dsn, link.Addr)
				testutil.WaitFor(t, "orders to try the release", func() bool {
					return strings.Contains(running.Logs.String(), "owed release not delivered")
				})
				if tt.restart {
					if err := running.Stop(); err != nil {
						t.Fatal(err)
					}
					_, running = ordersOn(t, pki, dsn, link.Addr)
				}
				if got := held(t, "product-123", cat); got != 3 {
					t.Fatalf("the catalog holds %d units of product-123 before it is reachable, want 3", got)
				}
				link.Up(t)
				deadline := time.Now().Add(5 * time.Second)
				for held(t, "product-123", cat) != 0 || debts(t, store) != 0 {
					if time.Now().After(deadline) {
						t.Fatalf("5s after the catalog came back: %d units held, %d releases owed; want 0 and 0\n%s",
							held(t, "product-123", cat), debts(t, store), running.Logs)
					}
					time.Sleep(10 * time.Millisecond)
				}
				if !strings.Contains(cat.Logs.String(), `msg="released stock" order=`+id) {
					t.Errorf("the catalog did not log the release of %s:\n%s", id, cat.Logs)
				}
			})
		}
	})
}

// halfPlaced leaves what an orders process that stopped between
// ReserveStock and recording the outcome leaves: the catalog holds three
// units for an order that the store holds as being placed.
func halfPlaced(t *testing.T, pki *testutil.PKI, cat *testutil.Service, store *orders.DBStore) string {
	t.Helper()
	o := &ordersv1.Order{Id: orders.NewOrderID(), CustomerId: "alice", Status: ordersv1.OrderStatus_ORDER_STATUS_PENDING,
		Items: []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 3}}}
	if _, _, err := store.Add(t.Context(), o, ""); err != nil {
		t.Fatal(err)
	}
	creds, err := pki.Files("orders").ClientCreds()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := catalogclient.Dial(cat.Addr, creds)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := catalogclient.New(conn).Reserve(t.Context(), o.GetId(), map[string]int32{"product-123": 3}); err != nil {
		t.Fatal(err)
	}
	return o.GetId()
}

func debts(t *testing.T, s *orders.DBStore) int {
	t.Helper()
	n, err := s.Debts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAReplicaKilledUnderLoadLosesNoStock: after one of two catalog
// replicas on one store is killed while orders are placed, available + held
// is the initial stock and held is what the stored orders hold: a call cut
// short on the dead replica and retried on the other takes stock once.
func TestAReplicaKilledUnderLoadLosesNoStock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		pki := testutil.NewPKI(t)
		a, b := catalogsOnOneStock(t, pki)
		dsn := k.DSN(t)
		client, _ := ordersOn(t, pki, dsn, addrs(a, b))
		const total, killAt = 120, 30
		var (
			mu     sync.Mutex
			placed int
			wg     sync.WaitGroup
			next   = make(chan int)
		)
		for range 4 {
			wg.Go(func() {
				for i := range next {
					req := order("product-321", 1)
					req.RequestId = fmt.Sprintf("load-%d", i)
					_, err := client.CreateOrder(t.Context(), req)
					mu.Lock()
					if err == nil {
						if placed++; placed == killAt {
							a.Srv.Close() // as a crash would
						}
					}
					mu.Unlock()
				}
			})
		}
		for i := range total {
			next <- i
		}
		close(next)
		wg.Wait()
		store := storeOf(t, k, dsn)
		testutil.WaitFor(t, "every owed release to be delivered", func() bool { return debts(t, store) == 0 })
		stored := placedUnits(t, store, "product-321")
		available, _ := b.Stock.Level("product-321")
		initial := catalog.SampleStock()["product-321"]
		if available.Quantity+stored != initial || stored != int32(placed) {
			t.Errorf("%d orders placed; %d units of product-321 available and %d in stored orders, want %d in all "+
				"and %d in stored orders", placed, available.Quantity, stored, initial, placed)
		}
	})
}

// catalogsOnOneStock starts two catalog replicas on one stock store.
func catalogsOnOneStock(t *testing.T, pki *testutil.PKI) (a, b *testutil.Service) {
	t.Helper()
	stock := testutil.NewStock(t)
	return testutil.StartCatalogOn(t, pki, stock), testutil.StartCatalogOn(t, pki, stock)
}
