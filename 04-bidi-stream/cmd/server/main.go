// Command server runs the ProductCatalog and OrderManagement gRPC services.
//
// It stops gracefully on Ctrl+C (SIGINT) or SIGTERM: calls in flight may
// finish, new calls are refused.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/learn-grpc/learn-grpc/04-bidi-stream/internal/catalog"
	"github.com/learn-grpc/learn-grpc/04-bidi-stream/internal/inventory"
	"github.com/learn-grpc/learn-grpc/04-bidi-stream/internal/orders"
	"github.com/learn-grpc/learn-grpc/04-bidi-stream/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "server:", err)
		}
		os.Exit(2)
	}
}

// run is main with its inputs made explicit, so tests can start and stop the
// server in-process. The listening line goes to stdout (it is the server's
// answer to "where are you?"); logs go to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":50051", "`host:port` to listen on; port 0 picks a free port")
	latency := fs.Duration("latency", 0, "simulated storage `delay` per call, to watch deadlines expire")
	grace := fs.Duration("shutdown-timeout", 10*time.Second, "how long calls in flight may run after a stop signal")
	drain := fs.Duration("drain-delay", 0, "after a stop signal, how long to keep serving while health says NOT_SERVING")
	interval := fs.Duration("update-interval", time.Second, "how often the simulated shop sells and restocks")
	trackInterval := fs.Duration("track-interval", time.Second, "time between a tracked order's status changes")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: server [flags]\n\nServes the ProductCatalog and OrderManagement gRPC APIs, with a simulated\nlive inventory, until Ctrl+C or SIGTERM.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *interval <= 0 || *trackInterval <= 0 {
		return fmt.Errorf("-update-interval and -track-interval must be positive, got %s and %s", *interval, *trackInterval)
	}

	log := slog.New(slog.NewTextHandler(stderr, nil))
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	stock := inventory.NewStock(catalog.SampleStock(), time.Now)
	srv := server.New(server.Config{
		Products:      catalog.NewStore(catalog.SampleProducts(), *latency),
		Stock:         stock,
		Orders:        orders.NewMemoryStore(),
		TrackInterval: *trackInterval,
		Log:           log,
	})

	// The simulated shop floor is the one source of stock changes. It stops
	// when run returns, however it returns (a stop signal, or serving that
	// failed), and run waits for it, so nothing outlives the server.
	shopCtx, stopShop := context.WithCancel(ctx)
	var shop sync.WaitGroup
	shop.Go(func() {
		inventory.Simulate(shopCtx, stock, *interval, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	})
	defer shop.Wait()
	defer stopShop()

	fmt.Fprintf(stdout, "gRPC server listening on %s\n", lis.Addr())
	if err := srv.Serve(ctx, lis, server.Shutdown{Drain: *drain, Grace: *grace}); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("server stopped")
	return nil
}
