package orders

import (
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// The caps on open WatchOrder streams, as the catalog caps its watchers:
// each holds a goroutine and a ticker for as long as its client likes. The
// gateway, which forwards a browser's watches on one connection, holds 32
// at most, so its own caps refuse first.
const (
	MaxOrderWatchers        = 10_000
	MaxOrderWatchersPerConn = 32
)

// WatchOrder is TrackOrder for a client that cannot stream requests, such as
// a browser's fetch: the request names the order, and the server alone
// talks. It sends the status the store holds now, then moves the order on
// at TrackOrder's pace and sends each change, and ends with OK once the
// order is delivered (or at once, with its one status, if it is cancelled).
func (s *Service) WatchOrder(req *ordersv1.WatchOrderRequest, stream grpc.ServerStreamingServer[ordersv1.WatchOrderResponse]) error {
	ctx := stream.Context()
	id := strings.TrimSpace(req.GetOrderId())
	if v, ok := rpcerr.CheckID("order_id", "order", id); !ok {
		return rpcerr.Invalid(v)
	}
	release, err := s.watchers.AcquireConn(ctx)
	if err != nil {
		return err
	}
	defer release()
	order, err := s.ownOrder(ctx, id)
	if err != nil {
		return err
	}
	send := func(u *ordersv1.StatusUpdate) error {
		return stream.Send(&ordersv1.WatchOrderResponse{Status: u})
	}
	current := order.GetStatus()
	if err := send(&ordersv1.StatusUpdate{Status: current, UpdatedAt: timestamppb.Now()}); err != nil {
		return err
	}
	// A delivered order has no step left but DELIVERED itself, which was
	// just sent; a cancelled one has none.
	steps := remainingSteps(current)
	if current == ordersv1.OrderStatus_ORDER_STATUS_DELIVERED || len(steps) == 0 {
		return nil
	}

	ticker := time.NewTicker(s.trackInterval)
	defer ticker.Stop()
	start := time.Now()
	end := func(err error) error {
		s.log.InfoContext(ctx, "watching an order ended", "order", id,
			"duration", time.Since(start).Round(time.Millisecond), "code", status.Code(err).String())
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return end(status.FromContextError(ctx.Err()).Err())
		case <-s.stopping:
			return end(rpcerr.ShuttingDown())
		case <-ticker.C:
			update, err := s.advance(ctx, id, steps[0])
			if err != nil {
				return end(err)
			}
			if err := send(update); err != nil {
				return end(err)
			}
			if update.GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_DELIVERED {
				return end(nil)
			}
			steps = remainingSteps(update.GetStatus())
		}
	}
}
