package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db/dbtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/devpki"
	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	inventoryv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/inventory/v1"
)

// keyboard is the sample product with the least stock: 25 units.
const keyboard = "product-456"

// shop is a test's catalog replicas on one store, seen as the orders
// service (which reserves) and as a user (who watches) sees them.
type shop struct {
	t    *testing.T
	pki  *testutil.PKI
	args []string
}

// newShop gives the replicas of a test a store of kind k, and no simulated
// sales: the tests count every unit.
func newShop(t *testing.T, k dbtest.Kind) *shop {
	pki := testutil.NewPKI(t)
	return &shop{t: t, pki: pki, args: append(pki.Flags("catalog"),
		"-addr=127.0.0.1:0", "-db="+k.DSN(t), "-update-interval=1h")}
}

func (s *shop) start(n int) []*replica { return startReplicas(s.t, n, s.args...) }

func (s *shop) inventory(r *replica) inventoryv1.InventoryServiceClient {
	creds, err := s.pki.Files("orders").ClientCreds()
	if err != nil {
		s.t.Fatal(err)
	}
	return inventoryv1.NewInventoryServiceClient(dial(s.t, r.addr, creds))
}

func (s *shop) catalog(r *replica) catalogv1.ProductCatalogServiceClient {
	creds, err := credentials.NewClientTLSFromFile(s.pki.Path(devpki.CACert), "")
	if err != nil {
		s.t.Fatal(err)
	}
	return catalogv1.NewProductCatalogServiceClient(dial(s.t, r.addr, creds))
}

func reservation(order string, units int32) *inventoryv1.ReserveStockRequest {
	return &inventoryv1.ReserveStockRequest{OrderId: order,
		Items: []*inventoryv1.StockItem{{ProductId: keyboard, Quantity: units}}}
}

// waitLevel watches the keyboard on r until r reports want units. It gives
// up after a minute, a hang detector: the level must come, however slowly.
func (s *shop) waitLevel(r *replica, want int32) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.t.Context(), time.Minute)
	defer cancel()
	stream, err := s.catalog(r).WatchProducts(ctx, &catalogv1.WatchProductsRequest{ProductIds: []string{keyboard}})
	if err != nil {
		s.t.Fatal(err)
	}
	last := int32(-1)
	for last != want {
		resp, err := stream.Recv()
		if err != nil {
			s.t.Fatalf("replica %s reports %d units, want %d (%v); its log:\n%s", r.addr, last, want, err, r.logs)
		}
		last = resp.GetInventory().GetQuantity()
	}
}

// TestReplicasOnOneStoreNeverOversell is 60 one-unit reservations at once,
// half on each replica, for 25 units: exactly 25 succeed.
func TestReplicasOnOneStoreNeverOversell(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		s := newShop(t, k)
		replicas := s.start(2)
		clients := []inventoryv1.InventoryServiceClient{s.inventory(replicas[0]), s.inventory(replicas[1])}
		var wg sync.WaitGroup
		var mu sync.Mutex
		reserved, refused := 0, 0
		for i := range 60 {
			wg.Go(func() {
				_, err := clients[i%2].ReserveStock(t.Context(), reservation(fmt.Sprintf("order-%d", i), 1))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					reserved++
				case rpcerr.Reason(err) == rpcerr.ReasonInsufficientStock:
					refused++
				default:
					t.Errorf("order-%d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if reserved != 25 || refused != 35 {
			t.Errorf("%d reserved and %d refused, want 25 and 35: 25 units exist", reserved, refused)
		}
		for _, r := range replicas {
			s.waitLevel(r, 0)
		}
	})
}

// TestARestartedReplicaKeepsWhatWasSold sells 10, kills a replica as a
// crash would and starts it again: it must not seed the stock again.
func TestARestartedReplicaKeepsWhatWasSold(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		s := newShop(t, k)
		replicas := s.start(2)
		for i := range 10 {
			order := reservation(fmt.Sprintf("order-%d", i), 1)
			if _, err := s.inventory(replicas[i%2]).ReserveStock(t.Context(), order); err != nil {
				t.Fatal(err)
			}
		}
		replicas[0].kill(t)
		replicas[0] = startReplica(t, s.args...)
		for _, r := range replicas {
			s.waitLevel(r, 15)
		}
	})
}

// TestAReleaseOnAnotherReplicaGivesBack reserves on A and releases on B, as
// round_robin may send them.
func TestAReleaseOnAnotherReplicaGivesBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		s := newShop(t, k)
		replicas := s.start(2)
		if _, err := s.inventory(replicas[0]).ReserveStock(t.Context(), reservation("order-1", 3)); err != nil {
			t.Fatal(err)
		}
		s.waitLevel(replicas[1], 22)
		release := &inventoryv1.ReleaseStockRequest{OrderId: "order-1"}
		resp, err := s.inventory(replicas[1]).ReleaseStock(t.Context(), release)
		if err != nil || !resp.GetReleasedNow() {
			t.Fatalf("release on the other replica = %v, %v; want released_now", resp, err)
		}
		again, err := s.inventory(replicas[0]).ReleaseStock(t.Context(), release)
		if err != nil || again.GetReleasedNow() {
			t.Fatalf("second release = %v, %v; want nothing given back twice", again, err)
		}
		for _, r := range replicas {
			s.waitLevel(r, 25)
		}
	})
}

// TestAWatcherSeesChangesMadeOnOtherReplicas watches on A and reserves on
// B. FeedInterval (100 ms) is how soon it arrives; the test waits for it
// without a time limit, and logs how long it took.
func TestAWatcherSeesChangesMadeOnOtherReplicas(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		s := newShop(t, k)
		replicas := s.start(2)
		s.waitLevel(replicas[0], 25)
		start := time.Now()
		if _, err := s.inventory(replicas[1]).ReserveStock(t.Context(), reservation("order-1", 2)); err != nil {
			t.Fatal(err)
		}
		s.waitLevel(replicas[0], 23)
		t.Logf("the watcher on A saw the reservation on B %v after it was made",
			time.Since(start).Round(time.Millisecond))
	})
}

// TestARetryOnAnotherReplicaTakesNothingTwice: a reservation committed on
// A, its answer lost, is retried on B, as the retry policy does on
// Unavailable. B answers from the stored reservation.
func TestARetryOnAnotherReplicaTakesNothingTwice(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		s := newShop(t, k)
		replicas := s.start(2)
		first, err := s.inventory(replicas[0]).ReserveStock(t.Context(), reservation("order-1", 4))
		if err != nil || !first.GetReservedNow() {
			t.Fatalf("first reservation = %v, %v; want reserved_now", first, err)
		}
		retry, err := s.inventory(replicas[1]).ReserveStock(t.Context(), reservation("order-1", 4))
		items := retry.GetItems()
		if err != nil || retry.GetReservedNow() || len(items) != 1 || items[0].GetQuantity() != 4 {
			t.Fatalf("retry on the other replica = %v, %v; want the same 4 units, not reserved now", retry, err)
		}
		for _, r := range replicas {
			s.waitLevel(r, 21)
		}
	})
}

var migrationsApplied = regexp.MustCompile(`msg="stock store ready" db=\S+ migrations_applied=(\d+)`)

// TestReplicasStartingTogetherMigrateOnce starts two replicas at once on an
// empty store: between them they apply each migration once.
func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		dsn := k.DSN(t)
		pki := testutil.NewPKI(t)
		replicas := startReplicas(t, 2, append(pki.Flags("catalog"), "-addr=127.0.0.1:0", "-db="+dsn)...)
		applied := 0
		for _, r := range replicas {
			var m []string
			testutil.WaitFor(t, "the replica to log its migrations", func() bool {
				m = migrationsApplied.FindStringSubmatch(r.logs.String())
				return m != nil
			})
			n, _ := strconv.Atoi(m[1])
			applied += n
		}
		store := k.OpenDSN(t, dsn)
		var steps, stocked int
		if err := store.QueryRow(t.Context(), "SELECT COUNT(*) FROM schema_migrations WHERE component = ?", "catalog").
			Scan(&steps); err != nil {
			t.Fatal(err)
		}
		if applied != steps || steps == 0 {
			t.Errorf("the replicas applied %d migrations between them; the store records %d steps", applied, steps)
		}
		if err := store.QueryRow(t.Context(), "SELECT available FROM stock WHERE product_id = ?", keyboard).
			Scan(&stocked); err != nil || stocked != 25 {
			t.Errorf("the keyboard is stocked with %d (%v), want 25: seeded once", stocked, err)
		}
	})
}
