package watchhub

import (
	"maps"
	"slices"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
)

// plan keeps the upstream streams matching the products viewers want. It
// runs when that set changes and now and then to drop products nobody has
// watched for the linger time.
func (h *Hub) plan() {
	defer h.wg.Done()
	tick := time.NewTicker(max(h.linger/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-h.wake:
		case <-tick.C:
		}
		h.mu.Lock()
		h.replan(time.Now())
		h.mu.Unlock()
	}
}

// replan drops the products that lingered long enough and watches the rest
// in as few streams as it can without restarting those that need no change:
// a new product joins a stream with room, or else a new stream. Every
// stream is full before another opens, so n products take at most
// ceil(n/50) streams. Call it with h.mu held.
func (h *Hub) replan(now time.Time) {
	for id, p := range h.products {
		if len(p.viewers) == 0 && !p.idleSince.IsZero() && now.Sub(p.idleSince) >= h.linger {
			delete(h.products, id)
		}
	}
	watched := map[*upstream][]string{}
	var unplanned []string
	for id, p := range h.products {
		if p.stream != nil && h.streams[p.stream] {
			watched[p.stream] = append(watched[p.stream], id)
		} else {
			unplanned = append(unplanned, id)
		}
	}
	slices.Sort(unplanned)
	// A snapshot, since starting a stream adds to h.streams.
	for _, u := range slices.Collect(maps.Keys(h.streams)) {
		ids := watched[u]
		kept := len(ids)
		room := min(catalog.MaxWatchedProducts-kept, len(unplanned))
		ids, unplanned = append(ids, unplanned[:room]...), unplanned[room:]
		if !u.ended && kept == len(u.ids) && room == 0 {
			continue // the same products as before: leave the stream alone
		}
		// The new stream opens before the old one is cancelled; the old one's
		// last levels, if any, are ignored (see deliver).
		if len(ids) > 0 {
			slices.Sort(ids)
			h.start(ids)
		}
		u.cancel()
		delete(h.streams, u)
	}
	for len(unplanned) > 0 {
		n := min(catalog.MaxWatchedProducts, len(unplanned))
		h.start(unplanned[:n:n])
		unplanned = unplanned[n:]
	}
}

// upstreams is how many streams the hub holds to the catalog. Tests use it.
func (h *Hub) upstreams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.streams)
}
