package catalog

import (
	"cmp"
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// Page sizes of ListProducts: what a client gets when it names none, and the
// most one call returns, so that one request cannot ask for the whole store.
const (
	DefaultPageSize = 20
	MaxPageSize     = 50
)

// ListProducts returns one page of the catalog, ordered by id. The page
// token names the last id sent, encoded so that clients treat it as opaque.
func (s *Service) ListProducts(ctx context.Context, req *catalogv1.ListProductsRequest) (*catalogv1.ListProductsResponse, error) {
	size, after, err := validateListProducts(req)
	if err != nil {
		return nil, err
	}
	page, more, err := s.store.List(ctx, after, size)
	if err != nil {
		return nil, toStatus(err, "")
	}
	res := &catalogv1.ListProductsResponse{Products: page}
	if more {
		res.NextPageToken = pageToken(page[len(page)-1].GetId())
	}
	return res, nil
}

// List returns copies of at most n products whose ids sort after after, and
// whether more follow.
func (s *Store) List(ctx context.Context, after string, n int) ([]*catalogv1.Product, bool, error) {
	if err := s.wait(ctx); err != nil {
		return nil, false, err
	}
	ids := make([]string, 0, len(s.products))
	for id := range s.products {
		if id > after {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, cmp.Compare)
	more := len(ids) > n
	ids = ids[:min(n, len(ids))]
	page := make([]*catalogv1.Product, len(ids))
	for i, id := range ids {
		page[i] = proto.CloneOf(s.products[id])
	}
	return page, more, nil
}

const tokenPrefix = "after:"

func pageToken(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + lastID))
}

// validateListProducts returns the page size to use and the id to start
// after. A token is checked, never echoed: it came from the client.
func validateListProducts(req *catalogv1.ListProductsRequest) (size int, after string, err error) {
	switch n := req.GetPageSize(); {
	case n < 0:
		return 0, "", rpcerr.Invalid(rpcerr.Violation{Field: "page_size", Description: "page size must not be negative"})
	case n == 0:
		size = DefaultPageSize
	default:
		size = int(min(n, MaxPageSize))
	}
	if req.GetPageToken() == "" {
		return size, "", nil
	}
	if len(req.GetPageToken()) > 2*rpcerr.MaxIDLength {
		return 0, "", badToken()
	}
	raw, decodeErr := base64.RawURLEncoding.DecodeString(req.GetPageToken())
	after, ok := strings.CutPrefix(string(raw), tokenPrefix)
	if _, valid := rpcerr.CheckID("page_token", "product", after); decodeErr != nil || !ok || !valid {
		return 0, "", badToken()
	}
	return size, after, nil
}

func badToken() error {
	return rpcerr.Invalid(rpcerr.Violation{Field: "page_token", Description: "page token is not one that ListProducts returned"})
}
