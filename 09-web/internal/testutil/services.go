package testutil

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalogclient"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"
)

// Service is a lab service served in-process over real TCP and mutual TLS,
// as its command would serve it.
type Service struct {
	Addr  string
	Srv   *server.Server
	Stock *inventory.Stock // the catalog's
	Logs  *LockedBuffer
	// Stop starts the service's graceful stop, as SIGTERM would, without
	// waiting for it.
	Stop func()
}

// StartCatalog serves the sample catalog with the catalog's certificate.
func StartCatalog(t testing.TB, pki *PKI, latency time.Duration) *Service {
	t.Helper()
	return StartCatalogTraced(t, pki, latency, telemetry.Off())
}

// StartCatalogTraced is StartCatalog with tel's telemetry.
func StartCatalogTraced(t testing.TB, pki *PKI, latency time.Duration, tel *telemetry.Telemetry) *Service {
	t.Helper()
	return startCatalog(t, pki, latency, tel, catalog.SampleStock())
}

// StartDeepCatalog is StartCatalogTraced with stock that a benchmark
// cannot sell out.
func StartDeepCatalog(t testing.TB, pki *PKI, tel *telemetry.Telemetry) *Service {
	t.Helper()
	return startCatalog(t, pki, 0, tel, catalog.StartingStock(1_000_000_000))
}

func startCatalog(t testing.TB, pki *PKI, latency time.Duration, tel *telemetry.Telemetry, units map[string]int32) *Service {
	t.Helper()
	stock := NewStockOf(t, units)
	return serve(t, pki, "catalog", stock, server.Config{
		Products: catalog.NewStore(catalog.SampleProducts(), latency), Stock: stock, Telemetry: tel})
}

// StartOrders serves orders with its certificate, calling the catalog at
// catalogAt (an address, or a comma-separated list).
func StartOrders(t testing.TB, pki *PKI, catalogAt string) *Service {
	t.Helper()
	return StartOrdersTraced(t, pki, catalogAt, telemetry.Off())
}

// StartOrdersTraced is StartOrders with tel's telemetry, on its calls too.
func StartOrdersTraced(t testing.TB, pki *PKI, catalogAt string, tel *telemetry.Telemetry) *Service {
	t.Helper()
	creds, err := pki.Files("orders").ClientCreds()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := catalogclient.Dial(catalogAt, creds, tel.DialOption())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	remote := catalogclient.New(conn)
	return serve(t, pki, "orders", nil, server.Config{
		Orders: NewOrderStore(t), OrderStock: remote, TrackInterval: time.Second, Telemetry: tel})
}

func serve(t testing.TB, pki *PKI, name string, stock *inventory.Stock, c server.Config) *Service {
	t.Helper()
	return serveUntil(t, pki, name, stock, c, server.Shutdown{})
}

// StartDrainingCatalog is StartCatalog whose Stop keeps serving for drain
// while its health says NOT_SERVING, as a replica leaving a rollout does.
func StartDrainingCatalog(t testing.TB, pki *PKI, drain time.Duration) *Service {
	t.Helper()
	stock := NewStock(t)
	return serveUntil(t, pki, "catalog", stock, server.Config{
		Products: catalog.NewStore(catalog.SampleProducts(), 0), Stock: stock}, server.Shutdown{Drain: drain})
}

func serveUntil(t testing.TB, pki *PKI, name string, stock *inventory.Stock, c server.Config, sd server.Shutdown) *Service {
	t.Helper()
	tlsConfig, err := pki.Files(name).ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Addr: lis.Addr().String(), Stock: stock, Logs: &LockedBuffer{}}
	c.Log, c.Verifier, c.Creds = slog.New(slog.NewTextHandler(s.Logs, nil)), pki.Keys.Verifier, credentials.NewTLS(tlsConfig)
	s.Srv = server.New(c)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Srv.Serve(ctx, lis, sd) }()
	s.Stop = stop
	t.Cleanup(func() { stop(); <-done })
	return s
}
