package inventory

import "sync"

// Subscription is one watcher's view of the stock. It buffers at most one
// level per product: the latest. Read it by waiting on Ready and calling Take.
type Subscription struct {
	stock *Stock
	ids   []string
	ready chan struct{} // holds a token while levels are pending
	done  chan struct{} // closed when the stock closes

	mu      sync.Mutex
	pending map[string]Level
	order   []string // pending product ids, oldest first
	ended   bool
	closed  sync.Once
}

func newSubscription(s *Stock, ids []string) *Subscription {
	return &Subscription{
		stock:   s,
		ids:     append([]string(nil), ids...),
		ready:   make(chan struct{}, 1),
		done:    make(chan struct{}),
		pending: make(map[string]Level, len(ids)),
	}
}

// offer records l as the product's latest level. It never blocks: if the
// watcher has not read the previous level yet, l replaces it.
func (sub *Subscription) offer(l Level) {
	sub.mu.Lock()
	if _, waiting := sub.pending[l.ProductID]; !waiting {
		sub.order = append(sub.order, l.ProductID)
	}
	sub.pending[l.ProductID] = l
	sub.mu.Unlock()
	select {
	case sub.ready <- struct{}{}:
	default: // already signalled
	}
}

// Ready is signalled when levels are waiting to be taken.
func (sub *Subscription) Ready() <-chan struct{} { return sub.ready }

// Done is closed when the stock stops serving subscriptions.
func (sub *Subscription) Done() <-chan struct{} { return sub.done }

// Take returns the pending levels, oldest change first, and clears them.
// Levels of one product come out in the order they happened, since a newer
// level only ever replaces an older one.
func (sub *Subscription) Take() []Level {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	out := make([]Level, 0, len(sub.order))
	for _, id := range sub.order {
		out = append(out, sub.pending[id])
		delete(sub.pending, id)
	}
	sub.order = sub.order[:0]
	return out
}

// Close stops the subscription. It is safe to call more than once.
func (sub *Subscription) Close() {
	sub.closed.Do(func() { sub.stock.unsubscribe(sub) })
}

func (sub *Subscription) end() {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if !sub.ended {
		sub.ended = true
		close(sub.done)
	}
}
