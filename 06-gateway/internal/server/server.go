// Package server assembles the gRPC server: which services it offers and how
// it stops. cmd/server and the tests build the same server from here.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/learn-grpc/learn-grpc/06-gateway/internal/auth"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/catalog"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/inventory"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/orders"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

// Server is a gRPC server with both lab services, the standard health
// service and server reflection registered.
type Server struct {
	grpc     *grpc.Server
	health   *health.Server
	stock    *inventory.Stock
	stopping chan struct{}
	log      *slog.Logger
}

// Config is what the server serves.
type Config struct {
	Products      *catalog.Store
	Stock         *inventory.Stock
	Orders        orders.Store
	TrackInterval time.Duration // pace of a tracked order's status changes
	Log           *slog.Logger
	// Verifier checks callers' tokens; every call passes the interceptor
	// chain built around it (recovery, logging, authentication,
	// authorization against auth.Policy).
	Verifier *auth.Verifier
	// Creds secures the transport. nil serves plaintext, which cmd/server
	// allows only on loopback and only when asked to.
	Creds credentials.TransportCredentials
}

// New registers the services on a new gRPC server.
func New(c Config) *Server {
	in := &auth.Interceptors{Verifier: c.Verifier, Policy: auth.Policy, Log: c.Log}
	opts := in.ServerOptions()
	if c.Creds != nil {
		opts = append(opts, grpc.Creds(c.Creds))
	}
	s := &Server{grpc: grpc.NewServer(opts...), health: health.NewServer(), stock: c.Stock, stopping: make(chan struct{}), log: c.Log}
	catalogv1.RegisterProductCatalogServiceServer(s.grpc, catalog.NewService(c.Products, c.Stock, c.Log))
	ordersv1.RegisterOrderManagementServiceServer(s.grpc, orders.NewService(orders.Config{
		Orders: c.Orders, Products: c.Products, Stock: c.Stock,
		TrackInterval: c.TrackInterval, Stopping: s.stopping, Log: c.Log,
	}))
	// Health lets load balancers, orchestrators and our checks ask "are you
	// ready?" with a real RPC instead of guessing from an open port.
	healthpb.RegisterHealthServer(s.grpc, s.health)
	s.health.SetServingStatus(catalogv1.ProductCatalogService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(ordersv1.OrderManagementService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	// Reflection lets tools such as grpcurl discover the API at run time,
	// so they need no copy of the .proto files.
	reflection.Register(s.grpc)
	return s
}

// Serve answers calls on lis until ctx ends, then shuts down gracefully:
// health turns NOT_SERVING so no new work is routed here, open watch and
// tracking streams are ended with UNAVAILABLE (a stream never finishes on its own, so waiting
// for it would always cost the whole grace period), calls in flight get up to
// grace to finish, and whatever is left after that is cut off.
// It returns nil after a shutdown asked for through ctx.
func (s *Server) Serve(ctx context.Context, lis net.Listener, grace time.Duration) error {
	served := make(chan error, 1)
	go func() { served <- s.grpc.Serve(lis) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	s.log.Info("shutting down", "grace", grace)
	s.health.Shutdown()
	s.stock.Close()
	close(s.stopping)
	stopped := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(stopped)
	}()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-stopped:
	case <-timer.C:
		s.log.Warn("calls still running after the grace period; closing them")
		s.grpc.Stop()
		<-stopped
	}
	// A stop that comes before Serve has started makes Serve return
	// ErrServerStopped: that is the shutdown we asked for, not a failure.
	if err := <-served; !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}
