package server_test

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/auth"
	"github.com/learn-grpc/learn-grpc/09-web/internal/auth/authtest"
	"github.com/learn-grpc/learn-grpc/09-web/internal/orders"
	"github.com/learn-grpc/learn-grpc/09-web/internal/server"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// slowRelease is a catalog whose reservations fail as an outage would,
// leaving a release owed, and whose releases take a while.
type slowRelease struct {
	reserving chan struct{}
	released  atomic.Bool
}

func (s *slowRelease) Reserve(context.Context, string, map[string]int32) (map[string]*commonv1.Money, error) {
	close(s.reserving)
	return nil, status.Error(codes.Unavailable, "the catalog is down")
}

func (s *slowRelease) Release(context.Context, string) (bool, error) {
	time.Sleep(300 * time.Millisecond)
	s.released.Store(true)
	return true, nil
}

// TestAStopPastTheGracePeriodLetsAReleaseFinish: the grace period ends while
// a handler is giving stock back. The server is stopped hard, but Serve
// returns only once the handler has finished, so the process does not exit
// (and close its database) halfway through the release.
func TestAStopPastTheGracePeriodLetsAReleaseFinish(t *testing.T) {
	keys := authtest.NewKeys(t)
	stock := &slowRelease{reserving: make(chan struct{})}
	log := slog.New(slog.DiscardHandler)
	srv := server.New(server.Config{Verifier: keys.Verifier, Log: log})
	ordersv1.RegisterOrderManagementServiceServer(srv, orders.NewService(orders.Config{
		Orders: orders.NewMemoryStore(), Stock: stock, TrackInterval: time.Second,
		Stopping: srv.Stopping(), Log: log,
	}))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis, server.Shutdown{Grace: time.Millisecond}) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(authtest.Bearer(keys.Token(t, "alice", auth.ScopeWriteOrders))))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() {
		_, _ = ordersv1.NewOrderManagementServiceClient(conn).CreateOrder(context.Background(),
			&ordersv1.CreateOrderRequest{Items: []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 1}}})
	}()
	<-stock.reserving
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if !stock.released.Load() {
		t.Error("Serve returned while a handler was still giving stock back")
	}
}
