package gateway

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// Every Connect WatchOrder is a stream of its own on the gateway's orders
// connection (it is one order's, and authenticated, so there is nothing to
// share), which orders caps at 32 WatchOrder streams a connection
// (orders.MaxOrderWatchersPerConn). The gateway holds no more than that, so
// it refuses first, and shares them out by client address, as it does REST
// watches.
const (
	MaxOrderWatchers          = 32
	MaxOrderWatchersPerClient = 4
)

// ordersConnect serves OrderManagementService over Connect, gRPC-Web and
// gRPC, forwarding each call over the gateway's orders connection.
type ordersConnect struct {
	client   ordersv1.OrderManagementServiceClient
	watchers *catalog.WatchLimit
	stopping context.Context
}

func (o *ordersConnect) CreateOrder(ctx context.Context, req *connect.Request[ordersv1.CreateOrderRequest]) (
	*connect.Response[ordersv1.CreateOrderResponse], error) {
	return unary(ctx, req, o.client.CreateOrder)
}

func (o *ordersConnect) GetOrder(ctx context.Context, req *connect.Request[ordersv1.GetOrderRequest]) (
	*connect.Response[ordersv1.GetOrderResponse], error) {
	return unary(ctx, req, o.client.GetOrder)
}

// WatchOrder forwards the watch to an orders replica, one upstream stream
// per viewer, within the viewer's address's share of MaxOrderWatchers.
func (o *ordersConnect) WatchOrder(ctx context.Context, req *connect.Request[ordersv1.WatchOrderRequest],
	stream *connect.ServerStream[ordersv1.WatchOrderResponse]) error {
	release, err := o.watchers.Acquire(clientShare(req.Peer().Addr))
	if err != nil {
		return connectError(err)
	}
	defer release()
	ctx, done := openStream(ctx, o.stopping)
	defer done()
	err = forwardStream(forwarded(ctx, req.Header(), req.Peer().Addr),
		func(ctx context.Context) (receiver[ordersv1.WatchOrderResponse], error) {
			return o.client.WatchOrder(ctx, req.Msg)
		}, timedSend(ctx, stream.Send))
	return streamEnd(ctx, err)
}

// A browser's fetch cannot stream a request body (connect-es#669), so the
// two methods that stream requests are not offered to it; gRPC clients
// call them on the services directly.
var errRequestStreams = "browsers cannot stream requests: call %s over gRPC directly" +
	" (the services' own ports), or use %s"

func (o *ordersConnect) UploadOrders(context.Context, *connect.ClientStream[ordersv1.UploadOrdersRequest]) (
	*connect.Response[ordersv1.UploadOrdersResponse], error) {
	return nil, connect.NewError(connect.CodeUnimplemented,
		fmt.Errorf(errRequestStreams, "UploadOrders", "CreateOrder for each order"))
}

func (o *ordersConnect) TrackOrder(context.Context, *connect.BidiStream[ordersv1.TrackOrderRequest, ordersv1.TrackOrderResponse]) error {
	return connect.NewError(connect.CodeUnimplemented,
		fmt.Errorf(errRequestStreams, "TrackOrder", "WatchOrder to follow an order's status"))
}
