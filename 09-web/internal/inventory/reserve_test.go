package inventory

import (
	"errors"
	"sync"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db/dbtest"
)

func TestReservations(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		t.Run("a reservation asked for twice takes stock once", func(t *testing.T) {
			s, _ := newStock(t, k)
			r := NewReservations(s)
			for i, wantNow := range []bool{true, false} {
				now, err := r.Reserve(t.Context(), "order-1", map[string]int32{"a": 3, "b": 1})
				if err != nil || now != wantNow {
					t.Fatalf("reservation %d = %v, %v; want %v, nil", i+1, now, err, wantNow)
				}
			}
			if got := level(t, s, "a"); got != 7 {
				t.Errorf("a = %d, want 7", got)
			}
		})
		t.Run("the same order with other items is refused and takes nothing", func(t *testing.T) {
			s, _ := newStock(t, k)
			r := NewReservations(s)
			if _, err := r.Reserve(t.Context(), "order-1", map[string]int32{"a": 3}); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Reserve(t.Context(), "order-1", map[string]int32{"a": 4}); !errors.Is(err, ErrOtherItems) {
				t.Fatalf("err = %v, want ErrOtherItems", err)
			}
			if got := level(t, s, "a"); got != 7 {
				t.Errorf("a = %d, want 7", got)
			}
		})
		t.Run("a release gives back once, and refuses a later reservation", func(t *testing.T) {
			s, _ := newStock(t, k)
			r := NewReservations(s)
			if _, err := r.Reserve(t.Context(), "order-1", map[string]int32{"a": 3}); err != nil {
				t.Fatal(err)
			}
			first, err1 := r.Release(t.Context(), "order-1")
			second, err2 := r.Release(t.Context(), "order-1")
			if !first || second || err1 != nil || err2 != nil {
				t.Fatalf("releases = %v, %v then %v, %v; want the first to give back and the second not",
					first, err1, second, err2)
			}
			if got := level(t, s, "a"); got != 10 {
				t.Errorf("a = %d after release, want 10", got)
			}
			if _, err := r.Reserve(t.Context(), "order-1", map[string]int32{"a": 3}); !errors.Is(err, ErrReleased) {
				t.Fatalf("reserve after release: %v, want ErrReleased", err)
			}
			if got := level(t, s, "a"); got != 10 {
				t.Errorf("a = %d after a late reservation, want 10", got)
			}
		})
		t.Run("a release that comes first refuses the reservation behind it", func(t *testing.T) {
			s, _ := newStock(t, k)
			r := NewReservations(s)
			if now, err := r.Release(t.Context(), "order-1"); now || err != nil {
				t.Fatalf("release of an order that held nothing = %v, %v; want false, nil", now, err)
			}
			if _, err := r.Reserve(t.Context(), "order-1", map[string]int32{"a": 1}); !errors.Is(err, ErrReleased) {
				t.Fatalf("err = %v, want ErrReleased", err)
			}
		})
		t.Run("a refused reservation holds nothing and can be tried again", func(t *testing.T) {
			s, _ := newStock(t, k)
			r := NewReservations(s)
			_, err := r.Reserve(t.Context(), "order-1", map[string]int32{"a": 5, "b": 21})
			if !errors.Is(err, ErrInsufficientStock) {
				t.Fatalf("err = %v, want ErrInsufficientStock", err)
			}
			var unknown *UnknownProductError
			_, err = r.Reserve(t.Context(), "order-1", map[string]int32{"a": 1, "zz": 1})
			if !errors.As(err, &unknown) || unknown.ID != "zz" {
				t.Fatalf("err = %v, want UnknownProductError for zz", err)
			}
			if got := level(t, s, "a"); got != 10 {
				t.Fatalf("a = %d after refused reservations, want 10: nothing may be taken", got)
			}
			if now, err := r.Reserve(t.Context(), "order-1", map[string]int32{"a": 10}); err != nil || !now {
				t.Fatalf("retry = %v, %v; want true, nil", now, err)
			}
		})
		t.Run("racing retries of one order on two replicas take stock once", func(t *testing.T) {
			a, dsn := newStock(t, k)
			replicas := []*Reservations{NewReservations(a), NewReservations(replica(t, k, dsn))}
			var wg sync.WaitGroup
			var mu sync.Mutex
			taken := 0
			for i := range 20 {
				wg.Go(func() {
					now, err := replicas[i%2].Reserve(t.Context(), "order-1", map[string]int32{"b": 5})
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
			if taken != 1 || stored(t, a, "b") != 15 {
				t.Errorf("taken %d times, b = %d; want once, 15", taken, stored(t, a, "b"))
			}
		})
		t.Run("two replicas never sell the same last units", func(t *testing.T) {
			a, dsn := newStock(t, k)
			replicas := []*Reservations{NewReservations(a), NewReservations(replica(t, k, dsn))}
			var wg sync.WaitGroup
			var mu sync.Mutex
			sold := 0
			for i := range 30 {
				wg.Go(func() {
					now, err := replicas[i%2].Reserve(t.Context(), "order-"+string(rune('A'+i)), map[string]int32{"a": 1})
					switch {
					case errors.Is(err, ErrInsufficientStock):
					case err != nil:
						t.Error(err)
					case now:
						mu.Lock()
						sold++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if sold != 10 || stored(t, a, "a") != 0 {
				t.Errorf("sold %d of 10, a = %d in the store; want 10 sold, 0 left", sold, stored(t, a, "a"))
			}
		})
	})
}

// stored reads a product's level from the store itself, not a view.
func stored(t *testing.T, s *Stock, id string) int32 {
	t.Helper()
	var q int32
	err := s.db.QueryRow(t.Context(), "SELECT available FROM stock WHERE product_id = ?", id).Scan(&q)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
