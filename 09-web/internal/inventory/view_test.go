package inventory

import (
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newView returns a Stock with no store behind it, for tests of the view and
// its subscriptions alone; bump changes it as a committed change would.
func newView() *Stock {
	s := &Stock{levels: map[string]Level{}, subs: map[string]map[*Subscription]struct{}{}}
	s.publish(Level{ProductID: "a", Quantity: 10, seq: 1}, Level{ProductID: "b", Quantity: 20, seq: 1})
	return s
}

func bump(s *Stock, id string, delta int32) {
	l, _ := s.Level(id)
	l.Quantity += delta
	l.seq++
	s.publish(l)
}

// next waits for the subscription to be ready and takes what is pending.
func next(t *testing.T, sub *Subscription) []Level {
	t.Helper()
	select {
	case <-sub.Ready():
		return sub.Take()
	case <-time.After(10 * time.Second):
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
	s := newView()
	bump(s, "a", -3)
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
	s := newView()
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
	bump(s, "a", 5)
	for i, sub := range subs {
		if got := quantities(next(t, sub)); got["a"] != 15 {
			t.Errorf("subscriber %d saw %v, want a=15", i, got)
		}
	}
}

func TestOnlyWatchedProductsArrive(t *testing.T) {
	s := newView()
	sub, _ := s.Subscribe([]string{"a"})
	defer sub.Close()
	next(t, sub)
	bump(s, "b", 1)
	bump(s, "a", 1)
	if got := next(t, sub); len(got) != 1 || got[0].ProductID != "a" {
		t.Errorf("got %+v, want only a", got)
	}
}

// TestSlowSubscriberDoesNotBlock publishes many changes to a subscriber that
// never reads. Publishing must finish, and the reader then finds one level
// per product, the latest: its buffer is bounded by what it watches.
func TestSlowSubscriberDoesNotBlock(t *testing.T) {
	s := newView()
	slow, _ := s.Subscribe([]string{"a", "b"})
	defer slow.Close()
	fast, _ := s.Subscribe([]string{"a"})
	defer fast.Close()
	next(t, fast)

	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 10_000 {
			bump(s, "a", 1)
		}
		bump(s, "b", 1)
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
	s := newView()
	sub, _ := s.Subscribe([]string{"a"})
	defer sub.Close()
	const changes = 2000
	go func() {
		for range changes {
			bump(s, "a", 1)
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

// TestAnOlderLevelIsDropped: the feed brings back a change this replica
// published already, after a newer one; the view keeps the newer.
func TestAnOlderLevelIsDropped(t *testing.T) {
	s := newView()
	s.publish(Level{ProductID: "a", Quantity: 8, seq: 3})
	s.publish(Level{ProductID: "a", Quantity: 9, seq: 2})
	if l, _ := s.Level("a"); l.Quantity != 8 {
		t.Errorf("a = %d, want 8 from the newest change", l.Quantity)
	}
}

func TestCloseUnsubscribes(t *testing.T) {
	s := newView()
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
	s := newView()
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
	s := newView()
	if _, err := s.Subscribe([]string{"a", "nope"}); !errors.Is(err, ErrUnknownProduct) {
		t.Fatalf("err = %v, want ErrUnknownProduct", err)
	}
	if s.Watchers("a") != 0 {
		t.Error("a failed Subscribe left a subscription behind")
	}
}
