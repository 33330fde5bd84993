package testutil

import (
	"log/slog"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	inventoryv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/inventory/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// RegisterCatalog registers the catalog's services over products and stock
// on srv, as cmd/catalog does, and returns the reservations they hold.
func RegisterCatalog(srv *server.Server, products *catalog.Store, stock *inventory.Stock,
	log *slog.Logger) *inventory.Reservations {
	return RegisterCatalogTraced(srv, products, stock, log, telemetry.Off())
}

// RegisterCatalogTraced is RegisterCatalog with tel's instruments.
func RegisterCatalogTraced(srv *server.Server, products *catalog.Store, stock *inventory.Stock,
	log *slog.Logger, tel *telemetry.Telemetry) *inventory.Reservations {
	instruments := tel.Instruments()
	held := inventory.NewReservations(stock)
	service := catalog.NewService(products, stock, log)
	if err := tel.ObserveWatchers(service.OpenWatches); err != nil {
		log.Warn("cannot report open watchers", "err", err)
	}
	catalogv1.RegisterProductCatalogServiceServer(srv, service)
	inventoryv1.RegisterInventoryServiceServer(srv,
		catalog.NewInventoryService(products, held, log, instruments.Reservations, instruments.Releases))
	srv.OnStreamsEnd(stock.Close)
	return held
}

// Shop is every lab service behind one port, for the tests of what sits in
// front of them all (the gateway, the interceptors, the client).
type Shop struct {
	Products      *catalog.Store
	Stock         *inventory.Stock
	Orders        orders.Store
	TrackInterval time.Duration
	Log           *slog.Logger
}

// RegisterShop registers the catalog's services and orders on srv, orders
// taking the catalog's stock in the same process (LocalStock).
func RegisterShop(srv *server.Server, sh Shop) {
	held := RegisterCatalog(srv, sh.Products, sh.Stock, sh.Log)
	ordersv1.RegisterOrderManagementServiceServer(srv, orders.NewService(orders.Config{
		Orders: sh.Orders, Stock: LocalStock(held, sh.Products),
		TrackInterval: sh.TrackInterval, Stopping: srv.Stopping(), Log: sh.Log,
	}))
}
