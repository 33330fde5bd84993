package db

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// A transaction must run the statements the DB keeps, not only ask for them:
// SQLite counts each statement's runs on the one connection the test allows.
func TestATransactionRunsTheStatementsKeptPrepared(t *testing.T) {
	d := openSQLite(t)
	d.sql.SetMaxOpenConns(1) // so the transaction runs where the statements were kept
	// With one connection, a query the transaction had to prepare would wait
	// for the connection it holds: the bound turns that hang into a failure.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	const (
		insert = "INSERT INTO t (n) VALUES (?)"
		sum    = "SELECT COALESCE(SUM(n), 0) FROM t"
		all    = "SELECT n FROM t"
	)
	if _, err := d.Exec(ctx, "CREATE TABLE t (n BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, insert, 0); err != nil { // each once, to keep it
		t.Fatal(err)
	}
	for _, q := range []string{sum, all} {
		if _, err := d.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	before := runs(t, d)
	var n int
	err := d.Write(ctx, func(tx *Tx) error {
		for i := range 2 {
			if _, err := tx.Exec(ctx, insert, i); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, sum).Scan(&n); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, all)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	after := runs(t, d)
	for q, want := range map[string]int{insert: 2, sum: 2, all: 1} {
		if got := total(after[q]) - total(before[q]); got != want {
			t.Errorf("the kept statement %q ran %d times in the transaction, want %d", q, got, want)
		}
	}
}

// total is how many times a query's statements ran, all of them.
func total(runs []int) int {
	n := 0
	for _, r := range runs {
		n += r
	}
	return n
}

// runs lists the statements prepared on d's connection by their SQL, each as
// how many times it has run (SQLite's STMTSTATUS_RUN).
func runs(t *testing.T, d *DB) map[string][]int {
	t.Helper()
	conn, err := d.sql.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := map[string][]int{}
	err = conn.Raw(func(c any) error {
		for st := range c.(interface{ Raw() *sqlite3.Conn }).Raw().Stmts() {
			got[st.SQL()] = append(got[st.SQL()], st.Status(sqlite3.STMTSTATUS_RUN, false))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Two calls may prepare a new query at once: one is kept, the other closed.
func TestAStatementPreparedTwiceAtOnceIsKeptOnce(t *testing.T) {
	d := openSQLite(t)
	d.sql.SetMaxOpenConns(1) // so that both are prepared on the connection the test reads
	const query = "SELECT 1"
	var other *sql.Stmt
	testHookPrepared = func() {
		testHookPrepared = nil
		other = d.stmt(t.Context(), query) // keeps its own first
	}
	t.Cleanup(func() { testHookPrepared = nil })
	got := d.stmt(t.Context(), query)
	if got == nil || got != other || d.stmts.m[query] != other {
		t.Fatalf("the call that kept its statement second got %p and the cache holds %p, want both %p",
			got, d.stmts.m[query], other)
	}
	if n := len(runs(t, d)[query]); n != 1 {
		t.Errorf("%d statements of %q are prepared, want 1: the one not kept is closed", n, query)
	}
}
