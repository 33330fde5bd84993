package catalog

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// MaxQueryLength bounds a search query, so one request cannot make the
// server scan with an arbitrarily large string.
const MaxQueryLength = 100

// productType names products in ResourceInfo details.
const productType = "ecommerce.catalog.v1.Product"

// validateGetProduct returns the request's product id, trimmed, or the
// InvalidArgument that says which field is wrong.
func validateGetProduct(req *catalogv1.GetProductRequest) (string, error) {
	id := strings.TrimSpace(req.GetId())
	if v, ok := rpcerr.CheckID("id", "product", id); !ok {
		return "", rpcerr.Invalid(v)
	}
	return id, nil
}

// validateSearchProducts returns the request's query, trimmed. A query is
// free text, so it is checked for length and control characters, never
// echoed.
func validateSearchProducts(req *catalogv1.SearchProductsRequest) (string, error) {
	query := strings.TrimSpace(req.GetQuery())
	switch {
	case query == "":
		return "", rpcerr.Invalid(rpcerr.Violation{Field: "query", Description: "search query is required"})
	case len(query) > 4*MaxQueryLength || utf8.RuneCountInString(query) > MaxQueryLength:
		return "", rpcerr.Invalid(rpcerr.Violation{Field: "query",
			Description: fmt.Sprintf("search query is longer than %d characters", MaxQueryLength)})
	case !utf8.ValidString(query) || strings.ContainsFunc(query, unicode.IsControl):
		return "", rpcerr.Invalid(rpcerr.Violation{Field: "query",
			Description: "search query must be text without control characters"})
	}
	return query, nil
}

// validateWatchProducts returns the requested ids, trimmed and without
// repeats, in the order they were asked for.
func validateWatchProducts(req *catalogv1.WatchProductsRequest) ([]string, error) {
	raw := req.GetProductIds()
	switch {
	case len(raw) == 0:
		return nil, rpcerr.Invalid(rpcerr.Violation{Field: "product_ids", Description: "at least one product id is required"})
	case len(raw) > MaxWatchedProducts:
		return nil, rpcerr.Invalid(rpcerr.Violation{Field: "product_ids",
			Description: fmt.Sprintf("at most %d products can be watched at once, got %d", MaxWatchedProducts, len(raw))})
	}
	seen := map[string]bool{}
	var ids []string
	for i, id := range raw {
		id = strings.TrimSpace(id)
		if v, ok := rpcerr.CheckID(fmt.Sprintf("product_ids[%d]", i), "product", id); !ok {
			return nil, rpcerr.Invalid(v)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}
