// Package orders is the OrderManagement service: placing orders, bulk
// uploads, and tracking an order to its door.
package orders

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// Errors of a Store.
var (
	// ErrNotFound is returned for an order id the store does not hold, or
	// holds only as an order that was never placed.
	ErrNotFound = errors.New("order not found")
	// ErrPending says that the order holding a request_id is still being
	// placed: its stock is being reserved, and its outcome is not known yet.
	ErrPending = errors.New("order still being placed")
	// ErrSettled is Placed's answer for an order already settled as failed
	// (see DBStore.Settle): its stock is being released, so it cannot stand.
	ErrSettled = errors.New("order settled as failed")
)

// Store keeps orders. An order is recorded before its stock is reserved,
// being placed, and then settled: placed, or failed. The service depends on
// this interface, so the store can be a database (DBStore) or, in unit tests,
// memory. Implementations must be safe for concurrent use.
type Store interface {
	// Add records o, being placed, under the id it carries (see NewOrderID)
	// and returns the stored copy. If requestID is set and an order of the
	// same customer holds it already, Add stores nothing and returns that
	// order with created false, and ErrPending if it is still being placed:
	// of two requests racing with one key, exactly one goes on to reserve.
	Add(ctx context.Context, o *ordersv1.Order, requestID string) (stored *ordersv1.Order, created bool, err error)
	// Get returns a copy of a placed order, or ErrNotFound.
	Get(ctx context.Context, id string) (*ordersv1.Order, error)
	// ByRequest returns the order holding a customer's requestID, with
	// ErrPending if it is still being placed, or ErrNotFound.
	ByRequest(ctx context.Context, customer, requestID string) (*ordersv1.Order, error)
	// Placed settles an order whose stock is held: it gets its total, and
	// Get finds it from now on. It returns the stored order.
	Placed(ctx context.Context, id string, total *commonv1.Money) (*ordersv1.Order, error)
	// Failed settles an order that will not be placed and frees its
	// request_id, so that a retry places a new one. If release, the
	// catalog may hold its stock: the release is owed, in the same
	// transaction, until Released says the catalog took it back.
	Failed(ctx context.Context, id string, release bool) error
	// Released records that the catalog acknowledged an owed release.
	Released(ctx context.Context, id string) error
	// Advance moves a placed order's status forward to status and returns
	// the status it holds then. It never moves it back, so two trackers of
	// one order cannot undo each other.
	Advance(ctx context.Context, id string, status ordersv1.OrderStatus) (ordersv1.OrderStatus, error)
}

// NewOrderID returns "order-" and 16 random characters (80 bits): ids that
// cannot be guessed or counted, unlike order-1, order-2, ...
func NewOrderID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "order-" + strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
