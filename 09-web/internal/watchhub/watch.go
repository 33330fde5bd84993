package watchhub

import (
	"context"
	"fmt"
	"slices"
	"time"

	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// Watch sends the current level of each of ids, then each change, through
// send, as WatchProducts does. It runs in the caller's goroutine and
// returns when ctx ends (its status), the hub closes (Unavailable), send
// fails (that error), or the catalog does not know an id (NotFound).
// client is the viewer's address: each address holds at most a few watches.
// send must not modify the message: every viewer is sent the same one. It
// should fail once ctx ends, as a stream's Send does: a viewer blocked in
// send notices neither ctx nor Close until it returns.
//
// While the catalog is unreachable a viewer stays connected with the last
// levels it was sent; once the hub is back, it is sent whatever changed.
func (h *Hub) Watch(ctx context.Context, client string, ids []string,
	send func(*catalogv1.WatchProductsResponse) error) error {
	select {
	case <-h.closed:
		return rpcerr.ShuttingDown()
	default:
	}
	ids, err := validateIDs(ids)
	if err != nil {
		return err
	}
	// The slot comes before any call to the catalog: a refused client costs
	// the catalog nothing.
	release, err := h.slots.Acquire(client)
	if err != nil {
		return err
	}
	defer release()
	if err := h.verify(ctx, ids); err != nil {
		return err
	}
	v := newViewer(ids)
	if err := h.join(v); err != nil {
		return err
	}
	defer h.leave(v)

	buf := make([]*catalogv1.WatchProductsResponse, 0, len(ids))
	for {
		select {
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-h.closed:
			return rpcerr.ShuttingDown()
		case <-v.ready:
			if buf, err = v.take(buf[:0]); err != nil {
				return err
			}
			for i, level := range buf {
				// A slow send holds up this viewer only: the hub keeps
				// offering it levels, each replacing the last unsent one.
				if err := send(level); err != nil {
					return err
				}
				buf[i] = nil
			}
		}
	}
}

// join adds v to the viewers of its products, offering it each level the hub
// already has. A product new to the hub is watched at the planner's next
// round.
func (h *Hub) join(v *viewer) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	fresh := 0
	for _, id := range v.ids {
		if h.products[id] == nil {
			fresh++
		}
	}
	if fresh > 0 && len(h.products)+fresh > h.maxProducts {
		h.evictIdle(len(h.products) + fresh - h.maxProducts)
	}
	if fresh > 0 && len(h.products)+fresh > h.maxProducts {
		msg := fmt.Sprintf("the gateway is watching its maximum of %d products", h.maxProducts)
		return rpcerr.Exhausted(msg, "products per gateway", 5*time.Second)
	}
	for i, id := range v.ids {
		p := h.products[id]
		if p == nil {
			p = &product{id: id, viewers: map[*viewer]int{}}
			h.products[id] = p
		}
		p.viewers[v] = i
		p.idleSince = time.Time{}
		v.products[i] = p
		if p.level != nil {
			v.offer(i, p.level)
		}
	}
	if fresh > 0 {
		h.changed()
	}
	return nil
}

// evictIdle stops watching up to n products that nobody watches, those
// idle longest first: a lingering product only saves a reload's restart,
// and must never keep out a viewer of another. Call it with h.mu held.
func (h *Hub) evictIdle(n int) {
	var idle []*product
	for _, p := range h.products {
		if len(p.viewers) == 0 {
			idle = append(idle, p)
		}
	}
	slices.SortFunc(idle, func(a, b *product) int { return a.idleSince.Compare(b.idleSince) })
	for _, p := range idle[:min(n, len(idle))] {
		delete(h.products, p.id)
	}
	if len(idle) > 0 && n > 0 {
		h.changed()
	}
}

// leave removes v from its products. A product left without viewers lingers
// for a while before the planner stops watching it.
func (h *Hub) leave(v *viewer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	for _, p := range v.products {
		delete(p.viewers, v)
		if len(p.viewers) == 0 {
			p.idleSince = now
			h.changed()
		}
	}
}
