package orders_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/learn-grpc/learn-grpc/06-gateway/internal/auth"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/catalog"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/inventory"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/orders"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/testutil"

	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// env is an OrderManagement service over bufconn, with what tests need to
// look behind it: the stock, the server's logs, and the shutdown signal.
type env struct {
	client   ordersv1.OrderManagementServiceClient // calls as alice, with orders:write
	keys     *authtest.Keys
	dial     func(token string) ordersv1.OrderManagementServiceClient
	stock    *inventory.Stock
	logs     *testutil.LockedBuffer
	stopping chan struct{}
}

func newEnv(t *testing.T, trackInterval time.Duration) *env {
	t.Helper()
	e := &env{stock: inventory.NewStock(catalog.SampleStock(), time.Now), logs: &testutil.LockedBuffer{}, stopping: make(chan struct{}), keys: authtest.NewKeys(t)}
	lis := bufconn.Listen(1 << 20)
	log := slog.New(slog.NewTextHandler(e.logs, nil))
	in := &auth.Interceptors{Verifier: e.keys.Verifier, Policy: auth.Policy, Log: log}
	srv := grpc.NewServer(in.ServerOptions()...)
	ordersv1.RegisterOrderManagementServiceServer(srv, orders.NewService(orders.Config{
		Orders:        orders.NewMemoryStore(),
		Products:      catalog.NewStore(catalog.SampleProducts(), 0),
		Stock:         e.stock,
		TrackInterval: trackInterval,
		Stopping:      e.stopping,
		Log:           log,
	}))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	e.dial = func(token string) ordersv1.OrderManagementServiceClient {
		opts := []grpc.DialOption{
			grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
			grpc.WithTransportCredentials(insecure.NewCredentials()),
		}
		if token != "" {
			opts = append(opts, grpc.WithPerRPCCredentials(authtest.Bearer(token)))
		}
		conn, err := grpc.NewClient("passthrough:///bufnet", opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return ordersv1.NewOrderManagementServiceClient(conn)
	}
	e.client = e.dial(e.keys.Token(t, "alice", auth.ScopeWriteOrders))
	return e
}

func items(pairs ...any) []*ordersv1.OrderItem {
	var out []*ordersv1.OrderItem
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, &ordersv1.OrderItem{ProductId: pairs[i].(string), Quantity: int32(pairs[i+1].(int))})
	}
	return out
}

func TestCreateOrder(t *testing.T) {
	tests := []struct {
		name      string
		items     []*ordersv1.OrderItem
		wantCode  codes.Code
		wantMsg   string
		wantTotal string
	}{
		{name: "two products", items: items("product-123", 2, "product-456", 1), wantCode: codes.OK, wantTotal: "141.480000000"},
		{name: "same product twice is merged", items: items("product-321", 1, "product-321", 2), wantCode: codes.OK, wantTotal: "57.000000000"},
		{name: "no items", wantCode: codes.InvalidArgument, wantMsg: "an order needs at least one item"},
		{name: "zero quantity", items: items("product-123", 0), wantCode: codes.InvalidArgument, wantMsg: "quantity of product-123 must be at least 1, got 0"},
		{name: "negative quantity", items: items("product-123", -2), wantCode: codes.InvalidArgument},
		{name: "empty product id", items: items(" ", 1), wantCode: codes.InvalidArgument},
		{name: "unknown product", items: items("product-123", 1, "product-999", 1), wantCode: codes.NotFound, wantMsg: `product "product-999" not found`},
		{name: "not enough stock", items: items("product-123", 1, "product-456", 26), wantCode: codes.FailedPrecondition, wantMsg: "not enough stock of product-456: 25 left, 26 asked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, time.Second)
			resp, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: tt.items})
			st := status.Convert(err)
			if st.Code() != tt.wantCode || (tt.wantMsg != "" && st.Message() != tt.wantMsg) {
				t.Fatalf("CreateOrder = %v %q, want %v %q", st.Code(), st.Message(), tt.wantCode, tt.wantMsg)
			}
			if tt.wantCode != codes.OK {
				if l, _ := e.stock.Level("product-123"); l.Quantity != 100 {
					t.Errorf("a refused order changed stock: product-123 = %d", l.Quantity)
				}
				return
			}
			o := resp.GetOrder()
			if got := fmt.Sprintf("%d.%09d", o.GetTotal().GetUnits(), o.GetTotal().GetNanos()); got != tt.wantTotal {
				t.Errorf("total = %s, want %s", got, tt.wantTotal)
			}
			if o.GetId() != "order-1" || o.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_PENDING {
				t.Errorf("order = %v, want order-1 PENDING", o)
			}
		})
	}
}

// TestCreateOrderTakesStock: a watcher of the stage-03 feed sees stock fall.
func TestCreateOrderTakesStock(t *testing.T) {
	e := newEnv(t, time.Second)
	sub, err := e.stock.Subscribe([]string{"product-123"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	<-sub.Ready()
	sub.Take()
	if _, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-123", 3)}); err != nil {
		t.Fatal(err)
	}
	<-sub.Ready()
	if got := sub.Take(); len(got) != 1 || got[0].Quantity != 97 {
		t.Errorf("watcher saw %+v, want product-123 at 97", got)
	}
}

func TestGetOrder(t *testing.T) {
	e := newEnv(t, time.Second)
	if _, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-789", 1)}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]codes.Code{"order-1": codes.OK, " order-1 ": codes.OK, "order-2": codes.NotFound, "": codes.InvalidArgument} {
		resp, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: id})
		if status.Code(err) != want {
			t.Errorf("GetOrder(%q) = %v, want %v", id, err, want)
		}
		if want == codes.OK && resp.GetOrder().GetItems()[0].GetProductId() != "product-789" {
			t.Errorf("GetOrder(%q) = %v", id, resp.GetOrder())
		}
	}
}

func upload(t *testing.T, stream grpc.ClientStreamingClient[ordersv1.UploadOrdersRequest, ordersv1.UploadOrdersResponse], line int, its []*ordersv1.OrderItem) {
	t.Helper()
	if err := stream.Send(&ordersv1.UploadOrdersRequest{Line: int32(line), Order: &ordersv1.CreateOrderRequest{Items: its}}); err != nil {
		t.Fatalf("Send line %d: %v", line, err)
	}
}

func TestUploadReportsBadLinesAndGoesOn(t *testing.T) {
	e := newEnv(t, time.Second)
	stream, err := e.client.UploadOrders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	upload(t, stream, 1, items("product-123", 1))
	upload(t, stream, 2, items("product-999", 1))
	upload(t, stream, 5, nil)
	upload(t, stream, 7, items("product-456", 2))
	summary, err := stream.CloseAndRecv()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(summary.GetOrderIds(), ","); got != "order-1,order-2" || summary.GetReceived() != 4 {
		t.Errorf("created %q of %d received, want order-1,order-2 of 4", got, summary.GetReceived())
	}
	var rejected []string
	for _, r := range summary.GetRejected() {
		rejected = append(rejected, fmt.Sprintf("%d:%s", r.GetLine(), r.GetCode()))
	}
	if got := strings.Join(rejected, ","); got != "2:NotFound,5:InvalidArgument" {
		t.Errorf("rejected = %s, want 2:NotFound,5:InvalidArgument", got)
	}
}

func TestUploadTooLargeIsResourceExhausted(t *testing.T) {
	e := newEnv(t, time.Second)
	stream, err := e.client.UploadOrders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i := range orders.MaxUploadOrders + 1 {
		// An empty order is rejected without touching stock: cheap.
		if err := stream.Send(&ordersv1.UploadOrdersRequest{Line: int32(i + 1), Order: &ordersv1.CreateOrderRequest{}}); err != nil {
			break // the server ended the call; CloseAndRecv says why
		}
	}
	if _, err := stream.CloseAndRecv(); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("CloseAndRecv = %v, want ResourceExhausted", err)
	}
}

// TestCancelledUploadKeepsOrders cancels an upload half way: the orders
// created before are kept, and the server says so in its log.
func TestCancelledUploadKeepsOrders(t *testing.T) {
	e := newEnv(t, time.Second)
	ctx, cancel := context.WithCancel(t.Context())
	stream, err := e.client.UploadOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	upload(t, stream, 1, items("product-123", 1))
	upload(t, stream, 2, items("product-321", 1))
	testutil.WaitFor(t, "both orders to be created", func() bool {
		_, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: "order-2"})
		return err == nil
	})
	cancel()
	if _, err := stream.CloseAndRecv(); status.Code(err) != codes.Canceled {
		t.Fatalf("CloseAndRecv after cancel = %v, want Canceled", err)
	}
	testutil.WaitFor(t, "the server to log the early end", func() bool {
		return strings.Contains(e.logs.String(), "upload ended early; the orders created so far are kept")
	})
	if !strings.Contains(e.logs.String(), "created=2") {
		t.Errorf("log does not say 2 orders were kept:\n%s", e.logs.String())
	}
	if _, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: "order-1"}); err != nil {
		t.Errorf("order-1 lost after the cancel: %v", err)
	}
}

// TestOrdersBelongToTheirCaller: bob may not read or track alice's order.
func TestOrdersBelongToTheirCaller(t *testing.T) {
	e := newEnv(t, time.Hour)
	if _, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: items("product-123", 1)}); err != nil {
		t.Fatal(err)
	}
	resp, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: "order-1"})
	if err != nil || resp.GetOrder().GetCustomerId() != "alice" {
		t.Fatalf("alice's own order: %v, %v", resp.GetOrder(), err)
	}
	bob := e.dial(e.keys.Token(t, "bob"))
	if _, err := bob.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: "order-1"}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("bob reading alice's order: %v, want PermissionDenied", err)
	}
	stream, err := bob.TrackOrder(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: "order-1"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.PermissionDenied {
		t.Errorf("bob tracking alice's order: %v, want PermissionDenied", err)
	}
}
