// Package orders is the OrderManagement service: placing orders, bulk
// uploads, and tracking an order to its door.
package orders

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	ordersv1 "github.com/learn-grpc/learn-grpc/08-observability/gen/ecommerce/orders/v1"
)

// ErrNotFound is returned for an order id the store does not hold.
var ErrNotFound = errors.New("order not found")

// Store keeps orders. The service depends on this interface, not on the
// in-memory version, so a database can take its place without touching the
// handlers. Implementations must be safe for concurrent use.
type Store interface {
	// Add stores a new order under the id it carries (see NewOrderID: the
	// service names an order before it reserves its stock) and returns the
	// stored copy.
	// If requestKey is set and an order was stored under it already, Add
	// stores nothing and returns that order with created false: of two
	// requests racing with one key, exactly one creates the order.
	Add(ctx context.Context, o *ordersv1.Order, requestKey string) (stored *ordersv1.Order, created bool, err error)
	// Get returns a copy of an order, or ErrNotFound.
	Get(ctx context.Context, id string) (*ordersv1.Order, error)
	// ByRequest returns the order stored under requestKey, or ErrNotFound.
	ByRequest(ctx context.Context, requestKey string) (*ordersv1.Order, error)
	// Advance moves an order's status forward to status and returns the
	// status it holds then. It never moves it back, so two trackers of one
	// order cannot undo each other.
	Advance(ctx context.Context, id string, status ordersv1.OrderStatus) (ordersv1.OrderStatus, error)
}

// MemoryStore is a Store in memory, for the lab and for tests.
type MemoryStore struct {
	mu        sync.RWMutex
	orders    map[string]*ordersv1.Order
	byRequest map[string]string // request key to order id
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{orders: map[string]*ordersv1.Order{}, byRequest: map[string]string{}}
}

// Add implements Store.
func (m *MemoryStore) Add(_ context.Context, o *ordersv1.Order, requestKey string) (*ordersv1.Order, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id, ok := m.byRequest[requestKey]; ok && requestKey != "" {
		return proto.CloneOf(m.orders[id]), false, nil
	}
	if _, taken := m.orders[o.GetId()]; taken || o.GetId() == "" {
		return nil, false, errors.New("an order needs an id of its own")
	}
	stored := proto.CloneOf(o)
	m.orders[stored.Id] = stored
	if requestKey != "" {
		m.byRequest[requestKey] = stored.Id
	}
	return proto.CloneOf(stored), true, nil
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

// ByRequest implements Store.
func (m *MemoryStore) ByRequest(_ context.Context, requestKey string) (*ordersv1.Order, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.byRequest[requestKey]
	if !ok {
		return nil, ErrNotFound
	}
	return proto.CloneOf(m.orders[id]), nil
}

// Advance implements Store.
func (m *MemoryStore) Advance(_ context.Context, id string, status ordersv1.OrderStatus) (ordersv1.OrderStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if !ok {
		return 0, ErrNotFound
	}
	if status > o.Status {
		o.Status = status
	}
	return o.Status, nil
}

// NewOrderID returns "order-" and 16 random characters (80 bits): ids that
// cannot be guessed or counted, unlike order-1, order-2, ...
func NewOrderID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "order-" + strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
