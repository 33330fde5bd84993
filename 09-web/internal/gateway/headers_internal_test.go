package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestHeaderListErrorsAreTheCallersInput maps grpc-go's refusal to send
// headers past a backend's limit to the gateway's 431; other errors keep
// grpc-gateway's mapping.
func TestHeaderListErrorsAreTheCallersInput(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{name: "headers the client could not send are 431", err: status.Error(codes.Internal,
			"header list size to send violates the maximum size (16384 bytes) set by server"),
			want: http.StatusRequestHeaderFieldsTooLarge},
		{name: "another internal error stays 500", err: status.Error(codes.Internal, "boom"),
			want: http.StatusInternalServerError},
		{name: "not found stays 404", err: status.Error(codes.NotFound, "no such product"),
			want: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			mapHeaderListErrors(t.Context(), runtime.NewServeMux(), &runtime.JSONPb{}, w,
				httptest.NewRequest("GET", "/v1/products/product-123", nil), tt.err)
			if w.Code != tt.want {
				t.Fatalf("status = %d %s, want %d", w.Code, w.Body, tt.want)
			}
			body := w.Body.String()
			if tt.want == http.StatusRequestHeaderFieldsTooLarge &&
				(!strings.Contains(body, errHeadersTooLarge) || strings.Contains(body, "set by server")) {
				t.Errorf("body = %s, want %q and no limit behind the gateway", body, errHeadersTooLarge)
			}
		})
	}
}
