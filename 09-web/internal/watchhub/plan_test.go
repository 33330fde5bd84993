package watchhub

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// bigCatalog knows every product and records the WatchProducts streams
// open on it, which send nothing. The sample catalog has four products,
// too few to fill a stream of 50.
type bigCatalog struct {
	catalogv1.ProductCatalogServiceClient // nil: only the two methods below are called
	mu                                    sync.Mutex
	open                                  map[*catalogv1.WatchProductsRequest]bool
}

func (c *bigCatalog) GetProduct(context.Context, *catalogv1.GetProductRequest, ...grpc.CallOption) (*catalogv1.GetProductResponse, error) {
	return &catalogv1.GetProductResponse{}, nil
}

func (c *bigCatalog) WatchProducts(ctx context.Context, req *catalogv1.WatchProductsRequest,
	_ ...grpc.CallOption) (grpc.ServerStreamingClient[catalogv1.WatchProductsResponse], error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open[req] = true
	return &silentStream{ctx: ctx, close: func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.open, req)
	}}, nil
}

// streams is the size of each open stream, largest first, and how many
// products they watch in all, each counted once.
func (c *bigCatalog) streams() (sizes []int, distinct int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	for req := range c.open {
		sizes = append(sizes, len(req.GetProductIds()))
		for _, id := range req.GetProductIds() {
			seen[id] = true
		}
	}
	slices.Sort(sizes)
	slices.Reverse(sizes)
	return sizes, len(seen)
}

type silentStream struct {
	grpc.ClientStream // nil: only Recv is called
	ctx               context.Context
	close             func()
}

func (s *silentStream) Recv() (*catalogv1.WatchProductsResponse, error) {
	<-s.ctx.Done()
	s.close()
	return nil, status.FromContextError(s.ctx.Err()).Err()
}

func ids(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("product-%03d", i))
	}
	return out
}

func TestPlanPacksProductsIntoFewStreams(t *testing.T) {
	cat := &bigCatalog{open: map[*catalogv1.WatchProductsRequest]bool{}}
	h := newHub(cat, nil, MaxViewers, MaxViewersPerAddress, MaxProducts, time.Millisecond)
	t.Cleanup(h.Close)
	wantStreams := func(t *testing.T, sizes []int, distinct int) {
		t.Helper()
		testutil.WaitFor(t, fmt.Sprintf("streams of %v", sizes), func() bool {
			got, n := cat.streams()
			return slices.Equal(got, sizes) && n == distinct && h.upstreams() == len(sizes)
		})
	}
	top := t // the viewers live as long as the whole test
	first := watch(t, h, "a", ids(0, 50)...)
	watch(t, h, "b", ids(25, 75)...)
	watch(t, h, "c", ids(75, 125)...)

	t.Run("125 products take three streams of at most 50", func(t *testing.T) {
		wantStreams(t, []int{50, 50, 25}, 125)
	})
	t.Run("a new product joins the stream with room", func(t *testing.T) {
		watch(top, h, "d", ids(125, 126)...)
		wantStreams(t, []int{50, 50, 26}, 126)
	})
	t.Run("products nobody watches are dropped, and their streams shrink", func(t *testing.T) {
		first.stop()
		want := 126 - 25 // product-000 to product-024 had only the first viewer
		testutil.WaitFor(t, "the first viewer's products to be dropped", func() bool {
			sizes, n := cat.streams()
			return n == want && slices.Max(sizes) <= 50 && len(sizes) <= 3
		})
	})
}

func TestBackoffGrowsToItsCap(t *testing.T) {
	b := backoff{base: 100 * time.Millisecond, max: time.Second, factor: 2, jitter: 0.2}
	tests := []struct {
		name     string
		attempt  int
		low, top time.Duration
	}{
		{"the first retry waits about the base", 0, 80 * time.Millisecond, 120 * time.Millisecond},
		{"the third waits four times as long", 2, 320 * time.Millisecond, 480 * time.Millisecond},
		{"a late retry waits about the cap, no more", 50, 800 * time.Millisecond, 1200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 100 {
				if got := b.delay(tt.attempt); got < tt.low || got > tt.top {
					t.Fatalf("delay(%d) = %v, want within [%v, %v]", tt.attempt, got, tt.low, tt.top)
				}
			}
		})
	}
}
