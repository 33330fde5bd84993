package orders_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/04-bidi-stream/internal/testutil"

	ordersv1 "github.com/learn-grpc/learn-grpc/04-bidi-stream/gen/ecommerce/orders/v1"
)

type trackStream = grpc.BidiStreamingClient[ordersv1.TrackOrderRequest, ordersv1.TrackOrderResponse]

func startReq(id string) *ordersv1.TrackOrderRequest {
	return &ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: id}}}
}

var pingReq = &ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Ping{Ping: &ordersv1.LocationPing{Latitude: 1, Longitude: 2}}}

// placeAndTrack creates order-1 and starts tracking it.
func placeAndTrack(t *testing.T, e *env, ctx context.Context) trackStream {
	t.Helper()
	if _, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-123", 1)}); err != nil {
		t.Fatal(err)
	}
	stream, err := e.client.TrackOrder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(startReq("order-1")); err != nil {
		t.Fatal(err)
	}
	return stream
}

// TestTrackToDelivery pings while statuses arrive, then half-closes
// (CloseSend) after the second ping: the server must carry on to DELIVERED
// and end the call with OK, having answered every ping.
func TestTrackToDelivery(t *testing.T) {
	e := newEnv(t, 20*time.Millisecond)
	stream := placeAndTrack(t, e, t.Context())
	if err := stream.Send(pingReq); err != nil {
		t.Fatal(err)
	}
	var statuses []string
	var acks int32
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break // OK
		}
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		if a := resp.GetAck(); a != nil {
			acks = a.GetPingsReceived()
		}
		if st := resp.GetStatus(); st != nil {
			statuses = append(statuses, strings.TrimPrefix(st.GetStatus().String(), "ORDER_STATUS_"))
			if st.GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_IN_TRANSIT {
				if err := stream.Send(pingReq); err != nil {
					t.Fatal(err)
				}
				if err := stream.CloseSend(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if got := strings.Join(statuses, ","); got != "SHIPPED,IN_TRANSIT,OUT_FOR_DELIVERY,DELIVERED" {
		t.Errorf("statuses = %s", got)
	}
	if acks != 2 {
		t.Errorf("pings answered = %d, want 2", acks)
	}
	resp, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: "order-1"})
	if err != nil || resp.GetOrder().GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_DELIVERED {
		t.Errorf("stored order = %v, %v; want DELIVERED", resp.GetOrder(), err)
	}
}

// TestTrackClientCancels cancels mid-delivery: the handler must return at
// once (its log line says Canceled), not run on until DELIVERED.
func TestTrackClientCancels(t *testing.T) {
	e := newEnv(t, time.Hour) // no status would ever come on its own
	ctx, cancel := context.WithCancel(t.Context())
	stream := placeAndTrack(t, e, ctx)
	if err := stream.Send(pingReq); err != nil {
		t.Fatal(err)
	}
	if resp, err := stream.Recv(); err != nil || resp.GetAck() == nil {
		t.Fatalf("first answer = %v, %v; want the ping's ack", resp, err)
	}
	cancel()
	testutil.WaitFor(t, "the handler to return", func() bool {
		return strings.Contains(e.logs.String(), `msg="tracking ended" order=order-1 pings=1`)
	})
	if !strings.Contains(e.logs.String(), "code=Canceled") {
		t.Errorf("handler did not end with Canceled:\n%s", e.logs.String())
	}
}

func TestTrackServerStops(t *testing.T) {
	e := newEnv(t, time.Hour)
	stream := placeAndTrack(t, e, t.Context())
	if err := stream.Send(pingReq); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	close(e.stopping)
	if _, err := stream.Recv(); status.Code(err) != codes.Unavailable {
		t.Fatalf("Recv after the server began stopping = %v, want Unavailable", err)
	}
}

func TestTrackDeadlinePasses(t *testing.T) {
	e := newEnv(t, time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	stream := placeAndTrack(t, e, ctx)
	var err error
	for err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("Recv = %v, want DeadlineExceeded", err)
	}
	testutil.WaitFor(t, "the handler to return", func() bool { return strings.Contains(e.logs.String(), `msg="tracking ended"`) })
}

func TestTrackBadConversations(t *testing.T) {
	tests := []struct {
		name     string
		send     []*ordersv1.TrackOrderRequest
		wantCode codes.Code
	}{
		{"nothing, then half-close", nil, codes.InvalidArgument},
		{"a ping first", []*ordersv1.TrackOrderRequest{pingReq}, codes.InvalidArgument},
		{"an empty order id", []*ordersv1.TrackOrderRequest{startReq(" ")}, codes.InvalidArgument},
		{"an unknown order", []*ordersv1.TrackOrderRequest{startReq("order-404")}, codes.NotFound},
		{"a second start", []*ordersv1.TrackOrderRequest{startReq("order-1"), startReq("order-1")}, codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, time.Hour)
			if _, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-123", 1)}); err != nil {
				t.Fatal(err)
			}
			stream, err := e.client.TrackOrder(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, req := range tt.send {
				if err := stream.Send(req); err != nil {
					break
				}
			}
			if err := stream.CloseSend(); err != nil {
				t.Fatal(err)
			}
			for err == nil {
				_, err = stream.Recv()
			}
			if status.Code(err) != tt.wantCode {
				t.Errorf("call ended with %v, want %v", err, tt.wantCode)
			}
		})
	}
}

func TestTrackDeliveredOrderEndsAtOnce(t *testing.T) {
	e := newEnv(t, 5*time.Millisecond)
	for range 2 { // the second tracking starts from DELIVERED
		stream := placeAndTrackOnce(t, e)
		var last ordersv1.OrderStatus
		for {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			last = resp.GetStatus().GetStatus()
		}
		if last != ordersv1.OrderStatus_ORDER_STATUS_DELIVERED {
			t.Fatalf("last status = %v, want DELIVERED", last)
		}
	}
}

// placeAndTrackOnce creates order-1 on the first call only.
func placeAndTrackOnce(t *testing.T, e *env) trackStream {
	t.Helper()
	if _, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: "order-1"}); status.Code(err) == codes.NotFound {
		if _, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-123", 1)}); err != nil {
			t.Fatal(err)
		}
	}
	stream, err := e.client.TrackOrder(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(startReq("order-1")); err != nil {
		t.Fatal(err)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	return stream
}
