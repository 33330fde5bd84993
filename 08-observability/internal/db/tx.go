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
	// reading holds the queries whose rows Query may have left open on a kept
	// statement. That statement is one cursor on the transaction's connection,
	// so running the query again there would reset those rows.
	reading map[string]bool
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

// kept returns query's kept statement for this transaction, or nil if it
// runs unprepared, as it does once Query has run it here: those rows may
// still be open. rows says the caller is Query.
func (tx *Tx) kept(ctx context.Context, query string, rows bool) *sql.Stmt {
	tx.mu.Lock()
	busy := tx.reading[query]
	if rows && !busy {
		if tx.reading == nil {
			tx.reading = map[string]bool{}
		}
		tx.reading[query] = true
	}
	tx.mu.Unlock()
	if busy {
		return nil
	}
	if st := tx.d.stmt(ctx, query); st != nil {
		return tx.tx.StmtContext(ctx, st)
	}
	return nil
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.kept(ctx, query, false); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.d.Rebind(query), args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.kept(ctx, query, true); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, tx.d.Rebind(query), args...)
}

// QueryRow runs a query that returns at most one row in the transaction.
// Scan the row before the transaction runs the same query again.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.kept(ctx, query, false); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, tx.d.Rebind(query), args...)
}
