package db

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

func openSQLite(t *testing.T) *DB {
	t.Helper()
	d, err := Open(t.Context(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestSQLiteStatementsArePreparedOnce(t *testing.T) {
	d := openSQLite(t)
	if _, err := d.Exec(t.Context(), "CREATE TABLE t (n BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	const insert, sum = "INSERT INTO t (n) VALUES (?)", "SELECT COALESCE(SUM(n), 0) FROM t"
	err := d.Write(t.Context(), func(tx *Tx) error {
		for i := range 3 {
			if _, err := tx.Exec(t.Context(), insert, i+1); err != nil {
				return err
			}
		}
		var got int
		if err := tx.QueryRow(t.Context(), sum).Scan(&got); err != nil {
			return err
		}
		if got != 6 {
			t.Errorf("inside the transaction the sum is %d, want 6", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got int
	if err := d.QueryRow(t.Context(), sum).Scan(&got); err != nil || got != 6 {
		t.Errorf("after the commit the sum is %d (%v), want 6", got, err)
	}
	first := d.stmts.m[insert]
	if first == nil || d.stmts.m[sum] == nil {
		t.Fatalf("kept %d statements, want the insert and the sum among them", len(d.stmts.m))
	}
	if _, err := d.Exec(t.Context(), insert, 4); err != nil {
		t.Fatal(err)
	}
	if d.stmts.m[insert] != first {
		t.Error("the insert was prepared again, want the statement kept")
	}
}

func TestSQLiteKeepsAtMostMaxStatements(t *testing.T) {
	d := openSQLite(t)
	for i := range maxStatements + 10 {
		var got int
		if err := d.QueryRow(t.Context(), fmt.Sprintf("SELECT %d + ?", i), 1).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("query %d returned %d (%v), want %d", i, got, err, i+1)
		}
	}
	if n := len(d.stmts.m); n != maxStatements {
		t.Errorf("kept %d statements, want %d", n, maxStatements)
	}
}

func TestAScriptOfSeveralStatementsRunsUnprepared(t *testing.T) {
	d := openSQLite(t)
	const script = "CREATE TABLE t (n BIGINT NOT NULL); INSERT INTO t (n) VALUES (7)"
	if _, err := d.Exec(t.Context(), script); err != nil {
		t.Fatal(err)
	}
	var got int
	if err := d.QueryRow(t.Context(), "SELECT n FROM t").Scan(&got); err != nil || got != 7 {
		t.Errorf("the script's insert gave %d (%v), want 7", got, err)
	}
	if _, ok := d.stmts.m[script]; ok {
		t.Error("the script was kept as a statement, want it run unprepared")
	}
}

func TestAQueryOpenInATransactionIsNotDisturbedByRunningItAgain(t *testing.T) {
	d := numbers(t)
	const query = "SELECT n FROM t WHERE n >= ? ORDER BY n"
	pairs := 0
	err := d.Read(t.Context(), func(tx *Tx) error {
		outer, err := tx.Query(t.Context(), query, 0)
		if err != nil {
			return err
		}
		defer outer.Close()
		for rows := 0; outer.Next(); rows++ {
			if rows == 5 {
				return fmt.Errorf("the outer query gave more than its 5 rows")
			}
			inner, err := tx.Query(t.Context(), query, 0)
			if err != nil {
				return err
			}
			for inner.Next() {
				pairs++
			}
			inner.Close()
			var first int
			if err := tx.QueryRow(t.Context(), query, 0).Scan(&first); err != nil || first != 0 {
				return fmt.Errorf("the same query's first row is %d (%v), want 0", first, err)
			}
		}
		return outer.Err()
	})
	if err != nil || pairs != 25 {
		t.Errorf("the nested queries gave %d pairs (%v), want 25", pairs, err)
	}
}

func TestABlankOrCommentOnlyStatementRunsAndIsNotKept(t *testing.T) {
	d := openSQLite(t)
	for _, query := range []string{"", "  ;  ", "-- PostgreSQL only", "/* nothing */"} {
		for range 2 {
			if _, err := d.Exec(t.Context(), query); err != nil {
				t.Errorf("Exec(%q) = %v, want nothing done", query, err)
			}
		}
		if _, ok := d.stmts.m[query]; ok {
			t.Errorf("%q was kept as a statement", query)
		}
	}
}

// numbers opens a database whose table t holds 0 to 4.
func numbers(t *testing.T) *DB {
	t.Helper()
	d := openSQLite(t)
	if _, err := d.Exec(t.Context(), "CREATE TABLE t (n BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for n := range 5 {
		if _, err := d.Exec(t.Context(), "INSERT INTO t (n) VALUES (?)", n); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func TestCallsOfOneTransactionNeverShareAStatementsCursor(t *testing.T) {
	const one, from = "SELECT n FROM t WHERE n = ?", "SELECT n FROM t WHERE n >= ? ORDER BY n"
	t.Run("two rows scanned after both queries are their own", func(t *testing.T) {
		err := numbers(t).Read(t.Context(), func(tx *Tx) error {
			r1, r2 := tx.QueryRow(t.Context(), one, 1), tx.QueryRow(t.Context(), one, 2)
			var a, b int
			if err := errors.Join(r1.Scan(&a), r2.Scan(&b)); err != nil || a != 1 || b != 2 {
				t.Errorf("the rows are %d and %d (%v), want 1 and 2", a, b, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a row not yet scanned survives a query of the same SQL", func(t *testing.T) {
		err := numbers(t).Read(t.Context(), func(tx *Tx) error {
			row := tx.QueryRow(t.Context(), from, 3)
			rows, err := tx.Query(t.Context(), from, 0)
			if err != nil {
				return err
			}
			defer rows.Close()
			var got []int
			for rows.Next() {
				var n int
				if err := rows.Scan(&n); err != nil {
					return err
				}
				got = append(got, n)
			}
			var first int
			if err := row.Scan(&first); err != nil || first != 3 || len(got) != 5 {
				t.Errorf("the row is %d (%v) and the rows %v, want 3 and 0 to 4", first, err, got)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("an update not yet scanned still happens when the same update runs", func(t *testing.T) {
		d := numbers(t)
		const add = "UPDATE t SET n = n + 100 WHERE n = ? RETURNING n"
		err := d.Write(t.Context(), func(tx *Tx) error {
			row := tx.QueryRow(t.Context(), add, 3)
			if _, err := tx.Exec(t.Context(), add, 4); err != nil {
				return err
			}
			var n int
			return row.Scan(&n)
		})
		var sum int
		if err := errors.Join(err, d.QueryRow(t.Context(), "SELECT SUM(n) FROM t").Scan(&sum)); err != nil || sum != 210 {
			t.Errorf("the numbers add up to %d (%v), want 210: both updates", sum, err)
		}
	})
	t.Run("goroutines sharing a transaction each get their own row", func(t *testing.T) {
		var wrong atomic.Int64
		err := numbers(t).Read(t.Context(), func(tx *Tx) error {
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					for range 200 {
						var n int
						if err := tx.QueryRow(t.Context(), one, g).Scan(&n); err != nil || n != g {
							wrong.Add(1)
						}
					}
				})
			}
			wg.Wait()
			return nil
		})
		if err != nil || wrong.Load() != 0 {
			t.Errorf("%d of 800 rows were wrong (%v), want none", wrong.Load(), err)
		}
	})
}

// Close closes the cache before the database, while calls may still run: a
// statement one of them prepares after that must not be kept, or it leaks.
func TestAStatementPreparedAfterCloseIsNotKept(t *testing.T) {
	d := openSQLite(t)
	d.stmts.close()
	if st := d.stmt(t.Context(), "SELECT 1"); st != nil || len(d.stmts.m) != 0 {
		t.Errorf("after close, stmt gave %v and the cache holds %d, want nil and 0", st, len(d.stmts.m))
	}
}
