package watchhub

import (
	"context"
	"testing"
	"time"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// slowViewer takes the first level at once, then blocks in its next send
// until let is closed, as a browser that stopped reading does.
type slowViewer struct {
	blocked chan int32 // the level it is stuck sending
	let     chan struct{}
	after   chan int32 // what it sends once let go
	done    chan error
}

func startSlowViewer(t *testing.T, h *Hub, id string) *slowViewer {
	s := &slowViewer{blocked: make(chan int32, 1), let: make(chan struct{}),
		after: make(chan int32, 100), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(t.Context())
	sends := 0
	go func() {
		s.done <- h.Watch(ctx, "198.51.100.1", []string{id}, func(r *catalogv1.WatchProductsResponse) error {
			switch sends++; sends {
			case 1:
			case 2:
				s.blocked <- r.GetInventory().GetQuantity()
				<-s.let
			default:
				s.after <- r.GetInventory().GetQuantity()
			}
			return nil
		})
	}()
	t.Cleanup(func() { cancel(); <-s.done })
	return s
}

// mostHeld is the most levels any viewer of id has waiting.
func (h *Hub) mostHeld(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	most := 0
	for v := range h.products[id].viewers {
		most = max(most, v.held())
	}
	return most
}

func TestSlowViewer(t *testing.T) {
	h, cat, _ := startHub(t, MaxViewersPerAddress)
	slow := startSlowViewer(t, h, "product-123")
	fast := watch(t, h, "198.51.100.2", "product-123")
	fast.waitFor(t, "product-123", 100)
	adjust(t, cat, "product-123", -1)
	if got := within(t, slow.blocked); got != 99 {
		t.Fatalf("the slow viewer is stuck on %d, want 99", got)
	}
	for range 19 {
		adjust(t, cat, "product-123", -1)
	}

	t.Run("the others get the latest change while it is stuck", func(t *testing.T) {
		fast.waitFor(t, "product-123", 80)
	})
	t.Run("it holds one pending level per product, not a queue", func(t *testing.T) {
		if got := h.mostHeld("product-123"); got > 1 {
			t.Errorf("a viewer holds %d levels of one product, want at most 1", got)
		}
	})
	t.Run("once it reads again it is sent the latest level, not the ones it missed", func(t *testing.T) {
		close(slow.let)
		if got := within(t, slow.after); got != 80 {
			t.Errorf("next level sent = %d, want 80", got)
		}
	})
}

// within is the next value from ch, or a failure if none comes.
func within(t *testing.T, ch <-chan int32) int32 {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hangGuard):
		t.Fatal("gave up waiting for the slow viewer")
		return 0
	}
}
