// Package db opens the database a service keeps its state in: a SQLite file
// by default, so the lab needs only Go, or PostgreSQL when -db names a
// postgres:// URL. Both run the same SQL, written once in a small common
// dialect that Rebind adapts.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// BusyTimeout is how long a SQLite write waits for another process's write
// to finish before it fails: replicas sharing one file take turns.
const BusyTimeout = 10 * time.Second

// Dialect says which database a DB talks to.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

// DB is an open database. Its methods take SQL in the common dialect (see
// Rebind) and are safe for concurrent use.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	// writer, on SQLite, lets one write transaction of this process run at a
	// time: the others wait here instead of polling the file lock with
	// SQLite's sleeping busy handler.
	writer chan struct{}
	stmts  *statements // on SQLite
}

// IsPostgres reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// MaxPostgresConns bounds one process's connections to PostgreSQL, whose
// server allows 100 in all by default. Writes queue on the stock feed's row
// anyway, so more connections would only wait there.
const MaxPostgresConns = 10

// Open opens the database dsn names, a postgres:// URL or a SQLite file path
// (its directory is created), and checks that it answers.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, errors.New("no database given")
	}
	var d *DB
	if IsPostgres(dsn) {
		db, err := sql.Open(postgresDriver, dsn)
		if err != nil {
			return nil, err
		}
		// A call holds a connection for its transaction, and one client may
		// have 100 calls open: bounded, a caller waits for a connection
		// instead of taking the server's last ones from every other process.
		db.SetMaxOpenConns(MaxPostgresConns)
		db.SetMaxIdleConns(MaxPostgresConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		d = &DB{sql: db, dialect: Postgres}
	} else {
		if err := os.MkdirAll(filepath.Dir(dsn), 0o755); err != nil {
			return nil, fmt.Errorf("database directory: %w", err)
		}
		db, err := sql.Open(sqliteDriver, sqliteDSN(dsn))
		if err != nil {
			return nil, err
		}
		d = &DB{sql: db, dialect: SQLite, writer: make(chan struct{}, 1),
			stmts: &statements{m: map[string]*sql.Stmt{}}}
	}
	err := d.sql.PingContext(ctx)
	if err == nil && d.dialect == SQLite {
		err = d.useWAL(ctx)
	}
	if err != nil {
		d.sql.Close()
		return nil, fmt.Errorf("open %s database: %w", d.dialect, err)
	}
	return d, nil
}

// Dialect returns which database d is.
func (d *DB) Dialect() Dialect { return d.dialect }

// Close closes the database.
func (d *DB) Close() error {
	d.stmts.close()
	return d.sql.Close()
}

// Exec runs a statement outside any transaction.
func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := d.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return d.sql.ExecContext(ctx, d.Rebind(query), args...)
}

// Query runs a query outside any transaction.
func (d *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := d.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.sql.QueryContext(ctx, d.Rebind(query), args...)
}

// QueryRow runs a query that returns at most one row.
func (d *DB) QueryRow(ctx context.Context, query string, args ...any) *Row {
	if st := d.stmt(ctx, query); st != nil {
		return &Row{row: st.QueryRowContext(ctx, args...)}
	}
	return &Row{row: d.sql.QueryRowContext(ctx, d.Rebind(query), args...)}
}
