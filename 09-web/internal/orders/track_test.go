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

	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

type trackStream = grpc.BidiStreamingClient[ordersv1.TrackOrderRequest, ordersv1.TrackOrderResponse]

func startReq(id string) *ordersv1.TrackOrderRequest {
	return &ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: id}}}
}

var pingReq = &ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Ping{Ping: &ordersv1.LocationPing{Latitude: 1, Longitude: 2}}}

// placeAndTrack creates an order and starts tracking it.
func placeAndTrack(t *testing.T, e *env, ctx context.Context) (trackStream, string) {
	t.Helper()
	id := e.place(t, items("product-123", 1))
	stream, err := e.client.TrackOrder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(startReq(id)); err != nil {
		t.Fatal(err)
	}
	return stream, id
}

// TestTrackToDelivery pings while statuses arrive, then half-closes
// (CloseSend) after the second ping: the server must carry on to DELIVERED
// and end the call with OK, having answered every ping.
func TestTrackToDelivery(t *testing.T) {
	e := newEnv(t, 20*time.Millisecond)
	stream, id := placeAndTrack(t, e, t.Context())
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
	resp, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: id})
	if err != nil || resp.GetOrder().GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_DELIVERED {
		t.Errorf("stored order = %v, %v; want DELIVERED", resp.GetOrder(), err)
	}
}

// TestTrackClientCancels cancels mid-delivery: the handler must return at
// once (its log line says Canceled), not run on until DELIVERED.
func TestTrackClientCancels(t *testing.T) {
	e := newEnv(t, time.Hour) // no status would ever come on its own
	ctx, cancel := context.WithCancel(t.Context())
	stream, id := placeAndTrack(t, e, ctx)
	if err := stream.Send(pingReq); err != nil {
		t.Fatal(err)
	}
	if resp, err := stream.Recv(); err != nil || resp.GetAck() == nil {
		t.Fatalf("first answer = %v, %v; want the ping's ack", resp, err)
	}
	cancel()
	testutil.WaitFor(t, "the handler to return", func() bool {
		return strings.Contains(e.logs.String(), `msg="tracking ended" order=`+id+` pings=1`)
	})
	if !strings.Contains(e.logs.String(), "code=Canceled") {
		t.Errorf("handler did not end with Canceled:\n%s", e.logs.String())
	}
}

func TestTrackServerStops(t *testing.T) {
	e := newEnv(t, time.Hour)
	stream, _ := placeAndTrack(t, e, t.Context())
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
	stream, _ := placeAndTrack(t, e, ctx)
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
		send     func(id string) []*ordersv1.TrackOrderRequest
		wantCode codes.Code
	}{
		{"nothing, then half-close", func(string) []*ordersv1.TrackOrderRequest { return nil }, codes.InvalidArgument},
		{"a ping first", func(string) []*ordersv1.TrackOrderRequest { return []*ordersv1.TrackOrderRequest{pingReq} }, codes.InvalidArgument},
		{"an empty order id", func(string) []*ordersv1.TrackOrderRequest { return []*ordersv1.TrackOrderRequest{startReq(" ")} }, codes.InvalidArgument},
		{"an unknown order", func(string) []*ordersv1.TrackOrderRequest {
			return []*ordersv1.TrackOrderRequest{startReq("order-404")}
		}, codes.NotFound},
		{"a second start", func(id string) []*ordersv1.TrackOrderRequest {
			return []*ordersv1.TrackOrderRequest{startReq(id), startReq(id)}
		}, codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, time.Hour)
			id := e.place(t, items("product-123", 1))
			stream, err := e.client.TrackOrder(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, req := range tt.send(id) {
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
	id := e.place(t, items("product-123", 1))
	for range 2 { // the second tracking starts from DELIVERED
		stream := trackToTheEnd(t, e, id)
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

// trackToTheEnd starts tracking order id and half-closes at once.
func trackToTheEnd(t *testing.T, e *env, id string) trackStream {
	t.Helper()
	stream, err := e.client.TrackOrder(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(startReq(id)); err != nil {
		t.Fatal(err)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	return stream
}

// TestTrackEndsWhenTheClientGoesQuiet: a tracker that never starts, or
// stops pinging without half-closing, ends with DeadlineExceeded; one that
// half-closes may listen as long as the delivery takes.
func TestTrackEndsWhenTheClientGoesQuiet(t *testing.T) {
	quick := orders.Config{TrackInterval: time.Hour, FirstMessageTimeout: 50 * time.Millisecond, IdleTimeout: 50 * time.Millisecond}
	t.Run("a tracker that never starts", func(t *testing.T) {
		e := newEnvWith(t, quick)
		stream, err := e.client.TrackOrder(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); status.Code(err) != codes.DeadlineExceeded {
			t.Errorf("Recv = %v, want DeadlineExceeded", err)
		}
	})
	t.Run("a tracker that stops sending", func(t *testing.T) {
		e := newEnvWith(t, quick)
		stream, _ := placeAndTrack(t, e, t.Context())
		if _, err := stream.Recv(); status.Code(err) != codes.DeadlineExceeded {
			t.Errorf("Recv = %v, want DeadlineExceeded", err)
		}
	})
	t.Run("a tracker that half-closed is not idle", func(t *testing.T) {
		c := quick
		c.TrackInterval = 100 * time.Millisecond // each step takes longer than the idle limit
		e := newEnvWith(t, c)
		stream := trackToTheEnd(t, e, e.place(t, items("product-123", 1)))
		for {
			_, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("Recv = %v, want the delivery to finish", err)
			}
		}
	})
}

// TestTrackReportsTheStoredStatus moves an order on behind a tracker's back
// (as a second tracker would): the tracker's next update must say what the
// store holds, not the step it expected to set.
func TestTrackReportsTheStoredStatus(t *testing.T) {
	store := testutil.NewOrderStore(t)
	e := newEnvWith(t, orders.Config{Orders: store, TrackInterval: time.Second})
	stream, id := placeAndTrack(t, e, t.Context())
	if err := stream.Send(pingReq); err != nil {
		t.Fatal(err)
	}
	if resp, err := stream.Recv(); err != nil || resp.GetAck() == nil {
		t.Fatalf("first answer = %v, %v; want the ping's ack", resp, err)
	}
	if _, err := store.Advance(t.Context(), id, ordersv1.OrderStatus_ORDER_STATUS_OUT_FOR_DELIVERY); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if got := resp.GetStatus().GetStatus(); err != nil || got != ordersv1.OrderStatus_ORDER_STATUS_OUT_FOR_DELIVERY {
		t.Errorf("next update = %v, %v; want OUT_FOR_DELIVERY, what the store holds", got, err)
	}
}
