package watchhub

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalogclient"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// upstreamCounter counts the WatchProducts streams a hub opens, as the
// catalog sees them arrive.
type upstreamCounter struct{ opened atomic.Int32 }

func (c *upstreamCounter) intercept(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn,
	method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if method == catalogv1.ProductCatalogService_WatchProducts_FullMethodName {
		c.opened.Add(1)
	}
	return streamer(ctx, desc, cc, method, opts...)
}

// dialCatalog connects to the catalog at addr as the gateway does: mutual
// TLS with the gateway's certificate, over real TCP.
func dialCatalog(t testing.TB, pki *testutil.PKI, addr string) (catalogv1.ProductCatalogServiceClient, *upstreamCounter) {
	t.Helper()
	creds, err := pki.Files("gateway").ClientCreds()
	if err != nil {
		t.Fatal(err)
	}
	counter := &upstreamCounter{}
	conn, err := catalogclient.Dial(addr, creds, grpc.WithChainStreamInterceptor(counter.intercept))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return catalogv1.NewProductCatalogServiceClient(conn), counter
}

// startHub serves the sample catalog and returns a hub in front of it with
// these limits, closed when the test ends.
func startHub(t testing.TB, perAddress int) (*Hub, *testutil.Service, *upstreamCounter) {
	t.Helper()
	pki := testutil.NewPKI(t)
	cat := testutil.StartCatalog(t, pki, 0)
	client, counter := dialCatalog(t, pki, cat.Addr)
	h := newHub(client, nil, MaxViewers, perAddress, MaxProducts, 10*time.Millisecond)
	t.Cleanup(h.Close)
	return h, cat, counter
}

// watcher is a viewer run as the gateway runs one: Watch in a goroutine of
// its own, which is the HTTP handler's.
type watcher struct {
	got  chan *catalogv1.ProductInventory
	done chan error
	stop context.CancelFunc
}

func watch(t testing.TB, h *Hub, client string, ids ...string) *watcher {
	t.Helper()
	ctx, stop := context.WithCancel(t.Context())
	w := &watcher{got: make(chan *catalogv1.ProductInventory, 256), done: make(chan error, 1), stop: stop}
	go func() {
		w.done <- h.Watch(ctx, client, ids, func(r *catalogv1.WatchProductsResponse) error {
			w.got <- r.GetInventory()
			return nil
		})
	}()
	t.Cleanup(func() { stop(); <-w.done; w.done <- nil })
	return w
}

// hangGuard turns a wait that never ends into a failure; it asserts no speed.
const hangGuard = 30 * time.Second

// next is the viewer's next level.
func (w *watcher) next(t testing.TB) *catalogv1.ProductInventory {
	t.Helper()
	select {
	case inv := <-w.got:
		return inv
	case err := <-w.done:
		w.done <- err
		t.Fatalf("the watch ended early: %v", err)
	case <-time.After(hangGuard):
		t.Fatal("gave up waiting for a level")
	}
	return nil
}

// waitFor reads levels until id is at qty.
func (w *watcher) waitFor(t testing.TB, id string, qty int32) {
	t.Helper()
	for {
		if inv := w.next(t); inv.GetProductId() == id && inv.GetQuantity() == qty {
			return
		}
	}
}

// ended is what the watch returned.
func (w *watcher) ended(t testing.TB) error {
	t.Helper()
	select {
	case err := <-w.done:
		w.done <- err
		return err
	case <-time.After(hangGuard):
		t.Fatal("gave up waiting for the watch to end")
		return nil
	}
}

func wantCode(t testing.TB, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Fatalf("got %v, want code %v", err, want)
	}
}

func adjust(t testing.TB, cat *testutil.Service, id string, delta int32) {
	t.Helper()
	if _, err := cat.Stock.Adjust(t.Context(), id, delta); err != nil {
		t.Fatal(err)
	}
}
