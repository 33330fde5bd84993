package inventory

import (
	"errors"
	"maps"
	"sync"
)

// Reservations holds stock per order, so that asking twice for the same
// order takes stock once. The orders service names each order before it
// reserves, which is what makes a retried reservation safe.
type Reservations struct {
	stock *Stock
	mu    sync.Mutex
	held  map[string]map[string]int32 // order id -> what it holds; nil once released
}

// Errors a reservation can end with, beside those of Stock.Take.
var (
	ErrOtherItems = errors.New("the order reserved other items before")
	ErrReleased   = errors.New("the order was released")
)

// NewReservations reserves from stock.
func NewReservations(stock *Stock) *Reservations {
	return &Reservations{stock: stock, held: map[string]map[string]int32{}}
}

// Reserve takes quantities out of stock for order, all or nothing. It
// reports false, and takes nothing, when the order already holds them.
func (r *Reservations) Reserve(order string, quantities map[string]int32) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	held, seen := r.held[order]
	switch {
	case seen && held == nil:
		return false, ErrReleased
	case seen && !maps.Equal(held, quantities):
		return false, ErrOtherItems
	case seen:
		return false, nil
	}
	if err := r.stock.Take(quantities); err != nil {
		return false, err
	}
	r.held[order] = maps.Clone(quantities)
	return true, nil
}

// Release gives back what order holds, once, and refuses any later
// reservation for it: a retried Reserve that arrives after its order was
// given up must not take stock no one will release. It reports whether
// anything was given back.
func (r *Reservations) Release(order string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	held := r.held[order]
	r.held[order] = nil
	if held == nil {
		return false
	}
	r.stock.Release(held)
	return true
}
