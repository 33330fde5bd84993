package inventory

import (
	"errors"
	"sync"
	"testing"
)

func level(t *testing.T, s *Stock, id string) int32 {
	t.Helper()
	l, ok := s.Level(id)
	if !ok {
		t.Fatalf("no product %s", id)
	}
	return l.Quantity
}

func TestReservations(t *testing.T) {
	t.Run("a reservation asked for twice takes stock once", func(t *testing.T) {
		s := newStock()
		r := NewReservations(s)
		for i, wantNow := range []bool{true, false} {
			now, err := r.Reserve("order-1", map[string]int32{"a": 3, "b": 1})
			if err != nil || now != wantNow {
				t.Fatalf("reservation %d = %v, %v; want %v, nil", i+1, now, err, wantNow)
			}
		}
		if got := level(t, s, "a"); got != 7 {
			t.Errorf("a = %d, want 7", got)
		}
	})
	t.Run("the same order with other items is refused and takes nothing", func(t *testing.T) {
		s := newStock()
		r := NewReservations(s)
		if _, err := r.Reserve("order-1", map[string]int32{"a": 3}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Reserve("order-1", map[string]int32{"a": 4}); !errors.Is(err, ErrOtherItems) {
			t.Fatalf("err = %v, want ErrOtherItems", err)
		}
		if got := level(t, s, "a"); got != 7 {
			t.Errorf("a = %d, want 7", got)
		}
	})
	t.Run("a release gives back once, and refuses a later reservation", func(t *testing.T) {
		s := newStock()
		r := NewReservations(s)
		if _, err := r.Reserve("order-1", map[string]int32{"a": 3}); err != nil {
			t.Fatal(err)
		}
		if !r.Release("order-1") || r.Release("order-1") {
			t.Fatal("want the first release to give back and the second not")
		}
		if got := level(t, s, "a"); got != 10 {
			t.Errorf("a = %d after release, want 10", got)
		}
		if _, err := r.Reserve("order-1", map[string]int32{"a": 3}); !errors.Is(err, ErrReleased) {
			t.Fatalf("reserve after release: %v, want ErrReleased", err)
		}
		if got := level(t, s, "a"); got != 10 {
			t.Errorf("a = %d after a late reservation, want 10", got)
		}
	})
	t.Run("a release that comes first refuses the reservation behind it", func(t *testing.T) {
		r := NewReservations(newStock())
		if r.Release("order-1") {
			t.Fatal("released an order that held nothing")
		}
		if _, err := r.Reserve("order-1", map[string]int32{"a": 1}); !errors.Is(err, ErrReleased) {
			t.Fatalf("err = %v, want ErrReleased", err)
		}
	})
	t.Run("a refused reservation holds nothing and can be tried again", func(t *testing.T) {
		s := newStock()
		r := NewReservations(s)
		if _, err := r.Reserve("order-1", map[string]int32{"a": 11}); !errors.Is(err, ErrInsufficientStock) {
			t.Fatalf("err = %v, want ErrInsufficientStock", err)
		}
		var unknown *UnknownProductError
		if _, err := r.Reserve("order-1", map[string]int32{"zz": 1}); !errors.As(err, &unknown) || unknown.ID != "zz" {
			t.Fatalf("err = %v, want UnknownProductError for zz", err)
		}
		if now, err := r.Reserve("order-1", map[string]int32{"a": 10}); err != nil || !now {
			t.Fatalf("retry = %v, %v; want true, nil", now, err)
		}
	})
	t.Run("racing retries of one order take stock once", func(t *testing.T) {
		s := newStock()
		r := NewReservations(s)
		var wg sync.WaitGroup
		var mu sync.Mutex
		taken := 0
		for range 50 {
			wg.Go(func() {
				now, err := r.Reserve("order-1", map[string]int32{"b": 5})
				if err != nil {
					t.Error(err)
				}
				if now {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if taken != 1 || level(t, s, "b") != 15 {
			t.Errorf("taken %d times, b = %d; want once, 15", taken, level(t, s, "b"))
		}
	})
}
