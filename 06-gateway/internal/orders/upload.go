package orders

import (
	"errors"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

// MaxUploadOrders bounds one upload, so one call cannot grow the summary
// without limit.
const MaxUploadOrders = 1000

// UploadOrders creates each order as it arrives and answers once the client
// has sent them all. A bad order is noted and the upload goes on; an upload
// that ends early (the client cancels or its deadline passes) keeps the
// orders already created, and the server logs how many.
func (s *Service) UploadOrders(stream grpc.ClientStreamingServer[ordersv1.UploadOrdersRequest, ordersv1.UploadOrdersResponse]) error {
	ctx := stream.Context()
	summary := &ordersv1.UploadOrdersResponse{}
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) && ctx.Err() != nil {
			// A client that cancels can look like one that finished: Recv
			// reports io.EOF either way. Only the context tells them apart.
			err = status.FromContextError(ctx.Err()).Err()
		}
		if errors.Is(err, io.EOF) {
			// The client has half-closed: it sent everything.
			s.log.Info("upload finished", "received", summary.Received, "created", len(summary.OrderIds), "rejected", len(summary.Rejected))
			return stream.SendAndClose(summary)
		}
		if err != nil {
			s.log.Warn("upload ended early; the orders created so far are kept",
				"received", summary.Received, "created", len(summary.OrderIds), "code", status.Code(err).String())
			return err
		}
		if summary.Received == MaxUploadOrders {
			s.log.Warn("upload too large; the orders created so far are kept", "created", len(summary.OrderIds))
			return status.Errorf(codes.ResourceExhausted,
				"an upload holds at most %d orders; the first %d were processed and %d created", MaxUploadOrders, MaxUploadOrders, len(summary.OrderIds))
		}
		summary.Received++
		order, err := s.place(ctx, req.GetOrder().GetItems())
		if err != nil {
			st := status.Convert(err)
			if st.Code() == codes.Canceled || st.Code() == codes.DeadlineExceeded {
				return err
			}
			summary.Rejected = append(summary.Rejected, &ordersv1.RejectedOrder{Line: req.GetLine(), Code: st.Code().String(), Reason: st.Message()})
			continue
		}
		summary.OrderIds = append(summary.OrderIds, order.GetId())
	}
}
