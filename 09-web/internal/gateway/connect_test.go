package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/golang-jwt/jwt/v5"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/gateway"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1/catalogv1connect"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
	"github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1/ordersv1connect"
)

// protocols are the ways a Connect client can call the gateway: what a
// browser speaks (Connect, JSON or binary, and gRPC-Web), and gRPC.
var protocols = []struct {
	name string
	opts []connect.ClientOption
}{
	{"Connect JSON", []connect.ClientOption{connect.WithProtoJSON()}},
	{"Connect binary", nil},
	{"gRPC-Web", []connect.ClientOption{connect.WithGRPCWeb()}},
	{"gRPC", []connect.ClientOption{connect.WithGRPC()}},
}

// clients returns Connect clients of the gateway's two services.
func (e *env) clients(opts ...connect.ClientOption) (catalogv1connect.ProductCatalogServiceClient,
	ordersv1connect.OrderManagementServiceClient) {
	return catalogv1connect.NewProductCatalogServiceClient(e.http, e.base, opts...),
		ordersv1connect.NewOrderManagementServiceClient(e.http, e.base, opts...)
}

// as is a request for msg carrying token, if any.
func as[T any](token string, msg *T) *connect.Request[T] {
	req := connect.NewRequest(msg)
	if token != "" {
		req.Header().Set("Authorization", "Bearer "+token)
	}
	return req
}

var oneItem = []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 1}}

func TestConnectCallsReachTheServices(t *testing.T) {
	e := start(t)
	alice := e.keys.Token(t, "alice", auth.ScopeWriteOrders)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			catalog, orders := e.clients(p.opts...)
			got, err := catalog.GetProduct(t.Context(), as("", &catalogv1.GetProductRequest{Id: "product-123"}))
			if err != nil || got.Msg.GetProduct().GetId() != "product-123" {
				t.Fatalf("GetProduct = %v, %v; want product-123", got, err)
			}
			found, err := catalog.SearchProducts(t.Context(), as("", &catalogv1.SearchProductsRequest{Query: "books"}))
			if err != nil || len(found.Msg.GetProducts()) == 0 {
				t.Fatalf("SearchProducts = %v, %v; want some books", found, err)
			}
			placed, err := orders.CreateOrder(t.Context(), as(alice, &ordersv1.CreateOrderRequest{Items: oneItem}))
			if err != nil || placed.Msg.GetOrder().GetCustomerId() != "alice" {
				t.Fatalf("CreateOrder = %v, %v; want alice's order: the token passed through", placed, err)
			}
			read, err := orders.GetOrder(t.Context(), as(alice, &ordersv1.GetOrderRequest{Id: placed.Msg.GetOrder().GetId()}))
			if err != nil || read.Msg.GetOrder().GetId() != placed.Msg.GetOrder().GetId() {
				t.Errorf("GetOrder = %v, %v; want the order placed", read, err)
			}
		})
	}
}

// TestConnectErrorsArriveWithTheirDetails: a bad quantity's BadRequest
// names the field, in every protocol a browser may speak.
func TestConnectErrorsArriveWithTheirDetails(t *testing.T) {
	e := start(t)
	alice := e.keys.Token(t, "alice", auth.ScopeWriteOrders)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			_, orders := e.clients(p.opts...)
			_, err := orders.CreateOrder(t.Context(), as(alice, &ordersv1.CreateOrderRequest{
				Items: []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 0}}}))
			if got := gateway.BadRequestField(t, err); got != "items[0].quantity" {
				t.Errorf("field violation = %q, want items[0].quantity", got)
			}
		})
	}
}

// TestConnectTokensAreCheckedBehindTheGateway: without a token, or with
// one that is bad in any way, the answer is Unauthenticated, and it never
// says what was wrong with the token.
func TestConnectTokensAreCheckedBehindTheGateway(t *testing.T) {
	e := start(t)
	claims := authtest.Claims("alice", auth.ScopeWriteOrders)
	claims.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
	claims.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
	expired := e.keys.Sign(t, claims)
	tests := []struct{ name, token, want string }{
		{"no token", "", "request does not contain an auth token"},
		{"not a token", "not-a-jwt", "invalid auth token"},
		{"an expired token, not said to be expired", expired, "invalid auth token"},
	}
	for _, p := range protocols {
		_, orders := e.clients(p.opts...)
		for _, tt := range tests {
			t.Run(p.name+": "+tt.name, func(t *testing.T) {
				_, err := orders.CreateOrder(t.Context(), as(tt.token, &ordersv1.CreateOrderRequest{Items: oneItem}))
				var ce *connect.Error
				if !errors.As(err, &ce) || ce.Code() != connect.CodeUnauthenticated || ce.Message() != tt.want {
					t.Errorf("CreateOrder = %v, want Unauthenticated %q", err, tt.want)
				}
			})
		}
	}
}

// TestRequestStreamsAreRefusedWithAReason: UploadOrders and TrackOrder
// stream requests, which a browser cannot; the gateway says where to go.
func TestRequestStreamsAreRefusedWithAReason(t *testing.T) {
	e := start(t)
	alice := e.keys.Token(t, "alice", auth.ScopeWriteOrders)
	_, orders := e.clients(connect.WithGRPC()) // gRPC can stream requests, so the refusal is the gateway's
	upload := orders.UploadOrders(t.Context())
	upload.RequestHeader().Set("Authorization", "Bearer "+alice)
	_ = upload.Send(&ordersv1.UploadOrdersRequest{Line: 1, Order: &ordersv1.CreateOrderRequest{Items: oneItem}})
	_, uploadErr := upload.CloseAndReceive()
	track := orders.TrackOrder(t.Context())
	track.RequestHeader().Set("Authorization", "Bearer "+alice)
	_ = track.Send(&ordersv1.TrackOrderRequest{})
	_, trackErr := track.Receive()
	_ = track.CloseResponse()
	for name, err := range map[string]error{"UploadOrders": uploadErr, "TrackOrder": trackErr} {
		if connect.CodeOf(err) != connect.CodeUnimplemented || !strings.Contains(err.Error(), "browsers cannot stream requests") {
			t.Errorf("%s = %v, want Unimplemented, saying browsers cannot stream requests", name, err)
		}
	}
}

// TestConnectWatchProductsStreamsStock reads a product's level, then its
// change, over Connect.
func TestConnectWatchProductsStreamsStock(t *testing.T) {
	e := start(t)
	catalog, _ := e.clients()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stream, err := catalog.WatchProducts(ctx, as("", &catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}}))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if !stream.Receive() || stream.Msg().GetInventory().GetQuantity() != 100 {
		t.Fatalf("first level = %v, %v; want 100", stream.Msg(), stream.Err())
	}
	if _, err := e.stock.Adjust(t.Context(), "product-123", -1); err != nil {
		t.Fatal(err)
	}
	if !stream.Receive() || stream.Msg().GetInventory().GetQuantity() != 99 {
		t.Fatalf("second level = %v, %v; want 99", stream.Msg(), stream.Err())
	}
}

// TestWatchOrderOverGRPCWeb follows an order from a browser's protocol, and
// holds one client address to its share of the gateway's order watches.
func TestWatchOrderOverGRPCWeb(t *testing.T) {
	e := start(t) // its orders move on once an hour: a watch stays open
	alice := e.keys.Token(t, "alice", auth.ScopeWriteOrders)
	_, orders := e.clients(connect.WithGRPCWeb())
	placed, err := orders.CreateOrder(t.Context(), as(alice, &ordersv1.CreateOrderRequest{Items: oneItem}))
	if err != nil {
		t.Fatal(err)
	}
	watch := func() *connect.ServerStreamForClient[ordersv1.WatchOrderResponse] {
		stream, err := orders.WatchOrder(t.Context(), as(alice, &ordersv1.WatchOrderRequest{OrderId: placed.Msg.GetOrder().GetId()}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = stream.Close() })
		return stream
	}
	t.Run("someone else's order is not found", func(t *testing.T) {
		stream, err := orders.WatchOrder(t.Context(), as(e.keys.Token(t, "bob"),
			&ordersv1.WatchOrderRequest{OrderId: placed.Msg.GetOrder().GetId()}))
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Close()
		if stream.Receive() || connect.CodeOf(stream.Err()) != connect.CodeNotFound {
			t.Errorf("bob's watch = %v, %v; want NotFound", stream.Msg(), stream.Err())
		}
	})
	for i := range gateway.MaxOrderWatchersPerClient {
		stream := watch()
		if !stream.Receive() || stream.Msg().GetStatus().GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_PENDING {
			t.Fatalf("watch %d: first status = %v, %v; want PENDING", i+1, stream.Msg(), stream.Err())
		}
	}
	t.Run("a watch past the client's share is refused", func(t *testing.T) {
		stream := watch()
		if stream.Receive() || connect.CodeOf(stream.Err()) != connect.CodeResourceExhausted {
			t.Errorf("one watch more = %v, %v; want ResourceExhausted", stream.Msg(), stream.Err())
		}
	})
}
