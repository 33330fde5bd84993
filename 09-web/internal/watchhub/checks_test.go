package watchhub

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// stuckChecks is the catalog's client with every GetProduct held until
// release is closed, as a catalog that has stopped answering holds them.
type stuckChecks struct {
	catalogv1.ProductCatalogServiceClient
	inFlight atomic.Int32
	release  chan struct{}
}

func (c *stuckChecks) GetProduct(ctx context.Context, req *catalogv1.GetProductRequest,
	opts ...grpc.CallOption) (*catalogv1.GetProductResponse, error) {
	c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	select {
	case <-c.release:
	case <-ctx.Done():
	}
	return c.ProductCatalogServiceClient.GetProduct(ctx, req, opts...)
}

// stuckHub is a hub in front of the sample catalog whose GetProduct checks
// are held until the test ends or closes stuck.release.
func stuckHub(t *testing.T) (*Hub, *stuckChecks) {
	t.Helper()
	pki := testutil.NewPKI(t)
	cat := testutil.StartCatalog(t, pki, 0)
	client, _ := dialCatalog(t, pki, cat.Addr)
	stuck := &stuckChecks{ProductCatalogServiceClient: client, release: make(chan struct{})}
	h := newHub(stuck, nil, MaxViewers, MaxViewersPerAddress, MaxProducts, time.Millisecond)
	t.Cleanup(h.Close)
	t.Cleanup(stuck.open) // before Close: the checks end, and the hub's goroutines with them
	return h, stuck
}

func (c *stuckChecks) open() {
	select {
	case <-c.release:
	default:
		close(c.release)
	}
}

// waitForChecks waits until n checks have reached the catalog.
func (c *stuckChecks) waitForChecks(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); c.inFlight.Load() < int32(n); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d checks reached the catalog", c.inFlight.Load(), n)
		}
	}
}

// TestViewersThatLeaveCannotPileUpChecks: each viewer asks about a new id
// and leaves while the catalog is stuck, so its check lives on. Past
// MaxChecks of them, a new viewer is told to come back, and no call more
// reaches the catalog.
func TestViewersThatLeaveCannotPileUpChecks(t *testing.T) {
	h, stuck := stuckHub(t)
	for i := range MaxChecks {
		w := watch(t, h, fmt.Sprintf("198.51.100.%d", i), fmt.Sprintf("product-9%02d", i))
		stuck.waitForChecks(t, i+1)
		w.stop()
		wantCode(t, w.ended(t), codes.Canceled)
	}
	late := watch(t, h, "203.0.113.1", "product-999")
	err := late.ended(t)
	wantCode(t, err, codes.Unavailable)
	if !strings.Contains(err.Error(), "being checked") {
		t.Errorf("the late viewer heard %v, want to be told that too many checks are in flight", err)
	}
	if got := stuck.inFlight.Load(); got != MaxChecks {
		t.Errorf("%d checks reached the catalog, want at most %d", got, MaxChecks)
	}
}

// TestABurstOfNewIdsIsCheckedNotRefused: viewers of more new ids than
// MaxChecks at once wait their turn rather than hear Unavailable, as long
// as the checks before them end within CheckWait (here longer than the test).
func TestABurstOfNewIdsIsCheckedNotRefused(t *testing.T) {
	h, stuck := stuckHub(t)
	h.checkWait = hangGuard
	var burst []*watcher
	for i := range MaxChecks + 4 {
		burst = append(burst, watch(t, h, fmt.Sprintf("198.51.100.%d", i), fmt.Sprintf("product-9%02d", i)))
	}
	stuck.waitForChecks(t, MaxChecks)
	for deadline := time.Now().Add(hangGuard); h.waiting.Load() < 4; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 4 checks are waiting for their turn", h.waiting.Load())
		}
	}
	stuck.open()
	for i, w := range burst {
		// Made-up ids: each check ends in the catalog's NotFound, not in a refusal.
		if err := w.ended(t); status.Code(err) != codes.NotFound {
			t.Errorf("viewer %d of the burst: %v, want NotFound from the catalog", i, err)
		}
	}
}
