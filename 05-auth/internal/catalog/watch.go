package catalog

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/learn-grpc/learn-grpc/05-auth/internal/inventory"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/rpcerr"

	catalogv1 "github.com/learn-grpc/learn-grpc/05-auth/gen/ecommerce/catalog/v1"
)

// MaxWatchedProducts bounds one WatchProducts call, so one client cannot
// hold a subscription to everything.
const MaxWatchedProducts = 50

// WatchProducts streams stock levels until the client leaves or the server
// stops. It returns as soon as either happens: returning is what ends the
// stream and removes the subscription.
func (s *Service) WatchProducts(req *catalogv1.WatchProductsRequest, stream grpc.ServerStreamingServer[catalogv1.WatchProductsResponse]) error {
	ids, err := validateWatchProducts(req)
	if err != nil {
		return err
	}
	ctx := stream.Context()
	release, err := s.watchers.Acquire(connKey(ctx))
	if err != nil {
		return err
	}
	defer release()
	// Subscribing checks every id first, so an unknown one fails the call
	// before a single update is sent.
	sub, err := s.stock.Subscribe(ids)
	var unknown *inventory.UnknownProductError
	if errors.As(err, &unknown) {
		return rpcerr.NotFound(productType, "product", unknown.ID)
	}
	if err != nil {
		return status.Error(codes.Internal, "could not start watching")
	}
	defer sub.Close()

	start, sent := time.Now(), 0
	err = func() error {
		for {
			select {
			case <-ctx.Done():
				// The client cancelled, hung up, or its deadline passed.
				return status.FromContextError(ctx.Err()).Err()
			case <-sub.Done():
				return rpcerr.ShuttingDown()
			case <-sub.Ready():
				for _, l := range sub.Take() {
					// Send blocks while this client's flow-control window is
					// full; that holds up this stream only, never the others.
					if err := stream.Send(&catalogv1.WatchProductsResponse{Inventory: toProto(l)}); err != nil {
						return err
					}
					sent++
				}
			}
		}
	}()
	s.log.Info("watch ended", "products", ids, "updates_sent", sent,
		"duration", time.Since(start).Round(time.Millisecond), "code", status.Code(err).String())
	return err
}

// connKey names the connection a call came in on: its peer address, which
// is unique per connection while it is open. Connections with no address (a
// listener may give none) share one key, and so one cap.
func connKey(ctx context.Context) string {
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		return p.Addr.String()
	}
	return "unknown"
}

func toProto(l inventory.Level) *catalogv1.ProductInventory {
	return &catalogv1.ProductInventory{ProductId: l.ProductID, Quantity: l.Quantity, UpdatedAt: timestamppb.New(l.UpdatedAt)}
}

// discardLogger is used when a caller passes no logger.
var discardLogger = slog.New(slog.DiscardHandler)
