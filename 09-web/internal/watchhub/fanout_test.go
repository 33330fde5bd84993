package watchhub

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// heapInuse is the heap in use once garbage is collected.
func heapInuse() (heap, stack uint64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse, m.StackInuse
}

// crowd is many viewers of product-123 and product-456, each counting into
// shared counters what it was sent: the current level (100) first, then
// the change to 99.
type crowd struct {
	current, changed, outOfOrder atomic.Int32
	wg                           sync.WaitGroup
}

func (c *crowd) join(ctx context.Context, h *Hub, client string) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		sawCurrent := false
		_ = h.Watch(ctx, client, []string{"product-123", "product-456"}, func(r *catalogv1.WatchProductsResponse) error {
			// Every viewer is sent the same message; encoding it at once from
			// thousands of goroutines is safe, since it only reads it.
			if _, err := proto.Marshal(r); err != nil {
				return err
			}
			switch inv := r.GetInventory(); {
			case inv.GetProductId() != "product-123":
			case inv.GetQuantity() == 100:
				sawCurrent = true
				c.current.Add(1)
			case inv.GetQuantity() == 99 && sawCurrent:
				c.changed.Add(1)
			default:
				c.outOfOrder.Add(1)
			}
			return nil
		})
	}()
}

func TestFiveThousandViewers(t *testing.T) {
	const viewers, perAddress, crowded = 5_000, 4, "192.0.2.99"
	h, cat, counter := startHub(t, MaxViewersPerAddress)
	ctx, cancel := context.WithCancel(t.Context())
	c := &crowd{}
	defer c.wg.Wait()
	defer cancel()

	heapBefore, stackBefore := heapInuse()
	for i := range viewers - MaxViewersPerAddress {
		c.join(ctx, h, fmt.Sprintf("10.%d.%d.1", i/perAddress/250, i/perAddress%250))
	}
	for range MaxViewersPerAddress {
		c.join(ctx, h, crowded)
	}
	testutil.WaitFor(t, "every viewer's current level", func() bool { return c.current.Load() == viewers })
	heapAfter, stackAfter := heapInuse()
	t.Logf("%d viewers: %d heap bytes per viewer (hub and viewer state), %d stack bytes per viewer "+
		"(the Watch goroutines, which are the handlers')", viewers,
		(int64(heapAfter)-int64(heapBefore))/viewers, (int64(stackAfter)-int64(stackBefore))/viewers)

	t.Run("every viewer gets the current level, then the change", func(t *testing.T) {
		adjust(t, cat, "product-123", -1)
		testutil.WaitFor(t, "every viewer's change", func() bool { return c.changed.Load() == viewers })
		if n := c.outOfOrder.Load(); n != 0 {
			t.Errorf("%d viewers got a level out of order", n)
		}
	})
	t.Run("the crowded address is refused one more", func(t *testing.T) {
		refused(t, watch(t, h, crowded, "product-123").ended(t), "watchers per client address")
	})
	t.Run("the catalog sees one stream, not one per viewer", func(t *testing.T) {
		if got := cat.Stock.Watchers("product-123"); got != 1 {
			t.Errorf("the catalog has %d watchers of product-123, want 1", got)
		}
		if got := counter.opened.Load(); got > 2 {
			t.Errorf("the hub opened %d upstream streams, want at most 2", got)
		}
	})
	t.Run("the viewers' slots are freed when they leave", func(t *testing.T) {
		cancel()
		c.wg.Wait()
		if got := h.Viewers(); got != 0 {
			t.Errorf("viewers = %d, want 0", got)
		}
	})
}
