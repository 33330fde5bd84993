package watchhub

import (
	"context"
	"math/rand/v2"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// upstream is one WatchProducts stream to the catalog, for a fixed set of
// at most 50 ids. The planner replaces it when that set changes; the
// catalog sends the current levels on every new stream, so nothing is lost
// in between.
type upstream struct {
	ids    []string
	ctx    context.Context
	cancel context.CancelFunc
	ended  bool // it stopped on its own and needs replacing; guarded by Hub.mu
}

// start opens a stream for ids. Call it with h.mu held.
func (h *Hub) start(ids []string) *upstream {
	u := &upstream{ids: ids}
	u.ctx, u.cancel = context.WithCancel(h.ctx)
	h.streams[u] = true
	for _, id := range ids {
		h.products[id].stream = u
	}
	h.wg.Add(1)
	go h.follow(u)
	return u
}

// follow keeps u's stream open: after a failure it waits, longer each time
// up to a cap, and opens it again. Viewers keep their watches meanwhile.
func (h *Hub) follow(u *upstream) {
	defer h.wg.Done()
	for attempt := 0; ; attempt++ {
		got, err := h.stream(u)
		if u.ctx.Err() != nil {
			return // replaced, or the hub closed
		}
		if id, ok := unknownID(err, u.ids); ok {
			h.forget(u, id, err)
			return
		}
		if got > 0 {
			attempt = 0 // it worked for a while: start the backoff over
		}
		wait := h.retry.delay(attempt)
		h.log.Warn("upstream watch failed; opening it again", "code", status.Code(err).String(),
			"products", len(u.ids), "retry_in", wait.Round(time.Millisecond))
		timer := time.NewTimer(wait)
		select {
		case <-u.ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

// stream watches u's ids until the stream fails, and returns how many
// levels it delivered and why it ended.
func (h *Hub) stream(u *upstream) (int, error) {
	s, err := h.client.WatchProducts(u.ctx, &catalogv1.WatchProductsRequest{ProductIds: u.ids})
	if err != nil {
		return 0, err
	}
	for got := 0; ; got++ {
		resp, err := s.Recv()
		if err != nil {
			return got, err
		}
		h.deliver(u, resp)
	}
}

// deliver makes resp its product's level and offers it to each viewer. A
// level equal to the one the hub has, as a new stream sends first, is not
// news and goes to nobody. Offering never blocks, so one slow viewer cannot
// hold up the stream.
func (h *Hub) deliver(u *upstream, resp *catalogv1.WatchProductsResponse) {
	inv := resp.GetInventory()
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.products[inv.GetProductId()]
	if p == nil || p.stream != u {
		return // no longer wanted, or a replaced stream's last words
	}
	if p.level != nil && proto.Equal(p.level.GetInventory(), inv) {
		return
	}
	p.level = resp
	for v, i := range p.viewers {
		v.offer(i, resp)
	}
}

// forget handles the catalog's NotFound for id, which GetProduct had said
// exists: its viewers end with that status, and the planner opens the
// stream again without it, for the other products' viewers.
func (h *Hub) forget(u *upstream, id string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.known, id)
	if p := h.products[id]; p != nil && p.stream == u {
		for v := range p.viewers {
			v.fail(err)
		}
		delete(h.products, id)
	}
	u.ended = true
	h.changed()
}

// unknownID returns the id that err, a NotFound from the catalog, names, if
// it is one of ids.
func unknownID(err error, ids []string) (string, bool) {
	st := status.Convert(err)
	if st.Code() != codes.NotFound {
		return "", false
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ResourceInfo); ok && contains(ids, info.GetResourceName()) {
			return info.GetResourceName(), true
		}
	}
	return "", false
}

// backoff is how long to wait before the attempt-th retry: exponential,
// capped, and jittered so that streams failing together do not all come
// back at the same instant.
type backoff struct {
	base, max      time.Duration
	factor, jitter float64
}

var defaultBackoff = backoff{base: 250 * time.Millisecond, max: 5 * time.Second, factor: 1.6, jitter: 0.2}

func (b backoff) delay(attempt int) time.Duration {
	d := float64(b.base)
	for i := 0; i < attempt && d < float64(b.max); i++ {
		d *= b.factor
	}
	d = min(d, float64(b.max))
	return time.Duration(d * (1 + b.jitter*(2*rand.Float64()-1)))
}
