// Package inventory keeps the stock level of every product and pushes each
// change to whoever is watching it.
//
// One Stock serves the whole server, so every watcher of a product sees the
// same levels. Publishing never waits for a watcher: each subscription holds
// at most one pending level per product it watches (the latest), so a slow
// watcher skips levels it had no time to read instead of growing a queue or
// holding up everyone else. For stock levels that is the right trade: a
// watcher wants to know how many units there are now, not every step it
// missed.
package inventory

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// ErrUnknownProduct is returned for a product id the stock does not hold.
var ErrUnknownProduct = errors.New("unknown product")

// UnknownProductError names the product id the stock does not hold. It
// matches ErrUnknownProduct with errors.Is.
type UnknownProductError struct{ ID string }

func (e *UnknownProductError) Error() string        { return fmt.Sprintf("%v: %q", ErrUnknownProduct, e.ID) }
func (e *UnknownProductError) Is(target error) bool { return target == ErrUnknownProduct }

// ErrInsufficientStock is returned when a change would take a product's
// quantity below zero.
var ErrInsufficientStock = errors.New("not enough stock")

// Level is the stock of one product at one moment.
type Level struct {
	ProductID string
	Quantity  int32
	UpdatedAt time.Time
}

// Stock holds the levels and the subscriptions. Changes and subscriptions
// take the same lock, so a new subscriber gets the current level and then
// every later change, with nothing missed or repeated in between.
type Stock struct {
	mu     sync.Mutex
	levels map[string]Level
	subs   map[string]map[*Subscription]struct{} // by product id
	closed bool
	now    func() time.Time
}

// NewStock returns a stock holding the given quantities, stamped with now().
func NewStock(quantities map[string]int32, now func() time.Time) *Stock {
	s := &Stock{levels: map[string]Level{}, subs: map[string]map[*Subscription]struct{}{}, now: now}
	t := now()
	for id, q := range quantities {
		s.levels[id] = Level{ProductID: id, Quantity: q, UpdatedAt: t}
	}
	return s
}

// Level returns the current level of a product.
func (s *Stock) Level(id string) (Level, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.levels[id]
	return l, ok
}

// Adjust changes a product's quantity by delta and tells its watchers. A
// change that would take the quantity below zero is refused.
func (s *Stock) Adjust(id string, delta int32) (Level, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.levels[id]
	if !ok {
		return Level{}, &UnknownProductError{ID: id}
	}
	if l.Quantity+delta < 0 {
		return l, fmt.Errorf("%w of %s: %d left, %d asked", ErrInsufficientStock, id, l.Quantity, -delta)
	}
	return s.set(l, l.Quantity+delta), nil
}

// set stores a new quantity and tells the product's watchers. s.mu is held.
func (s *Stock) set(l Level, quantity int32) Level {
	l.Quantity = quantity
	l.UpdatedAt = s.now()
	s.levels[l.ProductID] = l
	for sub := range s.subs[l.ProductID] {
		sub.offer(l)
	}
	return l
}

// Take removes the given quantities (product id to units) all at once, or
// nothing at all: an order is never left half taken from stock.
func (s *Stock) Take(quantities map[string]int32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(quantities)) { // a stable error for the same order
		l, ok := s.levels[id]
		switch {
		case !ok:
			return &UnknownProductError{ID: id}
		case quantities[id] <= 0:
			return fmt.Errorf("take of %s must be positive, got %d", id, quantities[id])
		case l.Quantity < quantities[id]:
			return fmt.Errorf("%w of %s: %d left, %d asked", ErrInsufficientStock, id, l.Quantity, quantities[id])
		}
	}
	for id, q := range quantities {
		l := s.levels[id]
		s.set(l, l.Quantity-q)
	}
	return nil
}

// Release puts back quantities that Take removed, for an order that was
// not stored after all: stock is never lost to a failure.
func (s *Stock) Release(quantities map[string]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, q := range quantities {
		if l, ok := s.levels[id]; ok && q > 0 {
			s.set(l, l.Quantity+q)
		}
	}
}

// ProductIDs lists the products the stock holds, in no particular order.
func (s *Stock) ProductIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.levels))
	for id := range s.levels {
		ids = append(ids, id)
	}
	return ids
}

// Subscribe starts watching ids. The subscription is ready at once with the
// current level of each. All ids must exist; if one does not, nothing is
// subscribed and the error names it.
func (s *Stock) Subscribe(ids []string) (*Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if _, ok := s.levels[id]; !ok {
			return nil, &UnknownProductError{ID: id}
		}
	}
	sub := newSubscription(s, ids)
	if s.closed {
		sub.end()
		return sub, nil
	}
	for _, id := range ids {
		if s.subs[id] == nil {
			s.subs[id] = map[*Subscription]struct{}{}
		}
		s.subs[id][sub] = struct{}{}
		sub.offer(s.levels[id])
	}
	return sub, nil
}

// Watchers returns how many subscriptions watch product id. Tests use it to
// see a subscription go away.
func (s *Stock) Watchers(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs[id])
}

// Close ends every subscription (their Done channels close) and refuses new
// ones, so that open streams end when the server stops instead of holding
// its graceful shutdown open.
func (s *Stock) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for id, subs := range s.subs {
		for sub := range subs {
			sub.end()
		}
		delete(s.subs, id)
	}
}

func (s *Stock) unsubscribe(sub *Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range sub.ids {
		delete(s.subs[id], sub)
		if len(s.subs[id]) == 0 {
			delete(s.subs, id)
		}
	}
}
