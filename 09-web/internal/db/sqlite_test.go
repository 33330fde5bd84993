package db_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
)

// TestReplicasCreatingAFileTogetherAllOpenIt opens new SQLite files from
// several pools at once, as replicas starting on an empty .dev/ do: each
// open must succeed, and the file must be in WAL mode.
func TestReplicasCreatingAFileTogetherAllOpenIt(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("new-%d.db", round))
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() {
				d, err := db.Open(t.Context(), path)
				if err == nil {
					err = d.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, opener %d: %v", round, i, err)
			}
		}
	}
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "wal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var mode string
	if err := d.QueryRow(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode = %q, %v; want wal", mode, err)
	}
}
