package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// samplePing stands in for the phone's position.
var samplePing = &ordersv1.LocationPing{Latitude: 52.5200, Longitude: 13.4050}

// runTrack follows an order: it starts tracking and sends a ping, sends
// another when the parcel is in transit, then closes its side (CloseSend:
// "I have nothing more to say") and keeps reading until the server ends the
// call. It checks that every status arrived and every ping was answered.
func runTrack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cf := newFlagSet("track", "--order-id=ORDER-ID", 0, stderr)
	id := fs.String("order-id", "", "`id` of the order to track")
	if err := parse(fs, args); err != nil {
		return err
	}
	conn, callCtx, done, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	stream, err := ordersv1.NewOrderManagementServiceClient(conn).TrackOrder(callCtx)
	if err != nil {
		return report(stderr, "tracking order", err)
	}

	send := func(req *ordersv1.TrackOrderRequest) error {
		// io.EOF means the server already ended the call: Recv will say why.
		if err := stream.Send(req); err != nil && !errors.Is(err, io.EOF) {
			return report(stderr, "tracking order", err)
		}
		return nil
	}
	ping := &ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Ping{Ping: samplePing}}
	if err := send(&ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: *id}}}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "[Client] Started tracking order %s. Sending location ping.\n", *id)
	if err := send(ping); err != nil {
		return err
	}
	pings, acks, delivered := int32(1), int32(0), false
	for {
		resp, err := stream.Recv()
		switch {
		case errors.Is(err, io.EOF):
			fmt.Fprintln(stdout, "[Server] Tracking complete.")
			if !delivered || acks != pings {
				return report(stderr, "tracking order", fmt.Errorf("the call ended early: delivered=%v, %d of %d pings answered", delivered, acks, pings))
			}
			fmt.Fprintln(stdout, "Client received all updates.")
			return nil
		case err != nil && ctx.Err() != nil:
			fmt.Fprintln(stdout, "Tracking stopped.")
			return nil
		case err != nil:
			return report(stderr, "tracking order", err)
		}
		switch kind := resp.GetKind().(type) {
		case *ordersv1.TrackOrderResponse_Ack:
			acks = kind.Ack.GetPingsReceived()
		case *ordersv1.TrackOrderResponse_Status:
			st := kind.Status.GetStatus()
			fmt.Fprintf(stdout, "[Server] Order status update: %s\n", statusName(st))
			delivered = st == ordersv1.OrderStatus_ORDER_STATUS_DELIVERED
			if st == ordersv1.OrderStatus_ORDER_STATUS_IN_TRANSIT {
				fmt.Fprintln(stdout, "[Client] Sending location ping.")
				if err := send(ping); err != nil {
					return err
				}
				pings++
				if err := stream.CloseSend(); err != nil {
					return report(stderr, "tracking order", err)
				}
			}
		}
	}
}
