package orders

import (
	"context"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/inventory"
)

// LocalStock is Stock over reservations in the same process: for tests, and
// for anyone who runs orders and stock together.
func LocalStock(r *inventory.Reservations) Stock { return localStock{r} }

type localStock struct{ r *inventory.Reservations }

func (l localStock) Reserve(_ context.Context, order string, quantities map[string]int32) error {
	_, err := l.r.Reserve(order, quantities)
	return err
}

func (l localStock) Release(_ context.Context, order string) error {
	l.r.Release(order)
	return nil
}
