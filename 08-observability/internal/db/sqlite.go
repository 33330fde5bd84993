package db

import (
	"fmt"
	"path/filepath"
	"strings"

	_ "github.com/ncruces/go-sqlite3/driver" // SQLite in pure Go (Wasm translated to Go): no cgo
)

const sqliteDriver = "sqlite3"

// sqliteDSN opens path in WAL mode, so readers never wait for the writer,
// with a busy timeout and IMMEDIATE write transactions (see DB.Write).
func sqliteDSN(path string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(filepath.ToSlash(path))
	return fmt.Sprintf("file:%s?_txlock=immediate&_pragma=busy_timeout(%d)&_pragma=journal_mode(wal)"+
		"&_pragma=foreign_keys(1)", escaped, BusyTimeout.Milliseconds())
}
