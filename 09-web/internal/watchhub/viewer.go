package watchhub

import (
	"sync"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// viewer is one Watch call's mailbox. It holds at most one level per
// product, the latest, so a viewer that reads slowly costs a fixed amount
// of memory and the hub never waits for it: a level is a state, not an
// event, and a newer one makes an unsent older one worthless.
type viewer struct {
	ids      []string
	products []*product    // the shared state of ids[i], for leaving
	ready    chan struct{} // holds a token while something is pending

	mu      sync.Mutex
	pending []*catalogv1.WatchProductsResponse // by index of ids; nil: nothing new
	order   []int                              // indexes pending, oldest first
	err     error                              // why the hub ended this watch
}

func newViewer(ids []string) *viewer {
	return &viewer{
		ids:      ids,
		products: make([]*product, len(ids)),
		ready:    make(chan struct{}, 1),
		pending:  make([]*catalogv1.WatchProductsResponse, len(ids)),
		order:    make([]int, 0, len(ids)),
	}
}

// offer makes level the next one to send for ids[i], replacing one not sent
// yet. It never blocks.
func (v *viewer) offer(i int, level *catalogv1.WatchProductsResponse) {
	v.mu.Lock()
	if v.pending[i] == nil {
		v.order = append(v.order, i)
	}
	v.pending[i] = level
	v.mu.Unlock()
	v.signal()
}

// fail ends the watch with err at its next read.
func (v *viewer) fail(err error) {
	v.mu.Lock()
	if v.err == nil {
		v.err = err
	}
	v.mu.Unlock()
	v.signal()
}

func (v *viewer) signal() {
	select {
	case v.ready <- struct{}{}:
	default: // already signalled
	}
}

// take appends the pending levels to buf, oldest first, and clears them;
// or it returns the error that ended the watch.
func (v *viewer) take(buf []*catalogv1.WatchProductsResponse) ([]*catalogv1.WatchProductsResponse, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.err != nil {
		return buf, v.err
	}
	for _, i := range v.order {
		buf = append(buf, v.pending[i])
		v.pending[i] = nil
	}
	v.order = v.order[:0]
	return buf, nil
}

// held is how many levels wait to be sent. Tests use it.
func (v *viewer) held() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.order)
}
