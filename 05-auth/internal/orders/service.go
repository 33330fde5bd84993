package orders

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/learn-grpc/learn-grpc/05-auth/internal/auth"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/catalog"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/inventory"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/rpcerr"

	catalogv1 "github.com/learn-grpc/learn-grpc/05-auth/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/05-auth/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/05-auth/gen/ecommerce/orders/v1"
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
	firstMessage  time.Duration
	idle          time.Duration
	maxUpload     time.Duration
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
	// FirstMessageTimeout and IdleTimeout bound how long an upload or a
	// tracker may wait for its client's first message, and then between
	// messages; zero means DefaultFirstMessageTimeout and DefaultIdleTimeout.
	FirstMessageTimeout, IdleTimeout time.Duration
	// MaxUploadDuration bounds one upload; zero means
	// DefaultMaxUploadDuration.
	MaxUploadDuration time.Duration
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
		trackInterval: c.TrackInterval, stopping: c.Stopping, log: c.Log,
		firstMessage: cmp.Or(c.FirstMessageTimeout, DefaultFirstMessageTimeout),
		idle:         cmp.Or(c.IdleTimeout, DefaultIdleTimeout),
		maxUpload:    cmp.Or(c.MaxUploadDuration, DefaultMaxUploadDuration)}
}

// CreateOrder places one order. A request_id seen before from the same
// caller gets the order that request placed, so a retry cannot order twice.
func (s *Service) CreateOrder(ctx context.Context, req *ordersv1.CreateOrderRequest) (*ordersv1.CreateOrderResponse, error) {
	order, err := s.place(ctx, req)
	if err != nil {
		return nil, err
	}
	return &ordersv1.CreateOrderResponse{Order: order}, nil
}

// GetOrder returns one order.
func (s *Service) GetOrder(ctx context.Context, req *ordersv1.GetOrderRequest) (*ordersv1.GetOrderResponse, error) {
	id, err := validateGetOrder(req)
	if err != nil {
		return nil, err
	}
	order, err := s.ownOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	return &ordersv1.GetOrderResponse{Order: order}, nil
}

// ownOrder returns the order with a validated id if the caller owns it.
// The auth interceptor has proved who the caller is; only the handler knows
// whose the order is. Someone else's order is NotFound, exactly as an
// unknown id is: a different answer would tell a prober which ids exist.
func (s *Service) ownOrder(ctx context.Context, id string) (*ordersv1.Order, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	order, err := s.orders.Get(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, toStatus(err)
	}
	if err == nil && order.GetCustomerId() != caller.Subject {
		s.log.Warn("caller asked for someone else's order", "subject", caller.Subject, "order", id)
		err = ErrNotFound
	}
	if err != nil {
		return nil, rpcerr.NotFound(orderType, "order", id)
	}
	return order, nil
}

// callerOf returns the caller the auth interceptor proved. The policy
// requires a token for every order method, so a call without one is a
// wiring mistake, and refusing it is the safe way to fail.
func callerOf(ctx context.Context) (auth.Identity, error) {
	caller, ok := auth.IdentityFrom(ctx)
	if !ok {
		return auth.Identity{}, status.Error(codes.Unauthenticated, "request does not contain an auth token")
	}
	return caller, nil
}

// place validates the request, prices it, takes it out of stock and stores
// the order. The checks run cheapest first, and stock is touched last, all
// at once, so a refused order changes nothing; stock taken for an order
// that is then not stored is given back.
func (s *Service) place(ctx context.Context, req *ordersv1.CreateOrderRequest) (*ordersv1.Order, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	want, requestID, err := validateCreateOrder(req)
	if err != nil {
		return nil, err
	}
	key := requestKey(caller.Subject, requestID)
	if key != "" {
		if earlier, err := s.orders.ByRequest(ctx, key); err == nil {
			return sameOrder(earlier, want)
		} else if !errors.Is(err, ErrNotFound) {
			return nil, toStatus(err)
		}
	}

	ids := slices.Sorted(maps.Keys(want))
	lines := make([]*ordersv1.OrderItem, 0, len(ids))
	prices := make([]*commonv1.Money, 0, len(ids))
	for _, id := range ids {
		p, err := s.products.Get(ctx, id)
		if errors.Is(err, catalog.ErrNotFound) {
			return nil, rpcerr.NotFound(productType, "product", id)
		}
		if err != nil {
			return nil, toStatus(err)
		}
		lines = append(lines, &ordersv1.OrderItem{ProductId: id, Quantity: want[id]})
		prices = append(prices, p.GetPrice())
	}
	total, err := orderTotal(lines, prices)
	if err != nil {
		return nil, err
	}

	if err := s.stock.Take(want); err != nil {
		var unknown *inventory.UnknownProductError
		switch {
		case errors.Is(err, inventory.ErrInsufficientStock):
			return nil, status.Error(codes.FailedPrecondition, err.Error())
		case errors.As(err, &unknown):
			return nil, rpcerr.NotFound(productType, "product", unknown.ID)
		}
		return nil, status.Error(codes.Internal, "could not reserve stock")
	}
	order, created, err := s.orders.Add(ctx, &ordersv1.Order{
		CustomerId: caller.Subject,
		Items:      lines,
		Status:     ordersv1.OrderStatus_ORDER_STATUS_PENDING,
		Total:      total,
		CreatedAt:  timestamppb.Now(),
	}, key)
	if err != nil || !created {
		// Not stored, or stored already by a request with the same id that
		// got there first: this request's stock goes back.
		s.stock.Release(want)
	}
	if err != nil {
		s.log.Warn("storing an order failed; its stock was given back", "err", err)
		return nil, toStatus(err)
	}
	if !created {
		return sameOrder(order, want)
	}
	return order, nil
}

// requestKey scopes a request_id to its caller: two callers who pick the
// same id place two orders.
func requestKey(caller, requestID string) string {
	if requestID == "" {
		return ""
	}
	return caller + "\x00" + requestID
}

// sameOrder returns earlier, the order a request_id placed before, if it
// holds the items asked for now. Reusing a request_id for different items
// is a client bug, and placing either order silently would hide it.
func sameOrder(earlier *ordersv1.Order, want map[string]int32) (*ordersv1.Order, error) {
	got := map[string]int32{}
	for _, it := range earlier.GetItems() {
		got[it.GetProductId()] = it.GetQuantity()
	}
	if !maps.Equal(got, want) {
		return nil, rpcerr.Invalid(rpcerr.Violation{Field: "request_id",
			Description: "request_id was already used for an order with other items"})
	}
	return earlier, nil
}

// toStatus keeps a context error's meaning and hides anything else.
func toStatus(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Err()
	}
	return status.Error(codes.Internal, "order storage failed")
}
