package watchhub

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// checkTimeout bounds one GetProduct that asks the catalog whether an id
// exists.
const checkTimeout = 10 * time.Second

// MaxChecks bounds the GetProduct checks in flight. A check outlives a
// viewer that leaves, so viewers that come and go with new ids could
// otherwise pile calls onto the catalog connection, whose 100 streams the
// unary calls need too. A check waits up to CheckWait for its turn, so that
// a burst of new ids is served rather than refused.
const (
	MaxChecks = 8
	CheckWait = time.Second
)

// validateIDs applies the catalog's rules to a viewer's ids, so a viewer
// hears what a direct WatchProducts would say: 1 to 50 ids, each well
// formed, repeats ignored, order kept.
func validateIDs(raw []string) ([]string, error) {
	switch {
	case len(raw) == 0:
		return nil, rpcerr.Invalid(rpcerr.Violation{Field: "product_ids",
			Description: "at least one product id is required"})
	case len(raw) > catalog.MaxWatchedProducts:
		return nil, rpcerr.Invalid(rpcerr.Violation{Field: "product_ids",
			Description: fmt.Sprintf("at most %d products can be watched at once, got %d",
				catalog.MaxWatchedProducts, len(raw))})
	}
	ids := make([]string, 0, len(raw))
	for i, id := range raw {
		id = strings.TrimSpace(id)
		if v, ok := rpcerr.CheckID(fmt.Sprintf("product_ids[%d]", i), "product", id); !ok {
			return nil, rpcerr.Invalid(v)
		}
		// A linear scan beats a map for at most 50 short ids.
		if !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func contains(ids []string, id string) bool {
	for _, have := range ids {
		if have == id {
			return true
		}
	}
	return false
}

// verify asks the catalog about each id the hub has not seen exist, so that
// a made-up id never reaches a stream that other viewers share: the catalog
// would end that whole stream with NotFound.
func (h *Hub) verify(ctx context.Context, ids []string) error {
	for _, id := range ids {
		h.mu.Lock()
		known := h.known[id]
		h.mu.Unlock()
		if known {
			continue
		}
		if err := h.check(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// check asks GetProduct once however many viewers wait for the same id, as
// thousands do when the gateway starts. The call runs on the hub's context,
// so a viewer that leaves does not fail the others waiting.
func (h *Hub) check(ctx context.Context, id string) error {
	answer := h.checks.DoChan(id, func() (any, error) {
		if err := h.checkTurn(); err != nil {
			return nil, err
		}
		defer func() { <-h.checking }()
		callCtx, cancel := context.WithTimeout(h.ctx, checkTimeout)
		defer cancel()
		_, err := h.client.GetProduct(callCtx, &catalogv1.GetProductRequest{Id: id})
		if err == nil {
			h.mu.Lock()
			h.known[id] = true
			h.mu.Unlock()
		}
		return nil, err
	})
	select {
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	case <-h.closed:
		return rpcerr.ShuttingDown()
	case res := <-answer:
		if res.Err == errChecksBusy || res.Err == errHubClosed {
			return res.Err
		}
		if res.Err != nil && h.ctx.Err() != nil { // the call Close cancelled: no fault of the catalog's
			return errHubClosed
		}
		switch code := status.Code(res.Err); code {
		case codes.OK:
			return nil
		case codes.NotFound:
			return res.Err // the catalog's own status, naming the id it does not know
		default:
			h.log.WarnContext(ctx, "cannot check a product with the catalog", "code", code.String())
			return errCatalogUnreachable
		}
	}
}

// checkTurn takes one of the MaxChecks tokens, waiting up to checkWait.
func (h *Hub) checkTurn() error {
	turn := time.NewTimer(h.checkWait)
	defer turn.Stop()
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	select {
	case h.checking <- struct{}{}:
		return nil
	case <-turn.C:
		return errChecksBusy
	case <-h.closed:
		return errHubClosed
	}
}

// errHubClosed ends a check that the hub's Close cut short.
var errHubClosed = rpcerr.ShuttingDown()

// errChecksBusy is what a new viewer hears when MaxChecks were in flight
// for all of CheckWait.
var errChecksBusy = rpcerr.Unavailable("too many products are being checked with the catalog; try again",
	time.Second)

// errCatalogUnreachable is what a new viewer hears when the catalog cannot
// say whether its products exist.
var errCatalogUnreachable = rpcerr.Unavailable("cannot reach the catalog; try again", time.Second)
