package catalog_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// TestListProductsPages walks the sample catalog a page at a time.
func TestListProductsPages(t *testing.T) {
	client := newClient(t, 0)
	all := []string{"product-123", "product-321", "product-456", "product-789"}
	for _, size := range []int32{0, 1, 3, 50, 1000} {
		var got []string
		token := ""
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatalf("page size %d: more pages than products", size)
			}
			res, err := client.ListProducts(t.Context(), &catalogv1.ListProductsRequest{PageSize: size, PageToken: token})
			if err != nil {
				t.Fatalf("page size %d: ListProducts: %v", size, err)
			}
			if size > 0 && len(res.GetProducts()) > int(size) {
				t.Fatalf("page size %d: got a page of %d", size, len(res.GetProducts()))
			}
			for _, p := range res.GetProducts() {
				got = append(got, p.GetId())
			}
			if token = res.GetNextPageToken(); token == "" {
				break
			}
		}
		if !slices.Equal(got, all) {
			t.Errorf("page size %d: listed %v, want %v", size, got, all)
		}
	}
}

func TestListProductsRefusesBadPages(t *testing.T) {
	client := newClient(t, 0)
	tests := []struct {
		name string
		req  *catalogv1.ListProductsRequest
	}{
		{"a negative page size", &catalogv1.ListProductsRequest{PageSize: -1}},
		{"a token that is not base64", &catalogv1.ListProductsRequest{PageToken: "%%%"}},
		{"a token made up by the client", &catalogv1.ListProductsRequest{
			PageToken: base64.RawURLEncoding.EncodeToString([]byte("offset:3"))}},
		{"a token naming no valid id", &catalogv1.ListProductsRequest{
			PageToken: base64.RawURLEncoding.EncodeToString([]byte("after:\x1b[2J"))}},
		{"a huge token", &catalogv1.ListProductsRequest{PageToken: strings.Repeat("A", 100_000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.ListProducts(t.Context(), tt.req)
			if got := status.Code(err); got != codes.InvalidArgument {
				t.Fatalf("code = %v (%v), want InvalidArgument", got, err)
			}
			if msg := status.Convert(err).Message(); len(msg) > 200 || strings.Contains(msg, "AAAA") {
				t.Errorf("message %q echoes the token", msg)
			}
		})
	}
}
