package catalog_test

import (
	"path/filepath"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/db"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"

	inventoryv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/inventory/v1"
)

// TestAStoreThatFailsAsksForARetry: a reservation or a release that did not
// commit is Unavailable, which the orders service's retry policy retries on
// another replica, and which is safe to retry since both are keyed by order.
func TestAStoreThatFailsAsksForARetry(t *testing.T) {
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.Migrate(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	stock, err := inventory.Open(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stock.Seed(t.Context(), catalog.SampleStock()); err != nil {
		t.Fatal(err)
	}
	products := catalog.NewStore(catalog.SampleProducts(), 0)
	svc := catalog.NewInventoryService(products, inventory.NewReservations(stock), nil,
		metricnoop.Int64Counter{}, metricnoop.Int64Counter{})
	d.Close() // the store is gone

	_, err = svc.ReserveStock(t.Context(), &inventoryv1.ReserveStockRequest{OrderId: "order-1",
		Items: []*inventoryv1.StockItem{{ProductId: "product-123", Quantity: 1}}})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("ReserveStock on a failed store = %v, want Unavailable", err)
	}
	_, err = svc.ReleaseStock(t.Context(), &inventoryv1.ReleaseStockRequest{OrderId: "order-1"})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("ReleaseStock on a failed store = %v, want Unavailable", err)
	}
}
