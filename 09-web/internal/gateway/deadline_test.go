package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestWithDeadline(t *testing.T) {
	tests := []struct {
		name        string
		grpcTimeout string
		wantWithin  time.Duration // 0: the request's own deadline, none here
	}{
		{name: "a request without a deadline gets the default", wantWithin: DefaultTimeout},
		{name: "a request with a Grpc-Timeout keeps its own", grpcTimeout: "1S"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var deadline time.Time
			var has bool
			h := withDeadline(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				deadline, has = r.Context().Deadline()
			}))
			req := httptest.NewRequest("GET", "/v1/products/product-123", nil)
			if tt.grpcTimeout != "" {
				req.Header.Set("Grpc-Timeout", tt.grpcTimeout)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			switch {
			case tt.wantWithin == 0 && has:
				t.Errorf("the middleware set a deadline over the client's own")
			case tt.wantWithin > 0 && (!has || time.Until(deadline) > tt.wantWithin):
				t.Errorf("deadline = %v (set: %v), want one within %s", deadline, has, tt.wantWithin)
			}
		})
	}
}
