package server_test

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/learn-grpc/learn-grpc/02-unary/internal/catalog"
	"github.com/learn-grpc/learn-grpc/02-unary/internal/server"

	catalogv1 "github.com/learn-grpc/learn-grpc/02-unary/gen/ecommerce/catalog/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// running is a real server on a loopback TCP port.
type running struct {
	addr   string
	conn   *grpc.ClientConn
	client catalogv1.ProductCatalogServiceClient
	stop   func() error // stops the server gracefully, returns Serve's error
}

func start(t *testing.T, sd server.Shutdown) *running {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis, sd) }()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() { cancel(); serveErr = <-served })
		return serveErr
	}
	t.Cleanup(func() { _ = conn.Close(); _ = stop() })
	return &running{addr: lis.Addr().String(), conn: conn, client: catalogv1.NewProductCatalogServiceClient(conn), stop: stop}
}

func newServer() *server.Server {
	return server.New(catalog.NewStore(catalog.SampleProducts(), 0), slog.New(slog.DiscardHandler))
}
