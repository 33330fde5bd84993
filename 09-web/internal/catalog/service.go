package catalog

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// Service implements catalogv1.ProductCatalogServiceServer on top of a Store.
type Service struct {
	// Embedding the Unimplemented type keeps this compiling when the proto
	// gains a method: the new method answers codes.Unimplemented until it is
	// written, instead of breaking the build.
	catalogv1.UnimplementedProductCatalogServiceServer

	store    *Store
	stock    *inventory.Stock
	watchers *WatchLimit
	log      *slog.Logger
}

// NewService returns the ProductCatalog handlers for the products in store
// and their stock levels in stock. log may be nil.
func NewService(store *Store, stock *inventory.Stock, log *slog.Logger) *Service {
	if log == nil {
		log = discardLogger
	}
	return &Service{store: store, stock: stock, watchers: NewWatchLimit(MaxWatchers, MaxWatchersPerConn), log: log}
}

// GetProduct returns one product. The checks happen in the order a client
// would want to hear about them: a malformed request first, then a missing
// product.
func (s *Service) GetProduct(ctx context.Context, req *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	id, err := validateGetProduct(req)
	if err != nil {
		return nil, err
	}
	p, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, toStatus(err, id)
	}
	return &catalogv1.GetProductResponse{Product: p}, nil
}

// SearchProducts returns the products matching the query.
func (s *Service) SearchProducts(ctx context.Context, req *catalogv1.SearchProductsRequest) (*catalogv1.SearchProductsResponse, error) {
	query, err := validateSearchProducts(req)
	if err != nil {
		return nil, err
	}
	found, err := s.store.Search(ctx, query)
	if err != nil {
		return nil, toStatus(err, "")
	}
	return &catalogv1.SearchProductsResponse{Products: found}, nil
}

// toStatus turns a store error into the gRPC status the client should see.
// A context error keeps its meaning (DeadlineExceeded or Canceled) rather
// than becoming Unknown, so the client can tell "too slow" from "broken".
func toStatus(err error, id string) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return rpcerr.NotFound(productType, "product", id)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return status.FromContextError(err).Err()
	default:
		return status.Error(codes.Internal, "catalog lookup failed")
	}
}

// OpenWatches is how many WatchProducts streams are open now.
func (s *Service) OpenWatches() int { return s.watchers.Open() }
