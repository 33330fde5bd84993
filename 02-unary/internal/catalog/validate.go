package catalog

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/learn-grpc/learn-grpc/02-unary/internal/rpcerr"

	catalogv1 "github.com/learn-grpc/learn-grpc/02-unary/gen/ecommerce/catalog/v1"
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
