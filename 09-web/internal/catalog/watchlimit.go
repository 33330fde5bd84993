package catalog

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"
)

// The caps on open WatchProducts streams. Each costs the server a few tens
// of KB and a goroutine for as long as its client likes, so the server
// bounds how many it holds in all, and how many one connection may hold.
const (
	MaxWatchers        = 10_000
	MaxWatchersPerConn = 32
)

// retryWatchAfter is what a refused watcher is told to wait: watchers come
// and go, so a slot may soon be free.
const retryWatchAfter = 5 * time.Second

// WatchLimit counts open watchers, in all and per connection, and refuses
// one more beyond either cap.
type WatchLimit struct {
	maxTotal, maxPerConn int
	holder, share        string // what its refusals name: "server", "connection"

	mu     sync.Mutex
	total  int
	byConn map[string]int
}

// NewWatchLimit returns a limit of maxTotal watchers, maxPerConn of them on
// any one connection.
func NewWatchLimit(maxTotal, maxPerConn int) *WatchLimit {
	return NewWatchLimitOf("server", "connection", maxTotal, maxPerConn)
}

// NewWatchLimitOf is a limit whose shares are not connections: the gateway
// shares its watches out by client address. holder and share name, in the
// refusals, what holds the watches and what one share is, so that each
// refusal names the limit that refused.
func NewWatchLimitOf(holder, share string, maxTotal, maxPerShare int) *WatchLimit {
	return &WatchLimit{maxTotal: maxTotal, maxPerConn: maxPerShare, holder: holder, share: share,
		byConn: map[string]int{}}
}

// AcquireConn is Acquire for the connection ctx's call came in on. Orders
// caps its WatchOrder streams with it.
func (l *WatchLimit) AcquireConn(ctx context.Context) (release func(), err error) {
	return l.Acquire(connKey(ctx))
}

// Acquire takes a slot for a watcher on conn, or returns ResourceExhausted
// with a QuotaFailure naming the cap. Call release when the watch ends.
func (l *WatchLimit) Acquire(conn string) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.byConn[conn] >= l.maxPerConn:
		return nil, rpcerr.Exhausted(fmt.Sprintf("a %s may hold at most %d watch streams", l.share, l.maxPerConn),
			"watchers per "+l.share, retryWatchAfter)
	case l.total >= l.maxTotal:
		msg := fmt.Sprintf("the %s is holding its maximum of %d watch streams", l.holder, l.maxTotal)
		return nil, rpcerr.Exhausted(msg, "watchers per "+l.holder, retryWatchAfter)
	}
	l.total++
	l.byConn[conn]++
	var once sync.Once
	return func() { once.Do(func() { l.release(conn) }) }, nil
}

func (l *WatchLimit) release(conn string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.byConn[conn]--; l.byConn[conn] == 0 {
		delete(l.byConn, conn)
	}
}

// Open is how many watchers hold a slot now.
func (l *WatchLimit) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}
