package orders

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// deliverySteps is the path every order takes from PENDING to the door.
var deliverySteps = []ordersv1.OrderStatus{
	ordersv1.OrderStatus_ORDER_STATUS_SHIPPED,
	ordersv1.OrderStatus_ORDER_STATUS_IN_TRANSIT,
	ordersv1.OrderStatus_ORDER_STATUS_OUT_FOR_DELIVERY,
	ordersv1.OrderStatus_ORDER_STATUS_DELIVERED,
}

// TrackOrder talks both ways at once. One goroutine only receives (the
// pings); this one only sends (status updates on a timer, answers to pings)
// and decides, in one select, what happens next. gRPC allows one goroutine
// receiving and one sending on a stream at the same time, never two of
// either, and this split keeps to that without a lock.
func (s *Service) TrackOrder(stream grpc.BidiStreamingServer[ordersv1.TrackOrderRequest, ordersv1.TrackOrderResponse]) error {
	ctx := stream.Context()
	// The receiving goroutine; see receive.
	incoming, recvErr := receive(ctx, stream.Recv)
	idle := time.NewTimer(s.firstMessage)
	defer idle.Stop()
	var first *ordersv1.TrackOrderRequest
	select {
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	case <-s.stopping:
		return rpcerr.ShuttingDown()
	case <-idle.C:
		return status.Error(codes.DeadlineExceeded, "the client did not start tracking in time")
	case err := <-recvErr:
		if errors.Is(err, io.EOF) {
			return errNoStart
		}
		return err
	case first = <-incoming:
	}
	id, err := validateStart(first)
	if err != nil {
		return err
	}
	order, err := s.ownOrder(ctx, id)
	if err != nil {
		return err
	}
	steps := remainingSteps(order.GetStatus())
	if len(steps) == 0 {
		return status.Errorf(codes.FailedPrecondition, "order %q is %s and will not be delivered", id, order.GetStatus())
	}

	s.trackers.Add(ctx, 1)
	defer s.trackers.Add(context.WithoutCancel(ctx), -1)
	ticker := time.NewTicker(s.trackInterval)
	defer ticker.Stop()
	idle.Reset(s.idle)
	var pings int32
	start := time.Now()
	end := func(err error) error {
		s.log.InfoContext(ctx, "tracking ended", "order", id, "pings", pings, "duration", time.Since(start).Round(time.Millisecond), "code", status.Code(err).String())
		return err
	}
	for {
		select {
		case <-ctx.Done():
			// The client cancelled or its deadline passed: stop at once.
			return end(status.FromContextError(ctx.Err()).Err())
		case <-s.stopping:
			return end(rpcerr.ShuttingDown())
		case <-idle.C:
			return end(status.Error(codes.DeadlineExceeded, "the client sent nothing for too long; half-close to only listen"))
		case err := <-recvErr:
			if !errors.Is(err, io.EOF) {
				return end(err)
			}
			// The client half-closed: it will send nothing more but still
			// wants every update. A nil channel is never ready, so this
			// case is off from now on, and so is the idle limit.
			recvErr = nil
			idle.Stop()
		case req := <-incoming:
			if req.GetPing() == nil {
				return end(rpcerr.Invalid(rpcerr.Violation{Field: "ping",
					Description: "only the first message may start tracking; later messages must be location pings"}))
			}
			idle.Reset(s.idle)
			pings++
			if err := stream.Send(&ordersv1.TrackOrderResponse{Kind: &ordersv1.TrackOrderResponse_Ack{Ack: &ordersv1.PingAck{PingsReceived: pings}}}); err != nil {
				return end(err)
			}
		case <-ticker.C:
			update, err := s.advance(ctx, id, steps[0])
			if err != nil {
				return end(err)
			}
			if err := stream.Send(&ordersv1.TrackOrderResponse{Kind: &ordersv1.TrackOrderResponse_Status{Status: update}}); err != nil {
				return end(err)
			}
			if update.GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_DELIVERED {
				return end(nil) // OK: the order is at the door
			}
			steps = remainingSteps(update.GetStatus())
		}
	}
}

// advance moves order id on to next and returns the update to send. The
// update says what the store holds, which is next unless another tracker or
// watcher of the order has moved it further.
func (s *Service) advance(ctx context.Context, id string, next ordersv1.OrderStatus) (*ordersv1.StatusUpdate, error) {
	now, err := s.orders.Advance(ctx, id, next)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &ordersv1.StatusUpdate{Status: now, UpdatedAt: timestamppb.Now()}, nil
}

// errNoStart is the status of a tracker whose first message is not a start.
var errNoStart = rpcerr.Invalid(rpcerr.Violation{Field: "start", Description: "the first message must start tracking an order"})

// validateStart returns the order id of a tracker's first message.
func validateStart(first *ordersv1.TrackOrderRequest) (string, error) {
	if first.GetStart() == nil {
		return "", errNoStart
	}
	id := strings.TrimSpace(first.GetStart().GetOrderId())
	if v, ok := rpcerr.CheckID("start.order_id", "order", id); !ok {
		return "", rpcerr.Invalid(v)
	}
	return id, nil
}

// remainingSteps lists the statuses an order still has to go through. A
// delivered order gets DELIVERED once more, so tracking it ends at once with
// the news; a cancelled one has none.
func remainingSteps(current ordersv1.OrderStatus) []ordersv1.OrderStatus {
	switch current {
	case ordersv1.OrderStatus_ORDER_STATUS_CANCELLED:
		return nil
	case ordersv1.OrderStatus_ORDER_STATUS_DELIVERED:
		return []ordersv1.OrderStatus{current}
	}
	for i, st := range deliverySteps {
		if st > current {
			return deliverySteps[i:]
		}
	}
	return nil
}
