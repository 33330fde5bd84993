package orders_test

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
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
	return newEnvWith(t, orders.Config{TrackInterval: trackInterval})
}

// newEnvWith serves c, filling in what it leaves out: an empty store, the
// sample catalog and stock, the env's logs and shutdown signal.
func newEnvWith(t *testing.T, c orders.Config) *env {
	return newEnvPriced(t, c, catalog.NewStore(catalog.SampleProducts(), 0))
}

// newEnvPriced is newEnvWith with the prices of prices.
func newEnvPriced(t *testing.T, c orders.Config, prices testutil.Prices) *env {
	t.Helper()
	e := &env{stock: testutil.NewStock(t), logs: &testutil.LockedBuffer{}, stopping: make(chan struct{}), keys: authtest.NewKeys(t)}
	if c.Orders == nil {
		c.Orders = testutil.NewOrderStore(t)
	}
	c.TrackInterval = cmp.Or(c.TrackInterval, time.Second)
	if c.Stock == nil {
		c.Stock = testutil.LocalStock(inventory.NewReservations(e.stock), prices)
	}
	c.Stopping, c.Log = e.stopping, slog.New(slog.NewTextHandler(e.logs, nil))
	lis := bufconn.Listen(1 << 20)
	in := &auth.Interceptors{Verifier: e.keys.Verifier, Policy: auth.Policy, Log: c.Log}
	srv := grpc.NewServer(in.ServerOptions()...)
	ordersv1.RegisterOrderManagementServiceServer(srv, orders.NewService(c))
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
		wantField string // the BadRequest field violation, if any
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
		{name: "quantities whose sum overflows an int32", items: items("product-123", 1, "product-123", math.MaxInt32),
			wantCode: codes.InvalidArgument, wantMsg: "at most 10000 units of product-123 per order", wantField: "items[1].quantity"},
		{name: "more units of one product than an order may hold", items: items("product-321", 6000, "product-321", 5000),
			wantCode: codes.InvalidArgument, wantField: "items[1].quantity"},
		{name: "a bad second item is named by its index", items: items("product-123", 1, "product-456", 0),
			wantCode: codes.InvalidArgument, wantField: "items[1].quantity"},
		{name: "a product id that is not an id", items: items("product 123", 1),
			wantCode: codes.InvalidArgument, wantField: "items[0].product_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, time.Second)
			resp, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: tt.items})
			st := status.Convert(err)
			if st.Code() != tt.wantCode || (tt.wantMsg != "" && st.Message() != tt.wantMsg) {
				t.Fatalf("CreateOrder = %v %q, want %v %q", st.Code(), st.Message(), tt.wantCode, tt.wantMsg)
			}
			if tt.wantField != "" {
				if got := badField(err); got != tt.wantField {
					t.Errorf("BadRequest field = %q, want %q", got, tt.wantField)
				}
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
			if !orderID.MatchString(o.GetId()) || o.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_PENDING {
				t.Errorf("order = %v, want an order id and PENDING", o)
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
	id := e.place(t, items("product-789", 1))
	for id, want := range map[string]codes.Code{id: codes.OK, " " + id + " ": codes.OK, "order-404": codes.NotFound,
		"": codes.InvalidArgument, strings.Repeat("x", 100<<10): codes.InvalidArgument} {
		resp, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: id})
		if status.Code(err) != want {
			t.Errorf("GetOrder(%.20q) = %v, want %v", id, err, want)
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
	if got := summary.GetOrderIds(); len(got) != 2 || summary.GetReceived() != 4 {
		t.Errorf("created %q of %d received, want 2 of 4", got, summary.GetReceived())
	}
	var rejected []string
	for _, r := range summary.GetRejected() {
		rejected = append(rejected, fmt.Sprintf("%d:%s", r.GetLine(), r.GetCode()))
	}
	if got := strings.Join(rejected, ","); got != "2:NotFound,5:InvalidArgument" {
		t.Errorf("rejected = %s, want 2:NotFound,5:InvalidArgument", got)
	}
}

// TestUploadPastItsLimitStopsWithTheSummary sends one order too many: the
// server stops reading and answers with every order it created, and says
// why and where it stopped.
func TestUploadPastItsLimitStopsWithTheSummary(t *testing.T) {
	e := newEnv(t, time.Second)
	stream, err := e.client.UploadOrders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	upload(t, stream, 1, items("product-123", 1))
	for i := range orders.MaxUploadOrders {
		// An empty order is rejected without touching stock: cheap.
		if err := stream.Send(&ordersv1.UploadOrdersRequest{Line: int32(i + 2), Order: &ordersv1.CreateOrderRequest{}}); err != nil {
			break // the server ended the call; CloseAndRecv says why
		}
	}
	summary, err := stream.CloseAndRecv()
	if err != nil {
		t.Fatalf("CloseAndRecv = %v, want the summary", err)
	}
	if got := summary.GetOrderIds(); len(got) != 1 {
		t.Errorf("the summary lists %v, want the one order created", got)
	}
	want := &ordersv1.UploadStopped{Code: "ResourceExhausted", LastLine: orders.MaxUploadOrders}
	if got := summary.GetStopped(); got.GetCode() != want.Code || got.GetLastLine() != want.LastLine {
		t.Errorf("stopped = %v, want code %s at line %d", got, want.Code, want.LastLine)
	}
}

// TestAnUploadThatLastsTooLongStopsWithTheSummary sends one order, then
// keeps the upload open past its maximum duration (but not its idle
// limit): it stops with every order it created.
func TestAnUploadThatLastsTooLongStopsWithTheSummary(t *testing.T) {
	e := newEnvWith(t, orders.Config{MaxUploadDuration: 300 * time.Millisecond})
	stream, err := e.client.UploadOrders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	upload(t, stream, 1, items("product-123", 1))
	var summary ordersv1.UploadOrdersResponse
	if err := stream.RecvMsg(&summary); err != nil {
		t.Fatalf("upload = %v, want the summary", err)
	}
	got := fmt.Sprintf("%d created, stopped with %s at line %d",
		len(summary.GetOrderIds()), summary.GetStopped().GetCode(), summary.GetStopped().GetLastLine())
	if want := "1 created, stopped with ResourceExhausted at line 1"; got != want {
		t.Errorf("summary: %s, want %s", got, want)
	}
}

// TestUploadEndsWhenTheClientGoesQuiet opens uploads that send nothing, or
// stop sending: each stops with DeadlineExceeded and keeps what it created.
func TestUploadEndsWhenTheClientGoesQuiet(t *testing.T) {
	for _, sent := range []int{0, 1} {
		t.Run(fmt.Sprintf("after %d orders", sent), func(t *testing.T) {
			e := newEnvWith(t, orders.Config{FirstMessageTimeout: 50 * time.Millisecond, IdleTimeout: 50 * time.Millisecond})
			stream, err := e.client.UploadOrders(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for i := range sent {
				upload(t, stream, i+1, items("product-123", 1))
			}
			// Without CloseSend: a client that holds the call open and sends nothing.
			var summary ordersv1.UploadOrdersResponse
			if err := stream.RecvMsg(&summary); err != nil {
				t.Fatalf("upload = %v, want the summary", err)
			}
			if got := summary.GetStopped().GetCode(); got != "DeadlineExceeded" {
				t.Errorf("stopped with %q, want DeadlineExceeded", got)
			}
			if got := summary.GetOrderIds(); len(got) != sent || summary.GetStopped().GetLastLine() != int32(sent) {
				t.Errorf("the summary lists %v up to line %d, want %d orders", got, summary.GetStopped().GetLastLine(), sent)
			}
		})
	}
}

// TestCancelledUploadKeepsOrders cancels an upload half way: the orders
// created before are kept, and the server logs their ids.
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
		l, _ := e.stock.Level("product-321")
		return l.Quantity == 199
	})
	cancel()
	// RecvMsg, not CloseAndRecv: a half-close sent after the cancel could
	// reach the server first and read as "that was everything".
	if err := stream.RecvMsg(new(ordersv1.UploadOrdersResponse)); status.Code(err) != codes.Canceled {
		t.Fatalf("RecvMsg after cancel = %v, want Canceled", err)
	}
	testutil.WaitFor(t, "the server to log the early end", func() bool {
		return strings.Contains(e.logs.String(), "upload ended early; the orders created so far are kept")
	})
	ids := regexp.MustCompile(`order_ids="?\[([^\]]*)\]`).FindStringSubmatch(e.logs.String())
	if ids == nil || len(strings.Fields(ids[1])) != 2 {
		t.Fatalf("log does not list the 2 orders kept:\n%s", e.logs.String())
	}
	for _, id := range strings.Fields(ids[1]) {
		if _, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: id}); err != nil {
			t.Errorf("order %s lost after the cancel: %v", id, err)
		}
	}
}

// place creates an order and returns its id.
func (e *env) place(t *testing.T, its []*ordersv1.OrderItem) string {
	t.Helper()
	resp, err := e.client.CreateOrder(t.Context(), &ordersv1.CreateOrderRequest{Items: its})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetOrder().GetId()
}

// orderID is the form of an order id: unguessable, not a sequence number.
var orderID = regexp.MustCompile(`^order-[a-z2-7]{16}$`)

// badField returns the field of the first BadRequest violation in err.
func badField(err error) string {
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 0 {
			return br.GetFieldViolations()[0].GetField()
		}
	}
	return ""
}

// TestOrdersBelongToTheirCaller: another caller's order answers exactly as
// an unknown one does, so a token holder cannot learn which ids exist.
func TestOrdersBelongToTheirCaller(t *testing.T) {
	e := newEnv(t, time.Hour)
	id := e.place(t, items("product-123", 1))
	resp, err := e.client.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: id})
	if err != nil || resp.GetOrder().GetCustomerId() != "alice" {
		t.Fatalf("alice's own order: %v, %v", resp.GetOrder(), err)
	}
	bob := e.dial(e.keys.Token(t, "bob"))
	_, theirs := bob.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: id})
	_, unknown := bob.GetOrder(t.Context(), &ordersv1.GetOrderRequest{Id: "order-aaaaaaaaaaaaaaaa"})
	if status.Code(theirs) != codes.NotFound {
		t.Errorf("bob reading alice's order: %v, want NotFound", theirs)
	}
	if strings.ReplaceAll(status.Convert(theirs).Message(), id, "ID") !=
		strings.ReplaceAll(status.Convert(unknown).Message(), "order-aaaaaaaaaaaaaaaa", "ID") {
		t.Errorf("alice's order (%v) and an unknown one (%v) answer differently", theirs, unknown)
	}
	stream, err := bob.TrackOrder(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: id}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.NotFound {
		t.Errorf("bob tracking alice's order: %v, want NotFound", err)
	}
}

// TestRequestIDsBelongToTheirCaller: two callers who happen to pick the
// same request_id place two orders.
func TestRequestIDsBelongToTheirCaller(t *testing.T) {
	e := newEnv(t, time.Hour)
	req := &ordersv1.CreateOrderRequest{Items: items("product-123", 1), RequestId: "same-id"}
	a, err := e.client.CreateOrder(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.dial(e.keys.Token(t, "bob", auth.ScopeWriteOrders)).CreateOrder(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if a.GetOrder().GetId() == b.GetOrder().GetId() {
		t.Errorf("alice and bob share order %s", a.GetOrder().GetId())
	}
}

// countingStock counts the calls that reach the catalog.
type countingStock struct {
	orders.Stock
	calls atomic.Int32
}

func (c *countingStock) Reserve(ctx context.Context, order string, q map[string]int32) (map[string]*commonv1.Money, error) {
	c.calls.Add(1)
	return c.Stock.Reserve(ctx, order, q)
}

func TestAShortDeadlineNeverReachesTheCatalog(t *testing.T) {
	stock := &countingStock{Stock: testutil.LocalStock(
		inventory.NewReservations(testutil.NewStock(t)),
		catalog.NewStore(catalog.SampleProducts(), 0))}
	e := newEnvWith(t, orders.Config{Stock: stock})
	ctx, cancel := context.WithTimeout(t.Context(), orders.MinTimeLeft/5)
	defer cancel()
	_, err := e.client.CreateOrder(ctx, &ordersv1.CreateOrderRequest{Items: items("product-123", 1)})
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("CreateOrder = %v, want DeadlineExceeded", err)
	}
	if n := stock.calls.Load(); n != 0 {
		t.Errorf("%d calls reached the catalog, want none", n)
	}
}
