package testutil

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc/credentials"

	"github.com/learn-grpc/learn-grpc/07-microservices/internal/catalog"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/catalogclient"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/inventory"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/orders"
	"github.com/learn-grpc/learn-grpc/07-microservices/internal/server"

	ordersv1 "github.com/learn-grpc/learn-grpc/07-microservices/gen/ecommerce/orders/v1"
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
	log  *slog.Logger // writes to Logs
	lis  net.Listener
}

// StartCatalog serves the sample catalog with the catalog's certificate.
func StartCatalog(t testing.TB, pki *PKI, latency time.Duration) *Service {
	t.Helper()
	return startCatalog(t, pki, catalog.NewStore(catalog.SampleProducts(), latency), NewStock(t),
		server.Shutdown{})
}

// StartOrders serves orders with its certificate, calling the catalog at
// catalogAt (an address, or a comma-separated list).
func StartOrders(t testing.TB, pki *PKI, catalogAt string) *Service {
	t.Helper()
	creds, err := pki.Files("orders").ClientCreds()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := catalogclient.Dial(catalogAt, creds)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	store := NewOrderStore(t)
	s := newService(t, pki, "orders", server.Config{})
	ordersv1.RegisterOrderManagementServiceServer(s.Srv, orders.NewService(orders.Config{
		Orders: store, Stock: catalogclient.New(conn), TrackInterval: time.Second,
		Stopping: s.Srv.Stopping(), Log: s.log,
	}))
	return s.start(t, server.Shutdown{})
}

// StartDrainingCatalog is StartCatalog whose Stop keeps serving for drain
// while its health says NOT_SERVING, as a replica leaving a rollout does.
func StartDrainingCatalog(t testing.TB, pki *PKI, drain time.Duration) *Service {
	t.Helper()
	return startCatalog(t, pki, catalog.NewStore(catalog.SampleProducts(), 0), NewStock(t),
		server.Shutdown{Drain: drain})
}

// startCatalog serves products and stock as cmd/catalog does, stopping as
// sd says.
func startCatalog(t testing.TB, pki *PKI, products *catalog.Store, stock *inventory.Stock,
	sd server.Shutdown) *Service {
	t.Helper()
	s := newService(t, pki, "catalog", server.Config{})
	s.Stock = stock
	RegisterCatalog(s.Srv, products, stock, s.log)
	return s.start(t, sd)
}

// newService makes a server from c, on a free loopback port, with name's
// certificate and the test keys, logging to Logs. Register its services,
// then start it.
func newService(t testing.TB, pki *PKI, name string, c server.Config) *Service {
	t.Helper()
	tlsConfig, err := pki.Files(name).ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Addr: lis.Addr().String(), Logs: &LockedBuffer{}, lis: lis}
	s.log = slog.New(slog.NewTextHandler(s.Logs, nil))
	c.Log, c.Verifier, c.Creds = s.log, pki.Keys.Verifier, credentials.NewTLS(tlsConfig)
	s.Srv = server.New(c)
	t.Cleanup(s.Srv.Close) // stops its stream workers, should the test fail before start
	return s
}

// start serves s until its Stop, or the end of the test, and returns it.
func (s *Service) start(t testing.TB, sd server.Shutdown) *Service {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Srv.Serve(ctx, s.lis, sd) }()
	s.Stop = stop
	t.Cleanup(func() { stop(); <-done })
	return s
}
