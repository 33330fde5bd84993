package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
	_ "github.com/ncruces/go-sqlite3/driver" // SQLite in pure Go (Wasm translated to Go): no cgo
)

const sqliteDriver = "sqlite3"

// sqliteDSN opens path with a busy timeout and IMMEDIATE write transactions
// (see DB.Write).
func sqliteDSN(path string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(filepath.ToSlash(path))
	return fmt.Sprintf("file:%s?_txlock=immediate&_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)",
		escaped, BusyTimeout.Milliseconds())
}

// useWAL puts the file in WAL mode, so readers never wait for the writer. The
// mode belongs to the file: the first replica to open a new one switches it.
// Two replicas creating it at once may find it locked for that moment, which
// SQLite reports at once rather than after the busy timeout, so this retries.
func (d *DB) useWAL(ctx context.Context) error {
	deadline := time.Now().Add(BusyTimeout)
	for {
		var mode string
		err := d.sql.QueryRowContext(ctx, "PRAGMA journal_mode = wal").Scan(&mode)
		switch {
		case err == nil && mode != "wal":
			return fmt.Errorf("journal mode is %s, not wal", mode)
		case err == nil:
			return nil
		case !errors.Is(err, sqlite3.BUSY) || time.Now().After(deadline):
			return fmt.Errorf("WAL mode: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
