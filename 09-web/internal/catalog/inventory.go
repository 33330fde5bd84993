package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	inventoryv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/inventory/v1"
)

// MaxReserveItems and MaxReserveQuantity bound one reservation as the
// orders service bounds one order.
const (
	MaxReserveItems    = 100
	MaxReserveQuantity = 10_000
)

// InventoryService implements inventoryv1.InventoryServiceServer: the
// catalog prices an order and holds its stock, in one call. Who may call it
// is the auth policy's business, not this handler's.
type InventoryService struct {
	inventoryv1.UnimplementedInventoryServiceServer
	products *Store
	held     *inventory.Reservations
	log      *slog.Logger
	outcomes metric.Int64Counter
	releases metric.Int64Counter
}

// NewInventoryService returns the InventoryService handlers. outcomes
// counts reservations by outcome, releases the releases. log may be nil.
func NewInventoryService(products *Store, held *inventory.Reservations, log *slog.Logger,
	outcomes, releases metric.Int64Counter) *InventoryService {
	if log == nil {
		log = discardLogger
	}
	return &InventoryService{products: products, held: held, log: log, outcomes: outcomes, releases: releases}
}

// ReserveStock prices an order's items, then takes them out of stock, once
// per order id. Its span and its metrics say what came of it.
func (s *InventoryService) ReserveStock(ctx context.Context, req *inventoryv1.ReserveStockRequest) (*inventoryv1.ReserveStockResponse, error) {
	resp, err := s.reserve(ctx, req)
	outcome := "reserved"
	switch {
	case err != nil:
		outcome = "refused"
	case !resp.GetReservedNow():
		outcome = "repeated"
	}
	attrs := []attribute.KeyValue{attribute.String("outcome", outcome)}
	if err != nil {
		attrs = append(attrs, attribute.String("reason", cmp.Or(rpcerr.Reason(err), status.Code(err).String())))
	}
	s.outcomes.Add(ctx, 1, metric.WithAttributes(attrs...))
	if span := trace.SpanFromContext(ctx); span.IsRecording() { // an untraced call builds no event
		span.AddEvent("stock "+outcome, trace.WithAttributes(
			append(attrs, attribute.String("order.id", req.GetOrderId()[:min(len(req.GetOrderId()), rpcerr.MaxIDLength)]))...))
	}
	return resp, err
}

func (s *InventoryService) reserve(ctx context.Context, req *inventoryv1.ReserveStockRequest) (*inventoryv1.ReserveStockResponse, error) {
	order, want, err := validateReserve(req)
	if err != nil {
		return nil, err
	}
	ids := slices.Sorted(maps.Keys(want))
	prices, err := s.products.Prices(ctx, ids)
	var unknown *UnknownError
	switch {
	case errors.As(err, &unknown):
		return nil, rpcerr.NotFound(productType, "product", unknown.ID)
	case err != nil:
		return nil, status.FromContextError(err).Err()
	}
	// A caller that has given up will release the order; taking stock for
	// it now would only make that release necessary.
	if err := ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	now, err := s.held.Reserve(ctx, order, want)
	var short *inventory.UnknownProductError
	switch {
	case errors.Is(err, inventory.ErrInsufficientStock):
		return nil, rpcerr.Failed(rpcerr.ReasonInsufficientStock, err.Error())
	case errors.As(err, &short): // priced, yet not stocked
		return nil, rpcerr.NotFound(productType, "product", short.ID)
	case errors.Is(err, inventory.ErrReleased):
		return nil, rpcerr.Failed(rpcerr.ReasonOrderReleased, "order "+order+" was released; it cannot reserve again")
	case errors.Is(err, inventory.ErrOtherItems):
		return nil, rpcerr.Invalid(rpcerr.Violation{Field: "order_id",
			Description: "order_id already reserved other items"})
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, status.FromContextError(err).Err()
	case err != nil:
		s.log.ErrorContext(ctx, "could not reserve stock", "order", order, "err", err)
		return nil, status.Error(codes.Unavailable, "could not reserve stock; the order may be retried")
	}
	if now {
		s.log.InfoContext(ctx, "reserved stock", "order", order, "products", len(want))
	}
	resp := &inventoryv1.ReserveStockResponse{ReservedNow: now}
	for _, id := range ids {
		resp.Items = append(resp.Items, &inventoryv1.ReservedItem{ProductId: id, Quantity: want[id], UnitPrice: prices[id]})
	}
	return resp, nil
}

// ReleaseStock gives back what an order reserved, once, whichever replica
// reserved it. A release that did not commit is an error the caller retries.
// Its span and its metrics say whether anything was held.
func (s *InventoryService) ReleaseStock(ctx context.Context, req *inventoryv1.ReleaseStockRequest) (*inventoryv1.ReleaseStockResponse, error) {
	order := strings.TrimSpace(req.GetOrderId())
	if v, ok := rpcerr.CheckID("order_id", "order", order); !ok {
		return nil, rpcerr.Invalid(v)
	}
	now, err := s.held.Release(ctx, order)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, status.FromContextError(err).Err()
	case err != nil:
		s.log.ErrorContext(ctx, "could not release stock", "order", order, "err", err)
		return nil, status.Error(codes.Unavailable, "could not release stock; retry the release")
	}
	outcome := "nothing held"
	if now {
		outcome = "released"
		s.log.InfoContext(ctx, "released stock", "order", order)
	}
	attrs := []attribute.KeyValue{attribute.String("outcome", outcome)}
	s.releases.Add(ctx, 1, metric.WithAttributes(attrs...))
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("stock "+outcome, trace.WithAttributes(append(attrs, attribute.String("order.id", order))...))
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
	if len(items) == 0 || len(items) > MaxReserveItems {
		return "", nil, rpcerr.Invalid(rpcerr.Violation{Field: "items",
			Description: fmt.Sprintf("a reservation has 1 to %d items, got %d", MaxReserveItems, len(items))})
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
		if q := it.GetQuantity(); q <= 0 || q > MaxReserveQuantity {
			return "", nil, rpcerr.Invalid(rpcerr.Violation{Field: fmt.Sprintf("items[%d].quantity", i),
				Description: fmt.Sprintf("quantity must be 1 to %d, got %d", MaxReserveQuantity, q)})
		}
		want[id] = it.GetQuantity()
	}
	return order, want, nil
}
