package orders

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// MaxUploadOrders bounds one upload, so one call cannot grow the summary
// without limit.
const MaxUploadOrders = 1000

// UploadOrders creates each order as it arrives and answers once the client
// has sent them all. A bad order is noted and the upload goes on.
//
// When the server stops reading early (too many orders, a quiet client, a
// shutdown), it still answers with the summary, marked stopped: a response
// message may be large, a status's trailer may not. When the client leaves
// (it cancels or its deadline passes), no answer can reach it, so the ids
// of the orders kept go to the log.
func (s *Service) UploadOrders(stream grpc.ClientStreamingServer[ordersv1.UploadOrdersRequest, ordersv1.UploadOrdersResponse]) error {
	ctx := stream.Context()
	summary := &ordersv1.UploadOrdersResponse{}
	lastLine := int32(0)
	stop := func(err error) error { return s.stopUpload(ctx, stream, summary, lastLine, err) }
	msgs, errs := receive(ctx, stream.Recv)
	idle := time.NewTimer(s.firstMessage)
	defer idle.Stop()
	tooLong := time.NewTimer(s.maxUpload)
	defer tooLong.Stop()
	for {
		select {
		case <-ctx.Done():
			return stop(status.FromContextError(ctx.Err()).Err())
		case <-s.stopping:
			return stop(rpcerr.ShuttingDown())
		case <-idle.C:
			return stop(status.Error(codes.DeadlineExceeded, "the client sent no order for too long"))
		case <-tooLong.C:
			return stop(status.Errorf(codes.ResourceExhausted,
				"an upload may last at most %s; send the rest in another upload", s.maxUpload))
		case err := <-errs:
			if !errors.Is(err, io.EOF) {
				return stop(err)
			}
			// The client has half-closed: it sent everything.
			s.log.InfoContext(ctx, "upload finished", "received", summary.Received, "created", len(summary.OrderIds), "rejected", len(summary.Rejected))
			return stream.SendAndClose(summary)
		case req := <-msgs:
			if summary.Received == MaxUploadOrders {
				return stop(status.Errorf(codes.ResourceExhausted,
					"an upload holds at most %d orders; send the rest in another upload", MaxUploadOrders))
			}
			order, err := s.place(ctx, req.GetOrder())
			st := status.Convert(err)
			if st.Code() == codes.Canceled || st.Code() == codes.DeadlineExceeded {
				return stop(err) // this order was not placed: the summary ends before it
			}
			summary.Received++
			lastLine = req.GetLine()
			if err != nil {
				summary.Rejected = append(summary.Rejected, &ordersv1.RejectedOrder{Line: req.GetLine(), Code: st.Code().String(), Reason: st.Message()})
			} else {
				summary.OrderIds = append(summary.OrderIds, order.GetId())
			}
			idle.Reset(s.idle)
		}
	}
}

// stopUpload ends an upload before the client's last order, keeping the
// orders created so far. A client that is still there hears the summary,
// with why and where it stopped; one that left ends with its own status.
func (s *Service) stopUpload(ctx context.Context, stream grpc.ClientStreamingServer[ordersv1.UploadOrdersRequest, ordersv1.UploadOrdersResponse],
	summary *ordersv1.UploadOrdersResponse, lastLine int32, why error) error {
	shuttingDown := closed(s.stopping)
	if shuttingDown {
		why = rpcerr.ShuttingDown() // whatever failed, failed because the server is stopping
	}
	st := status.Convert(why)
	s.log.WarnContext(ctx, "upload ended early; the orders created so far are kept", "received", summary.Received,
		"created", len(summary.OrderIds), "order_ids", summary.OrderIds, "code", st.Code().String())
	if ctx.Err() != nil && !shuttingDown {
		return why // the client cancelled or its deadline passed: no answer can reach it
	}
	summary.Stopped = &ordersv1.UploadStopped{Code: st.Code().String(), Reason: st.Message(), LastLine: lastLine}
	if err := stream.SendAndClose(summary); err != nil {
		return fmt.Errorf("sending the summary of an upload that stopped early: %w", err)
	}
	return nil
}

// closed reports whether c is closed, without waiting.
func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
