package catalog

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/learn-grpc/learn-grpc/06-gateway/internal/inventory"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// MaxWatchedProducts bounds one WatchProducts call, so one client cannot
// hold a subscription to everything.
const MaxWatchedProducts = 50

// WatchProducts streams stock levels until the client leaves or the server
// stops. It returns as soon as either happens: returning is what ends the
// stream and removes the subscription.
func (s *Service) WatchProducts(req *catalogv1.WatchProductsRequest, stream grpc.ServerStreamingServer[catalogv1.WatchProductsResponse]) error {
	ids, err := watchIDs(req.GetProductIds())
	if err != nil {
		return err
	}
	// Subscribing checks every id first, so an unknown one fails the call
	// before a single update is sent.
	sub, err := s.stock.Subscribe(ids)
	if errors.Is(err, inventory.ErrUnknownProduct) {
		return status.Errorf(codes.NotFound, "product %s not found", strings.TrimPrefix(err.Error(), inventory.ErrUnknownProduct.Error()+": "))
	}
	if err != nil {
		return status.Error(codes.Internal, "could not start watching")
	}
	defer sub.Close()

	start, sent := time.Now(), 0
	ctx := stream.Context()
	err = func() error {
		for {
			select {
			case <-ctx.Done():
				// The client cancelled, hung up, or its deadline passed.
				return status.FromContextError(ctx.Err()).Err()
			case <-sub.Done():
				return status.Error(codes.Unavailable, "server is shutting down; watch again to resume")
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

// watchIDs trims and de-duplicates the requested ids, keeping their order,
// and enforces the limits.
func watchIDs(raw []string) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	for _, id := range raw {
		id = strings.TrimSpace(id)
		if id == "" {
			return nil, status.Error(codes.InvalidArgument, "product ids must not be empty")
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		return nil, status.Error(codes.InvalidArgument, "at least one product id is required")
	case len(ids) > MaxWatchedProducts:
		return nil, status.Error(codes.InvalidArgument, fmt.Sprintf("at most %d products can be watched at once, got %d", MaxWatchedProducts, len(ids)))
	}
	return ids, nil
}

func toProto(l inventory.Level) *catalogv1.ProductInventory {
	return &catalogv1.ProductInventory{ProductId: l.ProductID, Quantity: l.Quantity, UpdatedAt: timestamppb.New(l.UpdatedAt)}
}

// discardLogger is used when a caller passes no logger.
var discardLogger = slog.New(slog.DiscardHandler)
