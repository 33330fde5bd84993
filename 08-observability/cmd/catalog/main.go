// Command catalog serves the products and their stock: ProductCatalogService
// for everyone, and InventoryService for the orders service alone, which it
// knows by its client certificate. Run several replicas behind one name, on
// one stock store (-db).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"path/filepath"
	"sync"
	"time"

	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/catalog"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/cli"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/db"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/inventory"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/server"

	catalogv1 "github.com/learn-grpc/learn-grpc/08-observability/gen/ecommerce/catalog/v1"
	inventoryv1 "github.com/learn-grpc/learn-grpc/08-observability/gen/ecommerce/inventory/v1"
)

// ConnectionAge is short on the catalog: clients that find its replicas
// through DNS look them up again when a connection ends, so a replica
// added under load gets calls within about this long.
const ConnectionAge = 2 * time.Minute

func main() { cli.Main("catalog", run) }

// run is main with its inputs made explicit, so tests can start and stop the
// service in-process. The listening line goes to stdout; logs to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":50061", "`host:port` to listen on; port 0 picks a free port")
	latency := fs.Duration("latency", 0, "simulated storage `delay` per product lookup, to watch deadlines expire")
	interval := fs.Duration("update-interval", time.Second, "how often the simulated shop sells and restocks")
	units := fs.Int("stock", 0, "seed every product with `N` units instead of the sample's, for load tests "+
		"(only a store that holds no stock yet is seeded)")
	dsn := fs.String("db", filepath.Join(".dev", "catalog.db"), "the stock store that every replica shares: "+
		"a SQLite `file` (created if missing; replicas on one machine may share it) or a postgres:// URL")
	healthAddr := cli.AddHealthAddr(fs)
	metricsAddr := cli.AddMetricsAddr(fs)
	common := cli.AddCommon(fs, "catalog")
	cli.Usage(fs, "Serves the product catalog and its stock over gRPC, with a simulated live\ninventory, until Ctrl+C or SIGTERM.")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *interval <= 0 {
		return fmt.Errorf("-update-interval must be positive, got %s", *interval)
	}
	log, closeLog := common.Logger(stderr)
	defer closeLog() // deferred first, so it runs last: it writes what the buffer still holds
	tel, stopTelemetry, err := cli.Telemetry(ctx, "catalog", *metricsAddr, log)
	if err != nil {
		return err
	}
	defer stopTelemetry()
	verifier, err := common.Verifier()
	if err != nil {
		return err
	}
	tlsConfig, err := common.TLS.ServerConfig()
	if err != nil {
		return err
	}
	store, err := db.Open(ctx, *dsn)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	defer store.Close()
	stock, err := openStock(ctx, store, int32(min(*units, 1_000_000_000)), log)
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := server.New(server.Config{
		Log:              log,
		Verifier:         verifier,
		Creds:            credentials.NewTLS(tlsConfig),
		MaxConnectionAge: ConnectionAge,
		Telemetry:        tel,
	})
	defer srv.Close() // stops the stream workers New started, if run fails before Serve
	instruments := tel.Instruments()
	products := catalog.NewStore(catalog.SampleProducts(), *latency)
	service := catalog.NewService(products, stock, log)
	if err := tel.ObserveWatchers(service.OpenWatches); err != nil {
		log.Warn("cannot report open watchers", "err", err)
	}
	catalogv1.RegisterProductCatalogServiceServer(srv, service)
	inventoryv1.RegisterInventoryServiceServer(srv, catalog.NewInventoryService(products,
		inventory.NewReservations(stock), log, instruments.Reservations, instruments.Releases))
	// At shutdown, closing the stock ends the open watches and refuses new
	// ones, so that none of them holds the graceful stop open.
	srv.OnStreamsEnd(stock.Close)

	// The simulated shop floor and the change feed stop when run returns,
	// however it returns, and run waits for them, so nothing outlives the
	// service or uses the store after it is closed.
	shopCtx, stopShop := context.WithCancel(ctx)
	var shop sync.WaitGroup
	shop.Go(func() {
		inventory.Simulate(shopCtx, stock, *interval, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	})
	shop.Go(func() { stock.Follow(shopCtx, inventory.FeedInterval, log) })
	defer shop.Wait()
	defer stopShop()

	if err := cli.ListenHealth(srv, *healthAddr); err != nil {
		lis.Close()
		return err
	}
	fmt.Fprintf(stdout, "gRPC server listening on %s\n", lis.Addr())
	if err := srv.Serve(ctx, lis, common.Shutdown()); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("catalog stopped")
	return nil
}

// openStock opens the stock store and seeds it, unless it holds stock
// already: a restarted replica must not put back what was sold.
func openStock(ctx context.Context, store *db.DB, units int32, log *slog.Logger) (*inventory.Stock, error) {
	migrated, err := inventory.Migrate(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("-db: %w", err)
	}
	stock, err := inventory.Open(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("-db: %w", err)
	}
	added, err := stock.Seed(ctx, catalog.StartingStock(units))
	if err != nil {
		return nil, fmt.Errorf("-db: seed the stock: %w", err)
	}
	log.Info("stock store ready", "db", store.Dialect().String(),
		"migrations_applied", migrated, "products_seeded", added)
	return stock, nil
}
