package catalog_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	inventoryv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/inventory/v1"
)

// TestReleasesAreCountedByWhatTheyGaveBack releases one order twice, and one
// that never reserved: the metric tells the release that gave stock back
// from the ones that found nothing held.
func TestReleasesAreCountedByWhatTheyGaveBack(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	releases, err := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter("test").Int64Counter("releases")
	if err != nil {
		t.Fatal(err)
	}
	svc := catalog.NewInventoryService(catalog.NewStore(catalog.SampleProducts(), 0),
		inventory.NewReservations(testutil.NewStock(t)), nil, metricnoop.Int64Counter{}, releases)
	if _, err := svc.ReserveStock(t.Context(), &inventoryv1.ReserveStockRequest{OrderId: "order-1",
		Items: []*inventoryv1.StockItem{{ProductId: "product-123", Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	for _, order := range []string{"order-1", "order-1", "order-never-reserved"} {
		if _, err := svc.ReleaseStock(t.Context(), &inventoryv1.ReleaseStockRequest{OrderId: order}); err != nil {
			t.Fatal(err)
		}
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
				outcome, _ := p.Attributes.Value(attribute.Key("outcome"))
				got[outcome.AsString()] += p.Value
			}
		}
	}
	if got["released"] != 1 || got["nothing held"] != 2 {
		t.Errorf("releases by outcome = %v, want 1 released and 2 nothing held", got)
	}
}
