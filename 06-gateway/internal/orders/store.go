// Package orders is the OrderManagement service: placing orders, bulk
// uploads, and tracking an order to its door.
package orders

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"google.golang.org/protobuf/proto"

	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

// ErrNotFound is returned for an order id the store does not hold.
var ErrNotFound = errors.New("order not found")

// Store keeps orders. The service depends on this interface, not on the
// in-memory version, so a database can take its place without touching the
// handlers. Implementations must be safe for concurrent use.
type Store interface {
	// Add stores a new order, assigns its id and returns the stored copy.
	Add(ctx context.Context, o *ordersv1.Order) (*ordersv1.Order, error)
	// Get returns a copy of an order, or ErrNotFound.
	Get(ctx context.Context, id string) (*ordersv1.Order, error)
	// Advance moves an order's status forward to status. It never moves it
	// back, so two trackers of one order cannot undo each other.
	Advance(ctx context.Context, id string, status ordersv1.OrderStatus) error
}

// MemoryStore is a Store in memory, for the lab and for tests.
type MemoryStore struct {
	mu     sync.RWMutex
	orders map[string]*ordersv1.Order
	seq    int
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{orders: map[string]*ordersv1.Order{}}
}

// Add implements Store. Ids are order-1, order-2, ... in creation order.
func (m *MemoryStore) Add(_ context.Context, o *ordersv1.Order) (*ordersv1.Order, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	stored := proto.CloneOf(o)
	stored.Id = fmt.Sprintf("order-%d", m.seq)
	m.orders[stored.Id] = stored
	return proto.CloneOf(stored), nil
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, id string) (*ordersv1.Order, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	o, ok := m.orders[id]
	if !ok {
		return nil, ErrNotFound
	}
	return proto.CloneOf(o), nil
}

// Advance implements Store.
func (m *MemoryStore) Advance(_ context.Context, id string, status ordersv1.OrderStatus) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if !ok {
		return ErrNotFound
	}
	if status > o.Status {
		o.Status = status
	}
	return nil
}
