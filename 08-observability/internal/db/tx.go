package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Tx is a transaction. Its statements are in the common dialect.
type Tx struct {
	tx *sql.Tx
	d  *DB
	mu sync.Mutex
	// busy holds the queries whose kept statement a call is using. It is one
	// cursor on the transaction's connection, which a second call would reset.
	busy map[string]bool
}

// Write runs fn in a read-write transaction and commits it if fn returns
// nil. On SQLite the transaction is IMMEDIATE: it takes the write lock at
// BEGIN, so two writers queue (for up to BusyTimeout) instead of one failing
// at its first write. On PostgreSQL it is READ COMMITTED: a conditional
// UPDATE waits for a row another transaction holds, then re-checks it.
func (d *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	if d.writer != nil {
		select {
		case d.writer <- struct{}{}:
			defer func() { <-d.writer }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return d.run(ctx, &sql.TxOptions{}, fn)
}

// Read runs fn in a read-only transaction: a consistent snapshot that takes
// no write lock.
func (d *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return d.run(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

func (d *DB) run(ctx context.Context, opts *sql.TxOptions, fn func(*Tx) error) error {
	tx, err := d.sql.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&Tx{tx: tx, d: d}); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ignoreDone drops the error of rolling back a transaction that is already
// over (its context ended, which rolls it back by itself).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Dialect returns which database the transaction runs on.
func (tx *Tx) Dialect() Dialect { return tx.d.dialect }

// claim returns query's kept statement for one call, which gives it back
// with release, or nil if the call runs unprepared: the query is not kept,
// or another call of this transaction holds its statement. Query's rows may
// stay open until the transaction ends, so Query never gives it back.
func (tx *Tx) claim(ctx context.Context, query string) *sql.Stmt {
	tx.mu.Lock()
	if tx.busy[query] {
		tx.mu.Unlock()
		return nil
	}
	if tx.busy == nil {
		tx.busy = map[string]bool{}
	}
	tx.busy[query] = true
	tx.mu.Unlock()
	if st := tx.d.stmt(ctx, query); st != nil {
		return tx.tx.StmtContext(ctx, st)
	}
	tx.release(query)
	return nil
}

func (tx *Tx) release(query string) {
	tx.mu.Lock()
	delete(tx.busy, query)
	tx.mu.Unlock()
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.claim(ctx, query); st != nil {
		defer tx.release(query)
		return st.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.d.Rebind(query), args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.claim(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, tx.d.Rebind(query), args...)
}

// QueryRow runs a query that returns at most one row in the transaction.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *Row {
	if st := tx.claim(ctx, query); st != nil {
		return &Row{row: st.QueryRowContext(ctx, args...), done: func() { tx.release(query) }}
	}
	return &Row{row: tx.tx.QueryRowContext(ctx, tx.d.Rebind(query), args...)}
}

// Row is the result of QueryRow. Until it is scanned, the query's kept
// statement, if it used one, stays its own.
type Row struct {
	row  *sql.Row
	done func() // gives the statement back
}

// Scan copies the row's columns into dest, as sql.Row.Scan does.
func (r *Row) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if r.done != nil {
		r.done()
		r.done = nil
	}
	return err
}
