// Command orders serves OrderManagementService. It keeps the orders in a
// database of its own (-db) and asks the catalog service for prices and
// stock, over mutual TLS, on the caller's deadline.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"time"

	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/catalogclient"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/cli"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/db"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/orders"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/server"

	ordersv1 "github.com/learn-grpc/learn-grpc/08-observability/gen/ecommerce/orders/v1"
)

func main() { cli.Main("orders", run) }

// settleAfter is how old an order still being placed must be for the relay
// to settle it as failed; tests shorten it.
var settleAfter = orders.SettleAfter

// run is main with its inputs made explicit, so tests can start and stop the
// service in-process. The listening line goes to stdout; logs to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("orders", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":50051", "`host:port` to listen on; port 0 picks a free port")
	catalogAt := fs.String("catalog", "localhost:50061",
		"the catalog: a gRPC `target` (dns:///catalog:50061) or a comma-separated list of host:port replicas")
	dsn := fs.String("db", filepath.Join(".dev", "orders.db"), "where the orders are kept: a SQLite `file` "+
		"(created if missing) or a postgres:// URL, which replicas of orders may share")
	trackInterval := fs.Duration("track-interval", time.Second, "time between a tracked order's status changes")
	healthAddr := cli.AddHealthAddr(fs)
	metricsAddr := cli.AddMetricsAddr(fs)
	common := cli.AddCommon(fs, "orders")
	cli.Usage(fs, "Serves the orders over gRPC until Ctrl+C or SIGTERM, calling the catalog\nservice for prices and stock.")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *trackInterval <= 0 {
		return fmt.Errorf("-track-interval must be positive, got %s", *trackInterval)
	}
	log, closeLog := common.Logger(stderr)
	defer closeLog() // deferred first, so it runs last: it writes what the buffer still holds
	tel, stopTelemetry, err := cli.Telemetry(ctx, "orders", *metricsAddr, log)
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
	asOrders, err := common.TLS.ClientCreds()
	if err != nil {
		return err
	}
	conn, err := catalogclient.Dial(*catalogAt, asOrders, tel.DialOption())
	if err != nil {
		return fmt.Errorf("-catalog: %w", err)
	}
	defer conn.Close()
	database, err := db.Open(ctx, *dsn)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	defer database.Close()
	store, err := orders.OpenStore(ctx, database)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	log.Info("orders store ready", "db", database.Dialect().String())
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	remote := catalogclient.New(conn)
	// The relay gives back the stock of orders that failed while the
	// catalog could not be told. It stops when run returns, and run waits
	// for it, so nothing uses the database after it is closed.
	relayCtx, stopRelay := context.WithCancel(ctx)
	var relay sync.WaitGroup
	relay.Go(func() {
		(&orders.Relay{Store: store, Stock: remote, Log: log, SettleAfter: settleAfter}).Run(relayCtx)
	})
	defer relay.Wait()
	defer stopRelay()
	srv := server.New(server.Config{
		Log:       log,
		Verifier:  verifier,
		Creds:     credentials.NewTLS(tlsConfig),
		Telemetry: tel,
	})
	defer srv.Close() // stops the stream workers New started, if run fails before Serve
	instruments := tel.Instruments()
	ordersv1.RegisterOrderManagementServiceServer(srv, orders.NewService(orders.Config{
		Orders:        store,
		Stock:         remote,
		TrackInterval: *trackInterval,
		Stopping:      srv.Stopping(),
		Log:           log,
		Trackers:      instruments.Trackers,
	}))
	if err := cli.ListenHealth(srv, *healthAddr); err != nil {
		lis.Close()
		return err
	}
	fmt.Fprintf(stdout, "gRPC server listening on %s\n", lis.Addr())
	if err := srv.Serve(ctx, lis, common.Shutdown()); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("orders stopped")
	return nil
}
