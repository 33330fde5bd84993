package gateway

import (
	"context"
	"errors"
	"io"

	"connectrpc.com/connect"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// viewers shares out stock updates to Connect watchers. The fan-out hub
// (internal/watchhub) serves every viewer of a product from one upstream
// watch; tests use a fake. Watch blocks
// until ctx ends or send fails, and returns a gRPC status: ResourceExhausted
// for a client address over its cap, Unavailable when the gateway stops.
type viewers interface {
	Watch(ctx context.Context, client string, ids []string, send func(*catalogv1.WatchProductsResponse) error) error
}

// catalogConnect serves ProductCatalogService over Connect, gRPC-Web and
// gRPC, forwarding each call over the gateway's catalog connection.
type catalogConnect struct {
	client   catalogv1.ProductCatalogServiceClient
	viewers  viewers
	stopping context.Context
}

func (c *catalogConnect) GetProduct(ctx context.Context, req *connect.Request[catalogv1.GetProductRequest]) (
	*connect.Response[catalogv1.GetProductResponse], error) {
	return unary(ctx, req, c.client.GetProduct)
}

func (c *catalogConnect) ListProducts(ctx context.Context, req *connect.Request[catalogv1.ListProductsRequest]) (
	*connect.Response[catalogv1.ListProductsResponse], error) {
	return unary(ctx, req, c.client.ListProducts)
}

func (c *catalogConnect) SearchProducts(ctx context.Context, req *connect.Request[catalogv1.SearchProductsRequest]) (
	*connect.Response[catalogv1.SearchProductsResponse], error) {
	return unary(ctx, req, c.client.SearchProducts)
}

// WatchProducts hands the viewer to the viewers, which send it each update.
func (c *catalogConnect) WatchProducts(ctx context.Context, req *connect.Request[catalogv1.WatchProductsRequest],
	stream *connect.ServerStream[catalogv1.WatchProductsResponse]) error {
	ctx, done := openStream(ctx, c.stopping)
	defer done()
	err := c.viewers.Watch(forwarded(ctx, req.Header(), req.Peer().Addr), clientShare(req.Peer().Addr),
		req.Msg.GetProductIds(), timedSend(ctx, stream.Send))
	return streamEnd(ctx, err)
}

// receiver is the receiving half of a grpc-go server stream's client.
type receiver[T any] interface{ Recv() (*T, error) }

// forwardStream opens an upstream stream and sends on what it receives
// until it ends: nil after the upstream's OK, or the first error.
func forwardStream[T any](ctx context.Context, open func(context.Context) (receiver[T], error), send func(*T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the upstream call if send fails
	up, err := open(ctx)
	if err != nil {
		return err
	}
	for {
		msg, err := up.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := send(msg); err != nil {
			return err
		}
	}
}
