package db_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
	"github.com/learn-grpc/learn-grpc/09-web/internal/db/dbtest"
)

// TestOneProcessHoldsAFewPostgresConnections runs three times as many
// transactions at once as the pool allows: they wait for a connection, and
// the server never sees more than MaxPostgresConns from this process, so
// one busy service cannot take every connection the server has.
func TestOneProcessHoldsAFewPostgresConnections(t *testing.T) {
	k := dbtest.Kinds[1] // PostgreSQL: SQLite has no server to exhaust
	dsn := k.DSN(t)
	busy, watcher := k.OpenDSN(t, dsn), k.OpenDSN(t, dsn)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var peak atomic.Int64
	stop := make(chan struct{})
	var watching sync.WaitGroup
	watching.Go(func() {
		for {
			var n int64
			err := watcher.QueryRow(ctx,
				"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(&n)
			if err == nil && n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	var calls sync.WaitGroup
	for range 3 * db.MaxPostgresConns {
		calls.Go(func() {
			_ = busy.Read(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, "SELECT pg_sleep(0.2)")
				return err
			})
		})
	}
	calls.Wait()
	close(stop)
	watching.Wait()
	if got := peak.Load(); got > db.MaxPostgresConns || got == 0 {
		t.Errorf("the server saw %d connections from one process at once, want 1 to %d", got, db.MaxPostgresConns)
	}
}
