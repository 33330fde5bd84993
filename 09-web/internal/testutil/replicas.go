package testutil

import (
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"
)

// StartCatalogOn serves the sample catalog on stock, with the catalog's
// certificate: replicas started on one stock share one store, as the
// catalog processes of the Procfile do.
func StartCatalogOn(t testing.TB, pki *PKI, stock *inventory.Stock) *Service {
	t.Helper()
	return startCatalog(t, pki, catalog.NewStore(catalog.SampleProducts(), 0), stock, telemetry.Off(),
		server.Shutdown{})
}
