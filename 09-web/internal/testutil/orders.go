package testutil

import (
	"path/filepath"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
)

// NewOrderStore returns an empty orders store, a SQLite file in the test's
// temporary folder, closed when the test ends.
func NewOrderStore(t testing.TB) *orders.DBStore {
	t.Helper()
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "orders.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	store, err := orders.OpenStore(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	return store
}
