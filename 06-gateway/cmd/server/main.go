// Command server runs the ProductCatalog and OrderManagement gRPC services,
// and the same APIs over REST/JSON through grpc-gateway.
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
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/learn-grpc/learn-grpc/06-gateway/internal/auth"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/catalog"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/devpki"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/gateway"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/inventory"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/logging"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/orders"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/server"
	"github.com/learn-grpc/learn-grpc/06-gateway/openapi"
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
	units := fs.Int("stock", 0, "start every product with `N` units instead of the sample's, for load tests")
	trackInterval := fs.Duration("track-interval", time.Second, "time between a tracked order's status changes")
	certFile := fs.String("tls-cert", filepath.Join(".dev", devpki.ServerCert), "server certificate `file` (PEM)")
	keyFile := fs.String("tls-key", filepath.Join(".dev", devpki.ServerKey), "server private key `file` (PEM)")
	pubKeyFile := fs.String("jwt-public-key", filepath.Join(".dev", devpki.SigningPubKey), "`file` of the Ed25519 public key that verifies tokens")
	plaintext := fs.Bool("insecure-plaintext", false, "serve without TLS, on a loopback address only: tokens would cross the wire readable")
	level := logging.LevelFlag(fs)
	httpAddr := fs.String("http-addr", ":8443", "`host:port` of the REST/JSON gateway (HTTPS, or HTTP with -insecure-plaintext)")
	caFile := fs.String("tls-ca", filepath.Join(".dev", devpki.CACert), "CA `file` the gateway trusts when it calls this server's gRPC port")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: server [flags]\n\nServes the ProductCatalog and OrderManagement gRPC APIs, and the same over\nREST/JSON, with a simulated live inventory, until Ctrl+C or SIGTERM.\n\nFlags:\n")
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
	var (
		creds       credentials.TransportCredentials
		tlsConfig   *tls.Config
		gatewayDial = insecure.NewCredentials()
		scheme      = "http"
	)
	if *plaintext {
		if !isLoopback(*addr) || !isLoopback(*httpAddr) {
			return fmt.Errorf("-insecure-plaintext serves on loopback addresses only (localhost, 127.0.0.1, [::1]), not %q and %q", *addr, *httpAddr)
		}
		log.Warn("serving PLAINTEXT: bearer tokens cross the connection unencrypted; for loopback experiments only")
	} else {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("%w (create the development certificates with: go run ./cmd/devcerts)", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
		creds = credentials.NewTLS(tlsConfig)
		if gatewayDial, err = credentials.NewClientTLSFromFile(*caFile, ""); err != nil {
			return fmt.Errorf("%w (create the development CA with: go run ./cmd/devcerts)", err)
		}
		scheme = "https"
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer lis.Close() // serving closes it too; this is for a run that fails before it serves
	httpLis, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return err
	}
	defer httpLis.Close()
	stock := inventory.NewStock(catalog.StartingStock(int32(min(*units, 1_000_000_000))), time.Now)
	srv := server.New(server.Config{
		Products:      catalog.NewStore(catalog.SampleProducts(), *latency),
		Stock:         stock,
		Orders:        orders.NewMemoryStore(),
		TrackInterval: *trackInterval,
		Log:           log,
		Verifier:      verifier,
		Creds:         creds,
	})
	defer srv.Close() // stops the stream workers New started, if run fails before Serve

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

	// The gateway calls this server's own gRPC port, as any client would.
	conn, err := grpc.NewClient(dialTarget(lis.Addr()), grpc.WithTransportCredentials(gatewayDial),
		grpc.WithInitialWindowSize(server.StreamWindow), grpc.WithInitialConnWindowSize(server.ConnWindow))
	if err != nil {
		return err
	}
	defer conn.Close()
	rest, err := gateway.Handler(ctx, conn, openapi.Document)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "gRPC server listening on %s\n", lis.Addr())
	fmt.Fprintf(stdout, "REST gateway listening on %s://%s\n", scheme, httpLis.Addr())

	sd := server.Shutdown{Drain: *drain, Grace: *grace}
	if err := serveBoth(ctx, srv, lis, httpLis, rest, tlsConfig, sd, log); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("server stopped")
	return nil
}

// serveBoth serves gRPC on lis and REST on httpLis until ctx ends or
// either side fails; either failing stops the other, at once. On a stop
// signal the gateway drains first, once the streams have ended and before
// the gRPC server it calls stops taking calls, so that a REST request in
// flight can still finish.
func serveBoth(ctx context.Context, srv *server.Server, lis, httpLis net.Listener, rest http.Handler,
	tlsConfig *tls.Config, sd server.Shutdown, log *slog.Logger) error {
	ctx, restFailed := context.WithCancel(ctx)
	defer restFailed()
	restCtx, stopREST := context.WithCancel(context.Background())
	var restErr error
	restDone := make(chan struct{})
	go func() {
		defer close(restDone)
		restErr = gateway.Serve(restCtx, httpLis, rest, tlsConfig, sd.Grace, log)
		restFailed() // or stopped: either way, the gRPC side stops too
	}()
	stopGateway := func() { stopREST(); <-restDone }
	sd.BeforeStop = stopGateway
	err := srv.Serve(ctx, lis, sd)
	stopGateway()
	return errors.Join(err, restErr)
}

// dialTarget is the address the gateway dials to reach lis: "localhost"
// when lis listens on every interface, since that is a name the server's
// certificate holds.
func dialTarget(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
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
