package watchhub

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"
)

// quotaSubject is the QuotaFailure subject of a refusal: which limit said no.
func quotaSubject(err error) string {
	for _, d := range status.Convert(err).Details() {
		if q, ok := d.(*errdetails.QuotaFailure); ok && len(q.GetViolations()) > 0 {
			return q.GetViolations()[0].GetSubject()
		}
	}
	return ""
}

// refused checks that err is a ResourceExhausted naming subject, whose
// message does not echo what the caller sent.
func refused(t *testing.T, err error, subject string, input ...string) {
	t.Helper()
	wantCode(t, err, codes.ResourceExhausted)
	if got := quotaSubject(err); got != subject {
		t.Errorf("quota subject = %q, want %q", got, subject)
	}
	for _, in := range input {
		if strings.Contains(status.Convert(err).Message(), in) {
			t.Errorf("message %q echoes the caller's %q", status.Convert(err).Message(), in)
		}
	}
}

func TestLimits(t *testing.T) {
	pki := testutil.NewPKI(t)
	cat := testutil.StartCatalog(t, pki, 0)
	client, _ := dialCatalog(t, pki, cat.Addr)
	newTestHub := func(t *testing.T, total, perAddress, products int) *Hub {
		h := newHub(client, nil, total, perAddress, products, time.Millisecond)
		t.Cleanup(h.Close)
		return h
	}

	t.Run("one address is refused past its cap while others are served", func(t *testing.T) {
		h := newTestHub(t, 100, 2, MaxProducts)
		const addr = "203.0.113.7<script>"
		for range 2 {
			watch(t, h, addr, "product-123").next(t)
		}
		refused(t, watch(t, h, addr, "product-123").ended(t), "watchers per client address", addr)
		watch(t, h, "203.0.113.8", "product-123").next(t)
	})
	t.Run("the gateway is refused past its total", func(t *testing.T) {
		h := newTestHub(t, 3, 2, MaxProducts)
		for _, addr := range []string{"a", "b", "b"} {
			watch(t, h, addr, "product-123").next(t)
		}
		refused(t, watch(t, h, "c", "product-123").ended(t), "watchers per gateway")
	})
	t.Run("a product past the hub's bound on products is refused", func(t *testing.T) {
		h := newTestHub(t, 100, 8, 2)
		watch(t, h, "a", "product-123", "product-456").next(t)
		refused(t, watch(t, h, "b", "product-789").ended(t), "products per gateway", "product-789")
		watch(t, h, "b", "product-456").next(t) // a product already watched is no more
	})
	t.Run("products nobody watches any more make room for a viewer of others", func(t *testing.T) {
		// A linger of an hour: without eviction the two would hold the bound that long.
		h := newHub(client, nil, 100, 8, 2, time.Hour)
		t.Cleanup(h.Close)
		w := watch(t, h, "a", "product-123", "product-456")
		w.next(t)
		w.stop()
		wantCode(t, w.ended(t), codes.Canceled)
		watch(t, h, "b", "product-789").next(t)
	})
}
