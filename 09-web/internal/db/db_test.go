package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
	"github.com/learn-grpc/learn-grpc/09-web/internal/db/dbtest"
)

var steps = []db.Migration{
	{Version: 1, Name: "counters", SQL: "CREATE TABLE counters (name TEXT PRIMARY KEY, n BIGINT NOT NULL)"},
	{Version: 2, Name: "one counter", SQL: "INSERT INTO counters (name, n) VALUES ('runs', 0);\n" +
		"UPDATE counters SET n = n + 1 WHERE name = 'runs'"},
}

func TestMigrationsApplyOnceWhenReplicasStartTogether(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		dsn := k.DSN(t)
		const replicas = 4
		applied := make([]int, replicas)
		errs := make([]error, replicas)
		var wg sync.WaitGroup
		for i := range replicas {
			wg.Go(func() {
				d, err := db.Open(t.Context(), dsn) // a pool of its own, as a process has
				if err != nil {
					errs[i] = err
					return
				}
				defer d.Close()
				applied[i], errs[i] = d.Migrate(t.Context(), "test", steps)
			})
		}
		wg.Wait()
		total := 0
		for i := range replicas {
			if errs[i] != nil {
				t.Fatalf("replica %d: %v", i, errs[i])
			}
			total += applied[i]
		}
		if total != len(steps) {
			t.Errorf("replicas applied %v steps, %d in all; want %d in all", applied, total, len(steps))
		}
		d := k.OpenDSN(t, dsn)
		if got := count(t, d, "SELECT n FROM counters WHERE name = 'runs'"); got != 1 {
			t.Errorf("the second step ran %d times, want 1", got)
		}
		if got := count(t, d, "SELECT COUNT(*) FROM schema_migrations WHERE component = 'test'"); got != len(steps) {
			t.Errorf("%d migrations recorded, want %d", got, len(steps))
		}
	})
}

func TestMigrateAppliesOnlyNewSteps(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		d := k.Open(t)
		if n, err := d.Migrate(t.Context(), "test", steps[:1]); err != nil || n != 1 {
			t.Fatalf("first Migrate = %d, %v; want 1, nil", n, err)
		}
		if n, err := d.Migrate(t.Context(), "test", steps); err != nil || n != 1 {
			t.Fatalf("second Migrate = %d, %v; want 1, nil", n, err)
		}
		if n, err := d.Migrate(t.Context(), "test", steps); err != nil || n != 0 {
			t.Fatalf("third Migrate = %d, %v; want 0, nil", n, err)
		}
		// Another component keeps its own versions in the same table.
		other := []db.Migration{{Version: 1, Name: "other", SQL: "CREATE TABLE other (id TEXT PRIMARY KEY)"}}
		if n, err := d.Migrate(t.Context(), "other", other); err != nil || n != 1 {
			t.Fatalf("Migrate of another component = %d, %v; want 1, nil", n, err)
		}
	})
}

func TestMigrateRefusesStepsOutOfOrder(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		d := k.Open(t)
		bad := []db.Migration{{Version: 2, Name: "two first", SQL: "CREATE TABLE x (id TEXT)"}}
		if _, err := d.Migrate(t.Context(), "test", bad); err == nil {
			t.Fatal("Migrate applied a schema starting at version 2")
		}
	})
}

func TestAFailedStepLeavesNothingBehind(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		d := k.Open(t)
		broken := append(steps[:1:1], db.Migration{Version: 2, Name: "broken", SQL: "INSERT INTO nowhere VALUES (1)"})
		if _, err := d.Migrate(t.Context(), "test", broken); err == nil {
			t.Fatal("Migrate succeeded with a broken step")
		}
		if n, err := d.Migrate(t.Context(), "test", steps); err != nil || n != 2 {
			t.Fatalf("Migrate after a failed run = %d, %v; want both steps applied", n, err)
		}
	})
}

func TestWriteCommitsOrRollsBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		d := k.Open(t)
		if _, err := d.Migrate(t.Context(), "test", steps); err != nil {
			t.Fatal(err)
		}
		bump := func(tx *db.Tx) error {
			_, err := tx.Exec(t.Context(), "UPDATE counters SET n = n + ? WHERE name = ?", 10, "runs")
			return err
		}
		if err := d.Write(t.Context(), bump); err != nil {
			t.Fatal(err)
		}
		errStop := errors.New("stop")
		err := d.Write(t.Context(), func(tx *db.Tx) error { return errors.Join(bump(tx), errStop) })
		if !errors.Is(err, errStop) {
			t.Fatalf("Write = %v, want the callback's error", err)
		}
		if got := count(t, d, "SELECT n FROM counters WHERE name = 'runs'"); got != 11 {
			t.Errorf("counter = %d, want 11: the failed write must leave nothing", got)
		}
	})
}

func TestConcurrentWritesAllLand(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		dsn := k.DSN(t)
		first := k.OpenDSN(t, dsn)
		if _, err := first.Migrate(t.Context(), "test", steps); err != nil {
			t.Fatal(err)
		}
		second := k.OpenDSN(t, dsn) // as a second replica would
		const writes = 40
		var wg sync.WaitGroup
		errs := make(chan error, writes)
		for i := range writes {
			d := []*db.DB{first, second}[i%2]
			wg.Go(func() {
				errs <- d.Write(context.Background(), func(tx *db.Tx) error {
					var n int
					if err := tx.QueryRow(t.Context(), "SELECT n FROM counters WHERE name = ?", "runs").Scan(&n); err != nil {
						return err
					}
					_, err := tx.Exec(t.Context(), "UPDATE counters SET n = n + 1 WHERE name = ?", "runs")
					return err
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := count(t, first, "SELECT n FROM counters WHERE name = 'runs'"); got != writes+1 {
			t.Errorf("counter = %d, want %d", got, writes+1)
		}
	})
}

func TestNowIsTheStoresClock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, k dbtest.Kind) {
		d := k.Open(t)
		var a, b int64
		if err := d.QueryRow(t.Context(), "SELECT "+db.Now).Scan(&a); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(t.Context(), "SELECT "+db.Now).Scan(&b); err != nil {
			t.Fatal(err)
		}
		if a < 1_700_000_000_000_000 || b < a {
			t.Errorf("Now = %d then %d, want microseconds since 1970 that do not go back", a, b)
		}
	})
}

func count(t *testing.T, d *db.DB, query string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(t.Context(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
