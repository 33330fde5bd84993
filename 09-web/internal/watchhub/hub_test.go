package watchhub

import (
	"fmt"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"
)

func TestWatch(t *testing.T) {
	h, cat, counter := startHub(t, MaxViewersPerAddress)
	first := watch(t, h, "10.0.0.1", "product-456", "product-123", "product-456")

	t.Run("a viewer gets each product's current level once, then each change", func(t *testing.T) {
		got := map[string]int32{}
		for range 2 {
			inv := first.next(t)
			got[inv.GetProductId()] = inv.GetQuantity()
		}
		if want := map[string]int32{"product-123": 100, "product-456": 25}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("current levels = %v, want %v", got, want)
		}
		for _, step := range []struct{ delta, want int32 }{{-1, 99}, {-2, 97}} {
			adjust(t, cat, "product-123", step.delta)
			if inv := first.next(t); inv.GetProductId() != "product-123" || inv.GetQuantity() != step.want {
				t.Fatalf("got %v, want product-123=%d", inv, step.want)
			}
		}
	})

	t.Run("a second viewer is sent the hub's level and opens no stream", func(t *testing.T) {
		before := counter.opened.Load()
		second := watch(t, h, "10.0.0.2", "product-123")
		if inv := second.next(t); inv.GetQuantity() != 97 {
			t.Fatalf("got %v, want product-123=97", inv)
		}
		if got := counter.opened.Load(); got != before {
			t.Errorf("upstream streams opened = %d, want %d", got, before)
		}
		if got := cat.Stock.Watchers("product-123"); got != 1 {
			t.Errorf("the catalog has %d watchers of product-123, want 1", got)
		}
	})
}

func TestWatchRefusesWhatTheCatalogWould(t *testing.T) {
	h, cat, counter := startHub(t, MaxViewersPerAddress)
	other := watch(t, h, "10.0.0.1", "product-123")
	other.waitFor(t, "product-123", 100)
	opened := counter.opened.Load()

	tooMany := make([]string, 51)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("product-%d", i)
	}
	tests := []struct {
		name string
		ids  []string
		want codes.Code
	}{
		{"no ids are refused as invalid", nil, codes.InvalidArgument},
		{"51 ids are refused as invalid", tooMany, codes.InvalidArgument},
		{"a malformed id is refused as invalid", []string{"product-123", "a b"}, codes.InvalidArgument},
		{"an unknown id is not found", []string{"product-123", "product-999"}, codes.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := watch(t, h, "10.0.0.2", tt.ids...).ended(t)
			wantCode(t, err, tt.want)
		})
	}

	t.Run("the not found names the unknown id", func(t *testing.T) {
		err := watch(t, h, "10.0.0.2", "product-999").ended(t)
		for _, d := range status.Convert(err).Details() {
			if info, ok := d.(*errdetails.ResourceInfo); ok && info.GetResourceName() == "product-999" {
				return
			}
		}
		t.Errorf("got %v, want a ResourceInfo naming product-999", err)
	})

	t.Run("the other viewers keep their stream", func(t *testing.T) {
		adjust(t, cat, "product-123", -1)
		other.waitFor(t, "product-123", 99)
		if got := counter.opened.Load(); got != opened {
			t.Errorf("upstream streams opened = %d, want %d: a refusal restarted one", got, opened)
		}
	})
}

func TestCloseEndsEveryWatch(t *testing.T) {
	h, _, _ := startHub(t, MaxViewersPerAddress)
	var ws []*watcher
	for i := range 3 {
		w := watch(t, h, fmt.Sprintf("10.0.0.%d", i), "product-123", "product-789")
		w.next(t)
		ws = append(ws, w)
	}
	h.Close()

	t.Run("every watch ends with Unavailable", func(t *testing.T) {
		for _, w := range ws {
			wantCode(t, w.ended(t), codes.Unavailable)
		}
		testutil.WaitFor(t, "every slot to be freed", func() bool { return h.Viewers() == 0 })
	})
	t.Run("a watch after Close is refused with Unavailable", func(t *testing.T) {
		wantCode(t, watch(t, h, "10.0.0.9", "product-123").ended(t), codes.Unavailable)
	})
}

func TestCancelEndsOneWatch(t *testing.T) {
	h, cat, _ := startHub(t, 2)
	kept := watch(t, h, "10.0.0.1", "product-123")
	leaving := watch(t, h, "10.0.0.1", "product-789")
	kept.next(t)
	leaving.next(t)

	t.Run("the cancelled watch ends with Canceled and the other goes on", func(t *testing.T) {
		leaving.stop()
		wantCode(t, leaving.ended(t), codes.Canceled)
		adjust(t, cat, "product-123", -1)
		kept.waitFor(t, "product-123", 99)
	})
	t.Run("its address's slot is free again", func(t *testing.T) {
		if got := h.Viewers(); got != 1 {
			t.Errorf("viewers = %d, want 1", got)
		}
		watch(t, h, "10.0.0.1", "product-789").next(t) // refused if the slot were still held
	})
	t.Run("a product nobody watches is dropped upstream after the linger", func(t *testing.T) {
		kept.stop()
		testutil.WaitFor(t, "product-123 to be dropped", func() bool { return cat.Stock.Watchers("product-123") == 0 })
	})
}
