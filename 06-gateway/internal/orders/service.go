package orders

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/learn-grpc/learn-grpc/06-gateway/internal/auth"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/catalog"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/inventory"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

const (
	// MaxItems bounds the lines of one order.
	MaxItems = 100
	// MaxQuantity bounds the units of one product in one order.
	MaxQuantity = 10_000
)

// Products is what the service needs from the catalog: a product's price.
type Products interface {
	Get(ctx context.Context, id string) (*catalogv1.Product, error)
}

// Service implements ordersv1.OrderManagementServiceServer.
type Service struct {
	ordersv1.UnimplementedOrderManagementServiceServer

	orders        Store
	products      Products
	stock         *inventory.Stock
	trackInterval time.Duration
	stopping      <-chan struct{}
	log           *slog.Logger
}

// Config is what a Service is made of.
type Config struct {
	Orders   Store
	Products Products
	Stock    *inventory.Stock
	// TrackInterval is the pace of a tracked order's status changes.
	TrackInterval time.Duration
	// Stopping is closed when the server starts to shut down: open tracking
	// streams end with UNAVAILABLE instead of holding the shutdown open.
	Stopping <-chan struct{}
	Log      *slog.Logger // nil discards
}

// NewService returns the OrderManagement handlers.
func NewService(c Config) *Service {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{orders: c.Orders, products: c.Products, stock: c.Stock,
		trackInterval: c.TrackInterval, stopping: c.Stopping, log: c.Log}
}

// CreateOrder places one order.
func (s *Service) CreateOrder(ctx context.Context, req *ordersv1.CreateOrderRequest) (*ordersv1.CreateOrderResponse, error) {
	order, err := s.place(ctx, req.GetItems())
	if err != nil {
		return nil, err
	}
	return &ordersv1.CreateOrderResponse{Order: order}, nil
}

// GetOrder returns one order.
func (s *Service) GetOrder(ctx context.Context, req *ordersv1.GetOrderRequest) (*ordersv1.GetOrderResponse, error) {
	id := strings.TrimSpace(req.GetId())
	if id == "" {
		return nil, status.Error(codes.InvalidArgument, "order id is required")
	}
	order, err := s.ownOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	return &ordersv1.GetOrderResponse{Order: order}, nil
}

// ownOrder returns the order if the caller owns it. The auth interceptor
// has proved who the caller is; only the handler knows whose the order is.
func (s *Service) ownOrder(ctx context.Context, id string) (*ordersv1.Order, error) {
	caller, ok := auth.IdentityFrom(ctx)
	if !ok {
		// The policy requires a token for every order method, so this is a
		// wiring mistake, and refusing is the safe way to fail.
		return nil, status.Error(codes.Unauthenticated, "request does not contain an auth token")
	}
	order, err := s.orders.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "order %q not found", id)
	}
	if err != nil {
		return nil, toStatus(err)
	}
	if order.GetCustomerId() != caller.Subject {
		s.log.Warn("caller asked for someone else's order", "subject", caller.Subject, "order", id)
		return nil, status.Error(codes.PermissionDenied, "permission denied")
	}
	return order, nil
}

// place validates items, prices them, takes them out of stock and stores the
// order. The checks run cheapest first, and stock is touched last, all at
// once, so a refused order changes nothing.
func (s *Service) place(ctx context.Context, items []*ordersv1.OrderItem) (*ordersv1.Order, error) {
	caller, ok := auth.IdentityFrom(ctx)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "request does not contain an auth token")
	}
	switch {
	case len(items) == 0:
		return nil, status.Error(codes.InvalidArgument, "an order needs at least one item")
	case len(items) > MaxItems:
		return nil, status.Errorf(codes.InvalidArgument, "an order has at most %d items, got %d", MaxItems, len(items))
	}
	want := map[string]int32{}
	for _, it := range items {
		id := strings.TrimSpace(it.GetProductId())
		switch {
		case id == "":
			return nil, status.Error(codes.InvalidArgument, "every item needs a product id")
		case it.GetQuantity() <= 0:
			return nil, status.Errorf(codes.InvalidArgument, "quantity of %s must be at least 1, got %d", id, it.GetQuantity())
		case want[id]+it.GetQuantity() > MaxQuantity:
			return nil, status.Errorf(codes.InvalidArgument, "at most %d units of %s per order", MaxQuantity, id)
		}
		want[id] += it.GetQuantity()
	}

	ids := slices.Sorted(maps.Keys(want))
	var totalNanos int64
	currency := ""
	lines := make([]*ordersv1.OrderItem, 0, len(ids))
	for _, id := range ids {
		p, err := s.products.Get(ctx, id)
		if errors.Is(err, catalog.ErrNotFound) {
			return nil, status.Errorf(codes.NotFound, "product %q not found", id)
		}
		if err != nil {
			return nil, toStatus(err)
		}
		price := p.GetPrice()
		if currency == "" {
			currency = price.GetCurrencyCode()
		}
		if price.GetCurrencyCode() != currency {
			return nil, status.Error(codes.InvalidArgument, "all items of an order must be priced in one currency")
		}
		totalNanos += (price.GetUnits()*1_000_000_000 + int64(price.GetNanos())) * int64(want[id])
		lines = append(lines, &ordersv1.OrderItem{ProductId: id, Quantity: want[id]})
	}

	if err := s.stock.Take(want); err != nil {
		switch {
		case errors.Is(err, inventory.ErrInsufficientStock):
			return nil, status.Error(codes.FailedPrecondition, err.Error())
		case errors.Is(err, inventory.ErrUnknownProduct):
			return nil, status.Error(codes.NotFound, err.Error())
		}
		return nil, status.Error(codes.Internal, "could not reserve stock")
	}
	order, err := s.orders.Add(ctx, &ordersv1.Order{
		CustomerId: caller.Subject,
		Items:      lines,
		Status:     ordersv1.OrderStatus_ORDER_STATUS_PENDING,
		Total:      &commonv1.Money{CurrencyCode: currency, Units: totalNanos / 1_000_000_000, Nanos: int32(totalNanos % 1_000_000_000)},
		CreatedAt:  timestamppb.Now(),
	})
	if err != nil {
		return nil, toStatus(err)
	}
	return order, nil
}

// toStatus keeps a context error's meaning and hides anything else.
func toStatus(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Err()
	}
	return status.Error(codes.Internal, "order storage failed")
}
