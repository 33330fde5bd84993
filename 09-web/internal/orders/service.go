package orders

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"maps"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// Stock is what the service needs from the catalog: it prices an order's
// items and holds their stock, keyed by order id so that a retry takes it
// once. It is the catalog's InventoryService across the network
// (catalogclient); tests use reservations in the same process instead.
// Reserve returns each product's unit price, or fails with the errors of
// inventory.Reservations.Reserve. Release reports whether it gave anything
// back: false if the order held nothing, or was released before.
type Stock interface {
	Reserve(ctx context.Context, order string, quantities map[string]int32) (map[string]*commonv1.Money, error)
	Release(ctx context.Context, order string) (releasedNow bool, err error)
}

// MinTimeLeft is the least time a CreateOrder must have before its deadline:
// with less, it fails at once instead of starting calls to the catalog that
// cannot finish, and leaving stock to release.
const MinTimeLeft = 50 * time.Millisecond

// releaseTimeout bounds giving stock back, on a context of its own: the
// caller's may be why the order is given up.
const releaseTimeout = 5 * time.Second

// Service implements ordersv1.OrderManagementServiceServer.
type Service struct {
	ordersv1.UnimplementedOrderManagementServiceServer

	orders        Store
	stock         Stock
	trackInterval time.Duration
	firstMessage  time.Duration
	idle          time.Duration
	maxUpload     time.Duration
	stopping      <-chan struct{}
	log           *slog.Logger
	trackers      metric.Int64UpDownCounter
	watchers      *catalog.WatchLimit
}

// Config is what a Service is made of.
type Config struct {
	Orders Store
	Stock  Stock
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
	// Trackers counts the TrackOrder streams open; nil counts nothing.
	Trackers metric.Int64UpDownCounter
}

// NewService returns the OrderManagement handlers.
func NewService(c Config) *Service {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Trackers == nil {
		c.Trackers = noop.Int64UpDownCounter{}
	}
	return &Service{orders: c.Orders, stock: c.Stock,
		trackInterval: c.TrackInterval, stopping: c.Stopping, log: c.Log, trackers: c.Trackers,
		watchers:     catalog.NewWatchLimit(MaxOrderWatchers, MaxOrderWatchersPerConn),
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
		return nil, s.toStatus(ctx, err)
	}
	if err == nil && order.GetCustomerId() != caller.Subject {
		s.log.WarnContext(ctx, "caller asked for someone else's order", "subject", caller.Subject, "order", id)
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

// total adds up the order at the prices the catalog gave.
func (s *Service) total(ctx context.Context, lines []*ordersv1.OrderItem, prices map[string]*commonv1.Money) (*commonv1.Money, error) {
	list := make([]*commonv1.Money, len(lines))
	for i, l := range lines {
		if list[i] = prices[l.GetProductId()]; list[i] == nil {
			s.log.ErrorContext(ctx, "the catalog priced an order without one of its products", "product", l.GetProductId())
			return nil, status.Error(codes.Internal, "could not place the order")
		}
	}
	return orderTotal(lines, list)
}

// enoughTime fails a call whose deadline leaves less than MinTimeLeft.
func enoughTime(ctx context.Context) error {
	if d, ok := ctx.Deadline(); ok && time.Until(d) < MinTimeLeft {
		return status.Errorf(codes.DeadlineExceeded, "less than %s left before the deadline; not starting", MinTimeLeft)
	}
	return nil
}

// refused reports whether a reservation was turned down, so that nothing
// was taken; any other failure may have happened after stock was taken.
func refused(err error) bool {
	var unknown *inventory.UnknownProductError
	return errors.Is(err, inventory.ErrInsufficientStock) || errors.As(err, &unknown) ||
		errors.Is(err, inventory.ErrOtherItems) || errors.Is(err, inventory.ErrReleased)
}

// stockStatus is the status of a reservation that failed.
func stockStatus(err error) error {
	var unknown *inventory.UnknownProductError
	switch {
	case errors.Is(err, inventory.ErrInsufficientStock):
		return rpcerr.Failed(rpcerr.ReasonInsufficientStock, err.Error())
	case errors.As(err, &unknown):
		return rpcerr.NotFound(productType, "product", unknown.ID)
	}
	return dependencyStatus(err)
}

// dependencyStatus is the status of a call to the catalog that failed: a
// deadline or a cancellation keeps its meaning, an outage says to retry,
// and anything else is ours to fix, not the caller's.
func dependencyStatus(err error) error {
	switch code := status.Code(err); {
	case errors.Is(err, context.DeadlineExceeded) || code == codes.DeadlineExceeded:
		return status.Error(codes.DeadlineExceeded, "the catalog did not answer in time")
	case errors.Is(err, context.Canceled) || code == codes.Canceled:
		return status.Error(codes.Canceled, "the call was cancelled")
	case code == codes.Unavailable:
		return rpcerr.Unavailable("the catalog is unavailable", time.Second)
	}
	return status.Error(codes.Internal, "could not place the order")
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
func (s *Service) toStatus(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Err()
	}
	// The store failed, not the request: a retry may succeed, and the
	// request_id makes it safe. The cause stays in the log.
	s.log.ErrorContext(ctx, "the order store failed", "err", err)
	return rpcerr.Unavailable("order storage is unavailable; retry", storeRetryAfter)
}

// storeRetryAfter is how long a caller should wait before retrying a call
// the order store failed.
const storeRetryAfter = time.Second
