package orders

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ordersv1 "github.com/learn-grpc/learn-grpc/08-observability/gen/ecommerce/orders/v1"
)

// place validates the request, records the order, takes its stock and
// settles it. The checks run cheapest first. The order, with its request_id,
// is recorded before any stock is reserved: of two requests racing with one
// request_id, the database lets one in, and only that one reserves.
func (s *Service) place(ctx context.Context, req *ordersv1.CreateOrderRequest) (*ordersv1.Order, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := enoughTime(ctx); err != nil {
		return nil, err
	}
	want, requestID, err := validateCreateOrder(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, MaxPlaceTime)
	defer cancel()
	ids := slices.Sorted(maps.Keys(want))
	lines := make([]*ordersv1.OrderItem, 0, len(ids))
	for _, id := range ids {
		lines = append(lines, &ordersv1.OrderItem{ProductId: id, Quantity: want[id]})
	}
	// The order is named before its stock is reserved, so a reservation
	// retried, here or by gRPC, takes the stock once.
	order := &ordersv1.Order{
		Id:         NewOrderID(),
		CustomerId: caller.Subject,
		Items:      lines,
		Status:     ordersv1.OrderStatus_ORDER_STATUS_PENDING,
	}
	for {
		if requestID != "" {
			// A retry, the common case of a request_id seen before, is
			// answered from a read, without a write transaction.
			earlier, err := s.settled(ctx, caller.Subject, requestID, want)
			if err == nil {
				storedEvent(ctx, earlier.GetId(), false)
			}
			if !errors.Is(err, ErrNotFound) {
				return earlier, err
			}
		}
		stored, created, err := s.orders.Add(ctx, order, requestID)
		switch {
		case created:
			return s.reserve(ctx, stored, want)
		case errors.Is(err, ErrPending):
			continue // recorded by another request a moment ago: wait for it
		case errors.Is(err, ErrNotFound):
			continue // the request that held the key failed between our write and our read: claim it
		case err != nil:
			return nil, s.toStatus(ctx, err)
		}
		storedEvent(ctx, stored.GetId(), false)
		return sameOrder(stored, want)
	}
}

// storedEvent marks the call's span with the order it answers with: new,
// or one a request with the same request_id placed before.
// An untraced call (or one its sampler left out) builds no event.
func storedEvent(ctx context.Context, order string, isNew bool) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("order stored", trace.WithAttributes(attribute.String("order.id", order), attribute.Bool("order.new", isNew)))
	}
}

// settled waits while the order holding a request_id is being placed by
// another request, and returns it once placed. ErrNotFound means that no
// order holds the key, or no longer: the other request failed, freeing it.
func (s *Service) settled(ctx context.Context, customer, requestID string, want map[string]int32) (*ordersv1.Order, error) {
	for wait := pendingPoll; ; wait = min(2*wait, maxPendingPoll) {
		earlier, err := s.orders.ByRequest(ctx, customer, requestID)
		switch {
		case errors.Is(err, ErrNotFound):
			return nil, err
		case errors.Is(err, ErrPending):
			if _, err := sameOrder(earlier, want); err != nil {
				return nil, err
			}
			if err := pause(ctx, wait); err != nil {
				return nil, status.Error(codes.Aborted, "a request with this request_id is still being placed; retry")
			}
		case err != nil:
			return nil, s.toStatus(ctx, err)
		default:
			return sameOrder(earlier, want)
		}
	}
}

// MaxPlaceTime bounds a CreateOrder, whatever its deadline, so that an
// order still being placed after SettleAfter is surely abandoned.
const MaxPlaceTime = 30 * time.Second

// pendingPoll is how soon a duplicate request first looks for the outcome
// of the request it duplicates; each look after waits twice as long, up to
// maxPendingPoll, so that duplicates of a slow order do not hammer the store.
const (
	pendingPoll    = 20 * time.Millisecond
	maxPendingPoll = 500 * time.Millisecond
)

// pause waits for wait, or less if ctx's deadline comes first: the last look
// comes just before the deadline, so an order placed meanwhile is seen.
func pause(ctx context.Context, wait time.Duration) error {
	if d, ok := ctx.Deadline(); ok {
		if left := time.Until(d) - MinTimeLeft/2; left > 0 && left < wait {
			wait = left
		}
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
	}
}

// reserve takes the stock of an order just recorded, one call to the
// catalog that also prices it, and settles the order. Settling runs on a
// context of its own: the caller's may have ended while the catalog held
// its stock.
func (s *Service) reserve(ctx context.Context, order *ordersv1.Order, want map[string]int32) (*ordersv1.Order, error) {
	settle, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	prices, err := s.stock.Reserve(ctx, order.GetId(), want)
	if err != nil {
		// A refusal took nothing; any other failure may have come after
		// the catalog took the stock.
		owed := maybeHeld
		if refused(err) {
			owed = nothingHeld
		}
		s.fail(settle, order.GetId(), owed)
		return nil, stockStatus(err)
	}
	total, err := s.total(ctx, order.GetItems(), prices)
	if err != nil {
		s.fail(settle, order.GetId(), held)
		return nil, err
	}
	placed, err := s.orders.Placed(settle, order.GetId(), total)
	if err != nil {
		// Settled as failed meanwhile, or not stored: either way the
		// stock goes back, through the outbox.
		s.log.WarnContext(ctx, "an order could not be placed after its stock was reserved", "order", order.GetId(), "err", err)
		s.fail(settle, order.GetId(), held)
		return nil, status.Error(codes.Unavailable, "could not place the order; retry")
	}
	storedEvent(ctx, placed.GetId(), true)
	return placed, nil
}

// What the catalog may hold for an order that failed.
type holding int

const (
	nothingHeld holding = iota // the catalog refused the reservation
	maybeHeld                  // the reservation may have happened before the failure
	held                       // the catalog reserved the stock
)

// fail settles an order that will not be placed and gives back whatever
// the catalog may hold for it: the debt is stored with the failure, then
// delivered at once if the catalog answers, or later by the Relay. A store
// that cannot record the failure leaves the order being placed, and the
// Relay settles it.
func (s *Service) fail(ctx context.Context, order string, h holding) {
	if err := s.orders.Failed(ctx, order, h != nothingHeld); err != nil {
		s.log.ErrorContext(ctx, "could not record a failed order; it will be settled later", "order", order, "err", err)
		return
	}
	if h == nothingHeld {
		return
	}
	releasedNow, err := deliver(ctx, s.stock, s.orders, order)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("stock released", trace.WithAttributes(attribute.String("order.id", order),
			attribute.Bool("delivered", err == nil), attribute.Bool("released_now", releasedNow)))
	}
	switch {
	case err != nil:
		s.log.WarnContext(ctx, "could not give back an order's stock yet; the release is owed", "order", order, "err", err)
	default:
		// released_now=false for stock the catalog reserved is no alarm:
		// the Relay may have delivered the debt first, and a release is
		// done once (see Stock.Release).
		s.log.InfoContext(ctx, "gave back a failed order's stock", "order", order, "released_now", releasedNow)
	}
}
