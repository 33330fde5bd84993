package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// TestConnectProtocolHeadersAreRefusedWithoutEchoingThem: connect-go quotes
// a bad timeout, protocol version or compression name back whole; the
// gateway refuses each first, in the caller's protocol, in a few words.
func TestConnectProtocolHeadersAreRefusedWithoutEchoingThem(t *testing.T) {
	e := start(t)
	huge := strings.Repeat("9", 12_000) + "<script>"
	tests := []struct {
		header   string
		wantCode connect.Code
		protos   []string
	}{
		{"Connect-Timeout-Ms", connect.CodeInvalidArgument, []string{"Connect JSON", "Connect binary"}},
		{"Content-Encoding", connect.CodeUnimplemented, []string{"Connect JSON"}},
		{"Connect-Content-Encoding", connect.CodeUnimplemented, []string{"Connect binary"}},
		{"Grpc-Timeout", connect.CodeInvalidArgument, []string{"gRPC-Web", "gRPC"}},
		{"Grpc-Encoding", connect.CodeUnimplemented, []string{"gRPC-Web", "gRPC"}},
	}
	for _, p := range protocols {
		catalog, _ := e.clients(p.opts...)
		for _, tt := range tests {
			if !contains(tt.protos, p.name) {
				continue
			}
			t.Run(p.name+": a huge "+tt.header+" is refused in a few words", func(t *testing.T) {
				var err error
				if tt.header == "Connect-Content-Encoding" { // a stream's header
					req := connect.NewRequest(&catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}})
					req.Header().Set(tt.header, huge)
					s, serr := catalog.WatchProducts(t.Context(), req)
					if serr == nil {
						for s.Receive() {
							break
						}
						err = s.Err()
						_ = s.Close()
					}
				} else {
					req := connect.NewRequest(&catalogv1.GetProductRequest{Id: "product-123"})
					req.Header().Set(tt.header, huge)
					_, err = catalog.GetProduct(t.Context(), req)
				}
				if connect.CodeOf(err) != tt.wantCode || len(err.Error()) > 200 || strings.Contains(err.Error(), "999") {
					t.Errorf("= %.300v, want %v in a message that does not repeat the value", err, tt.wantCode)
				}
			})
		}
	}
	t.Run("fetch: a huge Connect-Protocol-Version is refused in a few words", func(t *testing.T) {
		// Connect's Go client sets the header itself; a browser's fetch may send any.
		got, code, msg := e.postMessage(t, "/ecommerce.catalog.v1.ProductCatalogService/GetProduct",
			strings.NewReader(`{"id":"product-123"}`), http.Header{"Connect-Protocol-Version": {huge}})
		if got != http.StatusBadRequest || code != "invalid_argument" || len(msg) > 200 || strings.Contains(msg, "999") {
			t.Errorf("= %d %q %.300q, want 400 invalid_argument in a message that does not repeat it", got, code, msg)
		}
	})
	t.Run("a valid timeout still passes", func(t *testing.T) {
		catalog, _ := e.clients(connect.WithProtoJSON())
		req := connect.NewRequest(&catalogv1.GetProductRequest{Id: "product-123"})
		req.Header().Set("Connect-Timeout-Ms", "5000")
		if _, err := catalog.GetProduct(t.Context(), req); err != nil {
			t.Errorf("GetProduct with Connect-Timeout-Ms: 5000 = %v, want the product", err)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
