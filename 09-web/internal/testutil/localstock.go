package testutil

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
)

// Prices is what LocalStock needs from the catalog: what products cost.
type Prices interface {
	Prices(ctx context.Context, ids []string) (map[string]*commonv1.Money, error)
}

// LocalStock is orders.Stock over reservations and prices in the same
// process, without the network: no command runs orders and the catalog
// together, but tests of orders' handlers do.
func LocalStock(r *inventory.Reservations, prices Prices) orders.Stock { return localStock{r, prices} }

type localStock struct {
	r      *inventory.Reservations
	prices Prices
}

func (l localStock) Reserve(ctx context.Context, order string, quantities map[string]int32) (map[string]*commonv1.Money, error) {
	prices, err := l.prices.Prices(ctx, slices.Sorted(maps.Keys(quantities)))
	var unknown *catalog.UnknownError
	if errors.As(err, &unknown) {
		return nil, &inventory.UnknownProductError{ID: unknown.ID}
	}
	if err != nil {
		return nil, err
	}
	if _, err := l.r.Reserve(ctx, order, quantities); err != nil {
		return nil, err
	}
	return prices, nil
}

func (l localStock) Release(ctx context.Context, order string) (bool, error) {
	return l.r.Release(ctx, order)
}
