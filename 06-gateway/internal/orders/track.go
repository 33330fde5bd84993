package orders

import (
	"errors"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
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
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return status.Error(codes.InvalidArgument, "the first message must start tracking an order")
	}
	if err != nil {
		return err
	}
	if first.GetStart() == nil {
		return status.Error(codes.InvalidArgument, "the first message must start tracking an order")
	}
	id := strings.TrimSpace(first.GetStart().GetOrderId())
	if id == "" {
		return status.Error(codes.InvalidArgument, "order id is required")
	}
	order, err := s.ownOrder(ctx, id)
	if err != nil {
		return err
	}
	steps := remainingSteps(order.GetStatus())
	if len(steps) == 0 {
		return status.Errorf(codes.FailedPrecondition, "order %q is %s and will not be delivered", id, order.GetStatus())
	}

	// The receiving goroutine. It ends when Recv fails, which it does once
	// this handler returns (gRPC then cancels the stream), so it never
	// outlives the call.
	incoming := make(chan *ordersv1.TrackOrderRequest)
	recvErr := make(chan error, 1)
	go func() {
		for {
			req, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case incoming <- req:
			case <-ctx.Done():
				return
			}
		}
	}()

	ticker := time.NewTicker(s.trackInterval)
	defer ticker.Stop()
	var pings int32
	start := time.Now()
	end := func(err error) error {
		s.log.Info("tracking ended", "order", id, "pings", pings, "duration", time.Since(start).Round(time.Millisecond), "code", status.Code(err).String())
		return err
	}
	for {
		select {
		case <-ctx.Done():
			// The client cancelled or its deadline passed: stop at once.
			return end(status.FromContextError(ctx.Err()).Err())
		case <-s.stopping:
			return end(status.Error(codes.Unavailable, "server is shutting down; track again to resume"))
		case err := <-recvErr:
			if !errors.Is(err, io.EOF) {
				return end(err)
			}
			// The client half-closed: it will send nothing more but still
			// wants every update. A nil channel is never ready, so this
			// case is off from now on.
			recvErr = nil
		case req := <-incoming:
			if req.GetPing() == nil {
				return end(status.Error(codes.InvalidArgument, "only the first message may start tracking; later messages must be location pings"))
			}
			pings++
			if err := stream.Send(&ordersv1.TrackOrderResponse{Kind: &ordersv1.TrackOrderResponse_Ack{Ack: &ordersv1.PingAck{PingsReceived: pings}}}); err != nil {
				return end(err)
			}
		case <-ticker.C:
			next := steps[0]
			steps = steps[1:]
			if err := s.orders.Advance(ctx, id, next); err != nil {
				return end(toStatus(err))
			}
			update := &ordersv1.StatusUpdate{Status: next, UpdatedAt: timestamppb.Now()}
			if err := stream.Send(&ordersv1.TrackOrderResponse{Kind: &ordersv1.TrackOrderResponse_Status{Status: update}}); err != nil {
				return end(err)
			}
			if next == ordersv1.OrderStatus_ORDER_STATUS_DELIVERED {
				return end(nil) // OK: the order is at the door
			}
		}
	}
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
