package server_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"
	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// running is a real server on a loopback TCP port, with the simulated shop
// changing stock every millisecond.
type running struct {
	addr   string
	conn   *grpc.ClientConn
	client catalogv1.ProductCatalogServiceClient
	stock  *inventory.Stock
	logs   *testutil.LockedBuffer
	stop   func() error // stops the server gracefully, returns Serve's error
}

func start(t *testing.T, sd server.Shutdown) *running {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &testutil.LockedBuffer{}
	stock := testutil.NewStock(t)
	srv := newServer(t, stock, slog.New(slog.NewTextHandler(logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { inventory.Simulate(ctx, stock, time.Millisecond, rand.New(rand.NewPCG(1, 2))) })
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis, sd) }()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() { cancel(); serveErr = <-served; wg.Wait() })
		return serveErr
	}
	t.Cleanup(func() { _ = conn.Close(); _ = stop() })
	return &running{addr: lis.Addr().String(), conn: conn, client: catalogv1.NewProductCatalogServiceClient(conn),
		stock: stock, logs: logs, stop: stop}
}

// TestUpdatesArriveInOrderPerProduct reads a few hundred live updates and
// checks each product's timestamps only ever move forward.
func TestUpdatesArriveInOrderPerProduct(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Minute})
	ids := []string{"product-123", "product-456", "product-789"}
	stream, err := r.client.WatchProducts(t.Context(), &catalogv1.WatchProductsRequest{ProductIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]time.Time{}
	for range 300 {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		inv := resp.GetInventory()
		at := inv.GetUpdatedAt().AsTime()
		if prev, ok := last[inv.GetProductId()]; ok && !at.After(prev) {
			t.Fatalf("%s: update at %v came after one at %v", inv.GetProductId(), at, prev)
		}
		last[inv.GetProductId()] = at
	}
	if len(last) != len(ids) {
		t.Errorf("updates came for %d products, want %d", len(last), len(ids))
	}
}

// TestClientCancelEndsHandler cancels the client's call and observes the
// server side: the subscription goes away and the handler logs its end.
func TestClientCancelEndsHandler(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Minute})
	ctx, cancel := context.WithCancel(t.Context())
	stream, err := r.client.WatchProducts(ctx, &catalogv1.WatchProductsRequest{ProductIds: []string{"product-321"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	testutil.WaitFor(t, "the handler to log its end", func() bool {
		return strings.Contains(r.logs.String(), `msg="watch ended" products=[product-321]`) && r.stock.Watchers("product-321") == 0
	})
	if !strings.Contains(r.logs.String(), "code=Canceled") {
		t.Errorf("the handler did not end with Canceled:\n%s", r.logs.String())
	}
}

// TestServerStopEndsStreams stops the server under open streams: each client
// must get UNAVAILABLE, and the stop must not have needed the forced Stop
// (streams end at once instead of holding the graceful shutdown open).
func TestServerStopEndsStreams(t *testing.T) {
	r := start(t, server.Shutdown{Grace: time.Minute})
	var streams []grpc.ServerStreamingClient[catalogv1.WatchProductsResponse]
	for range 5 {
		stream, err := r.client.WatchProducts(t.Context(), &catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatal(err)
		}
		streams = append(streams, stream)
	}
	if err := r.stop(); err != nil {
		t.Fatalf("Serve after stop = %v", err)
	}
	for i, stream := range streams {
		var err error
		for err == nil {
			_, err = stream.Recv()
		}
		if status.Code(err) != codes.Unavailable {
			t.Errorf("stream %d ended with %v, want Unavailable", i, err)
		}
	}
	if strings.Contains(r.logs.String(), "still running after the grace period") {
		t.Errorf("the shutdown had to force streams closed:\n%s", r.logs.String())
	}
}

func newServer(t *testing.T, stock *inventory.Stock, log *slog.Logger) *server.Server {
	if stock == nil {
		stock = testutil.NewStock(t)
	}
	srv := server.New(server.Config{Log: log, Verifier: authtest.NewKeys(t).Verifier})
	testutil.RegisterCatalog(srv, catalog.NewStore(catalog.SampleProducts(), 0), stock, log)
	return srv
}
