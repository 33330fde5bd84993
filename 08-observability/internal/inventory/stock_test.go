package inventory

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixedClock returns a clock that advances one second per call, so levels
// carry distinct, predictable times.
func fixedClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2025, 12, 20, 14, 30, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func newStock() *Stock {
	return NewStock(map[string]int32{"a": 10, "b": 20}, fixedClock())
}

// next waits for the subscription to be ready and takes what is pending.
func next(t *testing.T, sub *Subscription) []Level {
	t.Helper()
	select {
	case <-sub.Ready():
		return sub.Take()
	case <-time.After(5 * time.Second):
		t.Fatal("no update arrived")
		return nil
	}
}

func quantities(levels []Level) map[string]int32 {
	m := map[string]int32{}
	for _, l := range levels {
		m[l.ProductID] = l.Quantity
	}
	return m
}

func TestSubscribeStartsWithCurrentLevels(t *testing.T) {
	s := newStock()
	if _, err := s.Adjust("a", -3); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe([]string{"b", "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got := next(t, sub)
	if len(got) != 2 || got[0].ProductID != "b" || got[1].ProductID != "a" {
		t.Fatalf("first levels = %+v, want b then a, in the order asked", got)
	}
	if got[1].Quantity != 7 {
		t.Errorf("a = %d, want the current level 7", got[1].Quantity)
	}
}

func TestFanOutToEverySubscriber(t *testing.T) {
	s := newStock()
	subs := make([]*Subscription, 100)
	for i := range subs {
		sub, err := s.Subscribe([]string{"a"})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		next(t, sub) // the current level
		subs[i] = sub
	}
	if _, err := s.Adjust("a", 5); err != nil {
		t.Fatal(err)
	}
	for i, sub := range subs {
		if got := quantities(next(t, sub)); got["a"] != 15 {
			t.Errorf("subscriber %d saw %v, want a=15", i, got)
		}
	}
}

func TestOnlyWatchedProductsArrive(t *testing.T) {
	s := newStock()
	sub, _ := s.Subscribe([]string{"a"})
	defer sub.Close()
	next(t, sub)
	_, _ = s.Adjust("b", 1)
	_, _ = s.Adjust("a", 1)
	if got := next(t, sub); len(got) != 1 || got[0].ProductID != "a" {
		t.Errorf("got %+v, want only a", got)
	}
}

// TestSlowSubscriberDoesNotBlock publishes many changes to a subscriber that
// never reads. Publishing must finish, and the reader then finds one level
// per product, the latest: its buffer is bounded by what it watches.
func TestSlowSubscriberDoesNotBlock(t *testing.T) {
	s := newStock()
	slow, _ := s.Subscribe([]string{"a", "b"})
	defer slow.Close()
	fast, _ := s.Subscribe([]string{"a"})
	defer fast.Close()
	next(t, fast)

	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 10_000 {
			_, _ = s.Adjust("a", 1)
		}
		_, _ = s.Adjust("b", 1)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("publishing is stuck behind a subscriber that does not read")
	}
	got := slow.Take()
	if len(got) != 2 {
		t.Fatalf("slow subscriber holds %d levels, want 2 (one per product)", len(got))
	}
	if q := quantities(got); q["a"] != 10_010 || q["b"] != 21 {
		t.Errorf("slow subscriber sees %v, want the latest levels a=10010 b=21", q)
	}
	if q := quantities(next(t, fast)); q["a"] != 10_010 {
		t.Errorf("fast subscriber ends at %v, want a=10010", q)
	}
}

// TestLevelsOfOneProductNeverGoBackwards reads while another goroutine
// publishes: whatever is skipped, each product's levels arrive in order.
func TestLevelsOfOneProductNeverGoBackwards(t *testing.T) {
	s := newStock()
	sub, _ := s.Subscribe([]string{"a"})
	defer sub.Close()
	const changes = 2000
	go func() {
		for range changes {
			_, _ = s.Adjust("a", 1)
		}
	}()
	last := int32(-1)
	for last < 10+changes {
		for _, l := range next(t, sub) {
			if l.Quantity <= last {
				t.Fatalf("level went from %d to %d", last, l.Quantity)
			}
			last = l.Quantity
		}
	}
}

func TestCloseUnsubscribes(t *testing.T) {
	s := newStock()
	sub, _ := s.Subscribe([]string{"a", "b"})
	if s.Watchers("a") != 1 || s.Watchers("b") != 1 {
		t.Fatal("subscription not registered")
	}
	sub.Close()
	sub.Close() // twice is fine
	if s.Watchers("a") != 0 || s.Watchers("b") != 0 {
		t.Errorf("watchers after Close: a=%d b=%d, want 0", s.Watchers("a"), s.Watchers("b"))
	}
}

func TestStockCloseEndsSubscriptions(t *testing.T) {
	s := newStock()
	sub, _ := s.Subscribe([]string{"a"})
	defer sub.Close()
	s.Close()
	select {
	case <-sub.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after Stock.Close")
	}
	late, err := s.Subscribe([]string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-late.Done():
	default:
		t.Error("a subscription made after Close is not done")
	}
}

func TestUnknownProductSubscribesNothing(t *testing.T) {
	s := newStock()
	if _, err := s.Subscribe([]string{"a", "nope"}); !errors.Is(err, ErrUnknownProduct) {
		t.Fatalf("err = %v, want ErrUnknownProduct", err)
	}
	if s.Watchers("a") != 0 {
		t.Error("a failed Subscribe left a subscription behind")
	}
}

func TestAdjustRefusesNegativeStock(t *testing.T) {
	s := newStock()
	if _, err := s.Adjust("a", -11); err == nil {
		t.Error("took 11 of 10 units")
	}
	if l, _ := s.Level("a"); l.Quantity != 10 {
		t.Errorf("a = %d after a refused change, want 10", l.Quantity)
	}
	if _, err := s.Adjust("nope", 1); !errors.Is(err, ErrUnknownProduct) {
		t.Errorf("err = %v, want ErrUnknownProduct", err)
	}
}

func TestSimulateChangesEveryProductAndStops(t *testing.T) {
	s := NewStock(map[string]int32{"a": 11, "b": 100}, fixedClock())
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
}

func TestTakeIsAllOrNothing(t *testing.T) {
	s := newStock()
	sub, _ := s.Subscribe([]string{"a", "b"})
	defer sub.Close()
	next(t, sub)
	if err := s.Take(map[string]int32{"a": 5, "b": 21}); !errors.Is(err, ErrInsufficientStock) {
		t.Fatalf("err = %v, want ErrInsufficientStock", err)
	}
	if err := s.Take(map[string]int32{"a": 1, "zzz": 1}); !errors.Is(err, ErrUnknownProduct) {
		t.Fatalf("err = %v, want ErrUnknownProduct", err)
	}
	if a, _ := s.Level("a"); a.Quantity != 10 {
		t.Fatalf("a = %d after refused takes, want 10: nothing may be taken", a.Quantity)
	}
	if err := s.Take(map[string]int32{"a": 5, "b": 20}); err != nil {
		t.Fatal(err)
	}
	if q := quantities(next(t, sub)); q["a"] != 5 || q["b"] != 0 {
		t.Errorf("watchers saw %v, want a=5 b=0", q)
	}
}
