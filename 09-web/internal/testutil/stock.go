package testutil

import (
	"path/filepath"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
)

// NewStock returns the sample stock in a store of its own, a SQLite file in
// the test's temporary folder, closed when the test ends.
func NewStock(t testing.TB) *inventory.Stock {
	t.Helper()
	return NewStockOf(t, catalog.SampleStock())
}

// NewStockOf is NewStock with units of each product instead of the sample's.
func NewStockOf(t testing.TB, units map[string]int32) *inventory.Stock {
	t.Helper()
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := inventory.Migrate(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	stock, err := inventory.Open(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stock.Seed(t.Context(), units); err != nil {
		t.Fatal(err)
	}
	return stock
}
