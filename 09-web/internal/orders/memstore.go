package orders

import (
	"context"
	"errors"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// MemoryStore is a Store in memory, for unit tests only: it forgets
// everything when the process ends, and an owed release that the service
// could not deliver at once stays owed, since no relay reads it. The
// commands keep their orders in a DBStore.
type MemoryStore struct {
	mu        sync.RWMutex
	orders    map[string]*memOrder
	byRequest map[[2]string]string // customer and request id to order id
}

type memOrder struct {
	order   *ordersv1.Order
	request [2]string // zero once freed
	state   string
	owed    bool // a release is owed to the catalog
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{orders: map[string]*memOrder{}, byRequest: map[[2]string]string{}}
}

// Add implements Store.
func (m *MemoryStore) Add(_ context.Context, o *ordersv1.Order, requestID string) (*ordersv1.Order, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := [2]string{o.GetCustomerId(), requestID}
	if id, ok := m.byRequest[key]; ok && requestID != "" {
		return proto.CloneOf(m.orders[id].order), false, m.orders[id].pending()
	}
	if _, taken := m.orders[o.GetId()]; taken || o.GetId() == "" {
		return nil, false, errors.New("an order needs an id of its own")
	}
	stored := &memOrder{order: proto.CloneOf(o), state: statePlacing}
	stored.order.CreatedAt = timestamppb.Now()
	m.orders[o.GetId()] = stored
	if requestID != "" {
		stored.request = key
		m.byRequest[key] = o.GetId()
	}
	return proto.CloneOf(stored.order), true, nil
}

func (o *memOrder) pending() error {
	if o.state == statePlacing {
		return ErrPending
	}
	return nil
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, id string) (*ordersv1.Order, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	o, ok := m.orders[id]
	if !ok || o.state != statePlaced {
		return nil, ErrNotFound
	}
	return proto.CloneOf(o.order), nil
}

// ByRequest implements Store.
func (m *MemoryStore) ByRequest(_ context.Context, customer, requestID string) (*ordersv1.Order, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.byRequest[[2]string{customer, requestID}]
	if !ok {
		return nil, ErrNotFound
	}
	return proto.CloneOf(m.orders[id].order), m.orders[id].pending()
}

// Placed implements Store.
func (m *MemoryStore) Placed(_ context.Context, id string, total *commonv1.Money) (*ordersv1.Order, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	switch {
	case !ok:
		return nil, ErrNotFound
	case o.state != statePlacing:
		return nil, ErrSettled
	}
	o.state, o.order.Total = statePlaced, proto.CloneOf(total)
	return proto.CloneOf(o.order), nil
}

// Failed implements Store.
func (m *MemoryStore) Failed(_ context.Context, id string, release bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if !ok || o.state != statePlacing {
		return nil
	}
	o.state, o.owed = stateFailed, release
	if o.request != ([2]string{}) {
		delete(m.byRequest, o.request)
	}
	return nil
}

// Released implements Store.
func (m *MemoryStore) Released(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if o, ok := m.orders[id]; ok {
		o.owed = false
	}
	return nil
}

// Advance implements Store.
func (m *MemoryStore) Advance(_ context.Context, id string, status ordersv1.OrderStatus) (ordersv1.OrderStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[id]
	if !ok || o.state != statePlaced {
		return 0, ErrNotFound
	}
	if status > o.order.Status {
		o.order.Status = status
	}
	return o.order.Status, nil
}
