package inventory

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db/dbtest"
)

// replica opens the store at dsn as one catalog replica does.
func replica(t *testing.T, k dbtest.Kind, dsn string) *Stock {
	t.Helper()
	d := k.OpenDSN(t, dsn)
	if _, err := Migrate(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newStock is one replica on a new store holding a=10 and b=20.
func newStock(t *testing.T, k dbtest.Kind) (*Stock, string) {
	t.Helper()
	dsn := k.DSN(t)
	s := replica(t, k, dsn)
	if n, err := s.Seed(t.Context(), map[string]int32{"a": 10, "b": 20}); err != nil || n != 2 {
		t.Fatalf("Seed = %d, %v; want 2 products added", n, err)
	}
	return s, dsn
}

func level(t *testing.T, s *Stock, id string) int32 {
	t.Helper()
	l, ok := s.Level(id)
	if !ok {
		t.Fatalf("no product %s", id)
	}
	return l.Quantity
}

func TestSeedingHappensOncePerStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		s, dsn := newStock(t, k)
		if _, err := s.Adjust(t.Context(), "a", -4); err != nil {
			t.Fatal(err)
		}
		restarted := replica(t, k, dsn)
		n, err := restarted.Seed(t.Context(), map[string]int32{"a": 1000, "b": 1000, "c": 5})
		if err != nil || n != 1 {
			t.Fatalf("Seed of a seeded store = %d, %v; want only the new product c added", n, err)
		}
		for id, want := range map[string]int32{"a": 6, "b": 20, "c": 5} {
			if got := level(t, restarted, id); got != want {
				t.Errorf("%s = %d after a second seed, want %d", id, got, want)
			}
		}
	})
}

// TestAReplicaSeesStockAnotherSeeded: two replicas open an empty store at
// once and the other one seeds it; this one's view must hold the products.
func TestAReplicaSeesStockAnotherSeeded(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		dsn := k.DSN(t)
		a, b := replica(t, k, dsn), replica(t, k, dsn)
		for i, s := range []*Stock{a, b} {
			if _, err := s.Seed(t.Context(), map[string]int32{"a": 10}); err != nil {
				t.Fatalf("replica %d: %v", i, err)
			}
		}
		if _, ok := b.Level("a"); !ok {
			t.Error("the replica that found the store seeded does not hold its products")
		}
	})
}

func TestAdjustRefusesNegativeStock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		s, _ := newStock(t, k)
		if _, err := s.Adjust(t.Context(), "a", -11); !errors.Is(err, ErrInsufficientStock) {
			t.Errorf("took 11 of 10 units: %v", err)
		}
		if got := level(t, s, "a"); got != 10 {
			t.Errorf("a = %d after a refused change, want 10", got)
		}
		if _, err := s.Adjust(t.Context(), "nope", 1); !errors.Is(err, ErrUnknownProduct) {
			t.Errorf("err = %v, want ErrUnknownProduct", err)
		}
	})
}

func TestLevelsAreStampedByTheStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		s, _ := newStock(t, k)
		l, err := s.Adjust(t.Context(), "a", 1)
		if err != nil {
			t.Fatal(err)
		}
		var micros int64
		err = s.db.QueryRow(t.Context(), "SELECT updated_at FROM stock WHERE product_id = 'a'").Scan(&micros)
		if err != nil {
			t.Fatal(err)
		}
		if !l.UpdatedAt.Equal(time.UnixMicro(micros)) || micros == 0 {
			t.Errorf("level stamped %v, store says %v", l.UpdatedAt, time.UnixMicro(micros))
		}
	})
}

// TestTheFeedBringsChangesFromOtherReplicas: a change through B reaches a
// watcher on A, even when A has made a newer change of its own since.
func TestTheFeedBringsChangesFromOtherReplicas(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		a, dsn := newStock(t, k)
		b := replica(t, k, dsn)
		sub, err := a.Subscribe([]string{"a", "b"})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		next(t, sub)
		if _, err := b.Adjust(t.Context(), "b", -5); err != nil { // A has not read it yet
			t.Fatal(err)
		}
		if _, err := a.Adjust(t.Context(), "a", -1); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		defer wg.Wait()
		defer cancel()
		wg.Go(func() { a.Follow(ctx, time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil))) })
		seen := map[string]int32{}
		for seen["a"] != 9 || seen["b"] != 15 {
			for id, q := range quantities(next(t, sub)) {
				seen[id] = q
			}
		}
	})
}

func TestSimulateChangesEveryProductAndStops(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		s, _ := newStock(t, k)
		sub, _ := s.Subscribe([]string{"a", "b"})
		defer sub.Close()
		next(t, sub)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			Simulate(ctx, s, time.Millisecond, rand.New(rand.NewPCG(1, 2)))
		}()
		seen := map[string]bool{}
		for len(seen) < 2 {
			for _, l := range next(t, sub) {
				seen[l.ProductID] = true
				if l.Quantity < 0 {
					t.Errorf("%s went negative: %d", l.ProductID, l.Quantity)
				}
			}
		}
		cancel()
		<-done // Simulate must return once ctx ends; goleak checks nothing else runs
	})
}

// TestOneReplicaRunsEachRound: two replicas reach the same round; the store
// lets one of them run it, so the shop does not sell twice as fast.
func TestOneReplicaRunsEachRound(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		a, dsn := newStock(t, k)
		b := replica(t, k, dsn)
		rng := rand.New(rand.NewPCG(1, 2))
		for _, s := range []*Stock{a, b, a} {
			if err := s.simulateRound(t.Context(), time.Hour, rng); err != nil {
				t.Fatal(err)
			}
		}
		var seq int64
		if err := a.db.QueryRow(t.Context(), "SELECT seq FROM feed").Scan(&seq); err != nil {
			t.Fatal(err)
		}
		if seq != 2 { // the seed, then one round
			t.Errorf("feed at %d after three tries in one interval, want 2: one round ran", seq)
		}
	})
}
