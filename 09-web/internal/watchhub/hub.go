// Package watchhub lets one gateway serve thousands of stock viewers from a
// few WatchProducts streams to the catalog. The hub keeps each watched
// product's latest level and its viewers, watches the union of their
// products upstream, and hands every change to each viewer without waiting
// for any of them.
package watchhub

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

// The hub's bounds. A browser tab opens one watch, so 8 per address leaves
// room for a household behind one NAT while one script cannot take them all.
const (
	MaxViewers           = 10_000
	MaxViewersPerAddress = 8
	// MaxProducts bounds the products watched upstream: 16 streams of 50,
	// half the 32 watchers the catalog grants one connection, so REST
	// watches on the same connection still fit.
	MaxProducts = 16 * catalog.MaxWatchedProducts
	// Linger is how long a product nobody watches stays watched, so that a
	// page reload does not restart an upstream stream.
	Linger = 30 * time.Second
)

// Hub shares upstream watches among viewers. Its zero value is not usable;
// call New.
type Hub struct {
	client      catalogv1.ProductCatalogServiceClient
	log         *slog.Logger
	slots       *catalog.WatchLimit
	maxProducts int
	linger      time.Duration
	retry       backoff
	checks      singleflight.Group // one GetProduct per unverified id at a time
	checking    chan struct{}      // a token for each check in flight, MaxChecks at most
	checkWait   time.Duration      // how long a check waits for a token: CheckWait
	waiting     atomic.Int32       // checks waiting for a token

	ctx    context.Context // ends the upstream streams at Close
	cancel context.CancelFunc
	closed chan struct{}
	wake   chan struct{} // holds a token when the set of products changed
	wg     sync.WaitGroup
	once   sync.Once

	mu       sync.Mutex
	products map[string]*product // every product being watched or lingering
	known    map[string]bool     // ids the catalog said exist
	streams  map[*upstream]bool
}

// product is one product's shared state: its latest level and who wants it.
type product struct {
	id        string
	level     *catalogv1.WatchProductsResponse // nil until the catalog sends one
	viewers   map[*viewer]int                  // each viewer's index of this product
	idleSince time.Time                        // when its last viewer left
	stream    *upstream                        // the stream that watches it, nil until planned
}

// New returns a hub that watches products through client. log may be nil.
// One client address may hold perAddress viewers; 0 means
// MaxViewersPerAddress.
func New(client catalogv1.ProductCatalogServiceClient, log *slog.Logger, perAddress int) *Hub {
	return newHub(client, log, MaxViewers, cmp.Or(perAddress, MaxViewersPerAddress), MaxProducts, Linger)
}

func newHub(client catalogv1.ProductCatalogServiceClient, log *slog.Logger,
	maxViewers, perAddress, maxProducts int, linger time.Duration) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Hub{
		client: client, log: log, maxProducts: maxProducts, linger: linger, retry: defaultBackoff,
		slots:  catalog.NewWatchLimitOf("gateway", "client address", maxViewers, perAddress),
		closed: make(chan struct{}), wake: make(chan struct{}, 1),
		checking: make(chan struct{}, MaxChecks), checkWait: CheckWait,
		products: map[string]*product{}, known: map[string]bool{}, streams: map[*upstream]bool{},
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.wg.Add(1)
	go h.plan()
	return h
}

// Close ends every Watch with Unavailable and every upstream stream, and
// returns once the hub's own goroutines have stopped.
func (h *Hub) Close() {
	h.once.Do(func() {
		close(h.closed)
		h.cancel()
	})
	h.wg.Wait()
}

// Viewers is how many Watch calls hold a slot now.
func (h *Hub) Viewers() int { return h.slots.Open() }

// changed tells the planner that the set of watched products changed.
func (h *Hub) changed() {
	select {
	case h.wake <- struct{}{}:
	default: // already told
	}
}
