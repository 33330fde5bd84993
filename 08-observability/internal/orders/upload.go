package orders

import (
	"errors"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/rpcerr"

	ordersv1 "github.com/learn-grpc/learn-grpc/08-observability/gen/ecommerce/orders/v1"
)

// MaxUploadOrders bounds one upload, so one call cannot grow the summary
// without limit.
const MaxUploadOrders = 1000

// UploadOrders creates each order as it arrives and answers once the client
// has sent them all. A bad order is noted and the upload goes on. An upload
// that ends early (the client cancels, goes quiet, or sends too many; the
// server stops) keeps the orders already created: their ids go to the log
// and, where the client can still hear, in the status's details as the
// summary so far.
func (s *Service) UploadOrders(stream grpc.ClientStreamingServer[ordersv1.UploadOrdersRequest, ordersv1.UploadOrdersResponse]) error {
	ctx := stream.Context()
	summary := &ordersv1.UploadOrdersResponse{}
	endEarly := func(err error) error {
		s.log.WarnContext(ctx, "upload ended early; the orders created so far are kept", "received", summary.Received,
			"created", len(summary.OrderIds), "order_ids", summary.OrderIds, "code", status.Code(err).String())
		return rpcerr.With(err, summary)
	}
	msgs, errs := receive(ctx, stream.Recv)
	idle := time.NewTimer(s.firstMessage)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return endEarly(status.FromContextError(ctx.Err()).Err())
		case <-s.stopping:
			return endEarly(rpcerr.ShuttingDown())
		case <-idle.C:
			return endEarly(status.Error(codes.DeadlineExceeded, "the client sent no order for too long"))
		case err := <-errs:
			if !errors.Is(err, io.EOF) {
				return endEarly(err)
			}
			// The client has half-closed: it sent everything.
			s.log.InfoContext(ctx, "upload finished", "received", summary.Received, "created", len(summary.OrderIds), "rejected", len(summary.Rejected))
			return stream.SendAndClose(summary)
		case req := <-msgs:
			if summary.Received == MaxUploadOrders {
				return endEarly(rpcerr.Exhausted(
					fmt.Sprintf("an upload holds at most %d orders; the first %d were processed", MaxUploadOrders, MaxUploadOrders),
					"orders per upload", 0))
			}
			summary.Received++
			order, err := s.place(ctx, req.GetOrder())
			if st := status.Convert(err); st.Code() == codes.Canceled || st.Code() == codes.DeadlineExceeded {
				return endEarly(err)
			} else if err != nil {
				summary.Rejected = append(summary.Rejected, &ordersv1.RejectedOrder{Line: req.GetLine(), Code: st.Code().String(), Reason: st.Message()})
			} else {
				summary.OrderIds = append(summary.OrderIds, order.GetId())
			}
			idle.Reset(s.idle)
		}
	}
}
