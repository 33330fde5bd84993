package inventory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/rpcerr"

	inventoryv1 "github.com/learn-grpc/learn-grpc/07-microservices/gen/ecommerce/inventory/v1"
)

// MaxItems and MaxQuantity bound one reservation as the orders service
// bounds one order.
const (
	MaxItems    = 100
	MaxQuantity = 10_000
)

const productType = "ecommerce.catalog.v1.Product"

// Service implements inventoryv1.InventoryServiceServer over Reservations.
// Who may call it is the auth policy's business, not this handler's.
type Service struct {
	inventoryv1.UnimplementedInventoryServiceServer
	held *Reservations
	log  *slog.Logger
}

// NewService returns the InventoryService handlers.
func NewService(held *Reservations, log *slog.Logger) *Service {
	return &Service{held: held, log: log}
}

// ReserveStock takes an order's items out of stock, once per order id.
func (s *Service) ReserveStock(ctx context.Context, req *inventoryv1.ReserveStockRequest) (*inventoryv1.ReserveStockResponse, error) {
	order, want, err := validateReserve(req)
	if err != nil {
		return nil, err
	}
	// A caller that has given up will release the order; taking stock for
	// it now would only make that release necessary.
	if err := ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	now, err := s.held.Reserve(order, want)
	var unknown *UnknownProductError
	switch {
	case errors.Is(err, ErrInsufficientStock):
		return nil, rpcerr.Failed(rpcerr.ReasonInsufficientStock, err.Error())
	case errors.As(err, &unknown):
		return nil, rpcerr.NotFound(productType, "product", unknown.ID)
	case errors.Is(err, ErrReleased):
		return nil, rpcerr.Failed(rpcerr.ReasonOrderReleased, "order "+order+" was released; it cannot reserve again")
	case errors.Is(err, ErrOtherItems):
		return nil, rpcerr.Invalid(rpcerr.Violation{Field: "order_id",
			Description: "order_id already reserved other items"})
	case err != nil:
		return nil, status.Error(codes.Internal, "could not reserve stock")
	}
	if now {
		s.log.Info("reserved stock", "order", order, "products", len(want))
	}
	return &inventoryv1.ReserveStockResponse{ReservedNow: now}, nil
}

// ReleaseStock gives back what an order reserved, once.
func (s *Service) ReleaseStock(_ context.Context, req *inventoryv1.ReleaseStockRequest) (*inventoryv1.ReleaseStockResponse, error) {
	order := strings.TrimSpace(req.GetOrderId())
	if v, ok := rpcerr.CheckID("order_id", "order", order); !ok {
		return nil, rpcerr.Invalid(v)
	}
	now := s.held.Release(order)
	if now {
		s.log.Info("released stock", "order", order)
	}
	return &inventoryv1.ReleaseStockResponse{ReleasedNow: now}, nil
}

// validateReserve returns the order id and the units wanted of each product.
// The orders service sends each product once; a repeat is a bug to refuse.
func validateReserve(req *inventoryv1.ReserveStockRequest) (string, map[string]int32, error) {
	order := strings.TrimSpace(req.GetOrderId())
	if v, ok := rpcerr.CheckID("order_id", "order", order); !ok {
		return "", nil, rpcerr.Invalid(v)
	}
	items := req.GetItems()
	if len(items) == 0 || len(items) > MaxItems {
		return "", nil, rpcerr.Invalid(rpcerr.Violation{Field: "items",
			Description: fmt.Sprintf("a reservation has 1 to %d items, got %d", MaxItems, len(items))})
	}
	want := make(map[string]int32, len(items))
	for i, it := range items {
		id := strings.TrimSpace(it.GetProductId())
		if v, ok := rpcerr.CheckID(fmt.Sprintf("items[%d].product_id", i), "product", id); !ok {
			return "", nil, rpcerr.Invalid(v)
		}
		if _, dup := want[id]; dup {
			return "", nil, rpcerr.Invalid(rpcerr.Violation{Field: fmt.Sprintf("items[%d].product_id", i),
				Description: "each product appears once in a reservation"})
		}
		if q := it.GetQuantity(); q <= 0 || q > MaxQuantity {
			return "", nil, rpcerr.Invalid(rpcerr.Violation{Field: fmt.Sprintf("items[%d].quantity", i),
				Description: fmt.Sprintf("quantity must be 1 to %d, got %d", MaxQuantity, q)})
		}
		want[id] = it.GetQuantity()
	}
	return order, want, nil
}
