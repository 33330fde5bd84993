// Command server runs the ProductCatalog and OrderManagement gRPC services.
//
// It stops gracefully on Ctrl+C (SIGINT) or SIGTERM: calls in flight may
// finish, new calls are refused.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/05-auth/internal/auth"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/catalog"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/devpki"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/inventory"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/logging"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/orders"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/server"
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
	certFile := fs.String("tls-cert", filepath.Join(".dev", devpki.ServerCert), "server certificate `file` (PEM)")
	keyFile := fs.String("tls-key", filepath.Join(".dev", devpki.ServerKey), "server private key `file` (PEM)")
	pubKeyFile := fs.String("jwt-public-key", filepath.Join(".dev", devpki.SigningPubKey), "`file` of the Ed25519 public key that verifies tokens")
	plaintext := fs.Bool("insecure-plaintext", false, "serve without TLS, on a loopback address only: tokens would cross the wire readable")
	level := logging.LevelFlag(fs)
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

	log, closeLog := logging.New(stderr, level)
	defer closeLog() // deferred first, so it runs last: it writes what the buffer still holds
	pub, err := devpki.LoadPublicKey(*pubKeyFile)
	if err != nil {
		return err
	}
	verifier := auth.NewVerifier(map[string]ed25519.PublicKey{devpki.KeyID(pub): pub}, time.Now)
	var creds credentials.TransportCredentials
	if *plaintext {
		if !isLoopback(*addr) {
			return fmt.Errorf("-insecure-plaintext serves on a loopback address only (localhost, 127.0.0.1, [::1]), not %q", *addr)
		}
		log.Warn("serving PLAINTEXT: bearer tokens cross the connection unencrypted; for loopback experiments only")
	} else {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("%w (create the development certificates with: go run ./cmd/devcerts)", err)
		}
		creds = credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
	}
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
		Verifier:      verifier,
		Creds:         creds,
	})
	defer srv.Close() // stops the stream workers New started, should run ever return before Serve

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

// isLoopback reports whether addr names a loopback host. An empty host
// (":50051") means every interface, which is not loopback.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
