package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Tx is a transaction. Its statements are in the common dialect.
type Tx struct {
	tx *sql.Tx
	d  *DB
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

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.d.stmt(ctx, query); st != nil {
		return tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.d.Rebind(query), args...)
}

// Query runs a query in the transaction. It is never a kept statement: a
// transaction has one connection, on which a kept statement is one cursor,
// so the same query run again while these rows are open would reset them.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.d.Rebind(query), args...)
}

// QueryRow runs a query that returns at most one row in the transaction.
// Scan the row before the transaction runs the same query again.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.d.stmt(ctx, query); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, tx.d.Rebind(query), args...)
}
