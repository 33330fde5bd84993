package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"

	"github.com/learn-grpc/learn-grpc/06-gateway/internal/catalog"
)

func TestClientShare(t *testing.T) {
	for _, tc := range []struct{ remote, want string }{
		{"192.0.2.7:5000", "192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:5000", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:6000", "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:5000", "2001:db8:1:3::/64"},
		{"[::ffff:192.0.2.7]:5000", "192.0.2.7"},
		{"[fe80::1%eth0]:5000", "fe80::/64"},
		{"192.0.2.7", "192.0.2.7"},
		{"not an address", "not an address"},
	} {
		if got := clientShare(tc.remote); got != tc.want {
			t.Errorf("clientShare(%q) = %q, want %q", tc.remote, got, tc.want)
		}
	}
}

// TestAnIPv6ClientCannotWidenItsShare: a host holds a whole /64, so
// watches from two of its addresses count against one share.
func TestAnIPv6ClientCannotWidenItsShare(t *testing.T) {
	slots := catalog.NewWatchLimitOf("gateway", "client address", MaxRESTWatchers, 1)
	if _, err := slots.Acquire(clientShare("[2001:db8:1:2::1]:5000")); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/v1/products:watch?productIds=product-123", nil)
	req.RemoteAddr = "[2001:db8:1:2::2]:5000"
	rec := httptest.NewRecorder()
	streaming(runtime.NewServeMux(), slots).ServeHTTP(rec, req) // an empty mux: 404 if it gets there
	if rec.Code != http.StatusTooManyRequests {
		t.Errorf("a watch from the same /64 = %d %s, want 429", rec.Code, rec.Body)
	}
}
