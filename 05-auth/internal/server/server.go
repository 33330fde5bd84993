// Package server assembles the gRPC server: which services it offers and how
// it stops. cmd/server and the tests build the same server from here.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/learn-grpc/learn-grpc/05-auth/internal/auth"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/catalog"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/inventory"
	"github.com/learn-grpc/learn-grpc/05-auth/internal/orders"

	catalogv1 "github.com/learn-grpc/learn-grpc/05-auth/gen/ecommerce/catalog/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/05-auth/gen/ecommerce/orders/v1"
)

// Server is a gRPC server with both lab services, the standard health
// service and server reflection registered.
type Server struct {
	grpc    *grpc.Server
	health  *health.Server
	served  []string // the services health reports on, besides the server's ""
	stock   *inventory.Stock
	log     *slog.Logger
	stopCtx context.Context // cancelled when shutdown ends the open streams
	stop    context.CancelFunc
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

// StreamWorkers is how many goroutines wait to run calls. Each keeps the
// stack its calls grew, where a new goroutine per call grows one again every
// time. A call that finds them all busy, or held by open streams, runs on a
// goroutine of its own, as without them (README, "Production notes").
var StreamWorkers = 8 * runtime.GOMAXPROCS(0)

// New registers the services on a new gRPC server.
func New(c Config) *Server {
	s := &Server{health: health.NewServer(), stock: c.Stock, log: c.Log}
	s.stopCtx, s.stop = context.WithCancel(context.Background())
	in := &auth.Interceptors{Verifier: c.Verifier, Policy: auth.Policy, Log: c.Log}
	// Ending streams at shutdown sits inside the auth chain, so that the
	// logging interceptor sees the status the caller gets.
	opts := append(limitOptions(in.LogRefused), in.ServerOptions()...)
	opts = append(opts, grpc.ChainStreamInterceptor(s.endStreamsOnStop))
	if c.Creds != nil {
		// TLS reads whole records into a buffer of its own: grpc-go's 32 KiB
		// read buffer on top would only copy them again, and costs memory on
		// every connection (README, "Production notes").
		opts = append(opts, grpc.Creds(c.Creds), grpc.ReadBufferSize(0))
	}
	opts = append(opts, grpc.NumStreamWorkers(uint32(StreamWorkers)))
	s.grpc = grpc.NewServer(opts...)
	catalogv1.RegisterProductCatalogServiceServer(s.grpc, catalog.NewService(c.Products, c.Stock, c.Log))
	ordersv1.RegisterOrderManagementServiceServer(s.grpc, orders.NewService(orders.Config{
		Orders: c.Orders, Products: c.Products, Stock: c.Stock,
		TrackInterval: c.TrackInterval, Stopping: s.stopCtx.Done(), Log: c.Log,
	}))
	// Health lets load balancers, orchestrators and our checks ask "are you
	// ready?" with a real RPC instead of guessing from an open port.
	healthpb.RegisterHealthServer(s.grpc, s.health)
	s.serving(catalogv1.ProductCatalogService_ServiceDesc, ordersv1.OrderManagementService_ServiceDesc)
	// Reflection lets tools such as grpcurl discover the API at run time,
	// so they need no copy of the .proto files.
	reflection.Register(s.grpc)
	return s
}

// serving tells the health service that these services are ready.
func (s *Server) serving(descs ...grpc.ServiceDesc) {
	for _, d := range descs {
		s.served = append(s.served, d.ServiceName)
		s.health.SetServingStatus(d.ServiceName, healthpb.HealthCheckResponse_SERVING)
	}
}

// draining turns the services NOT_SERVING, so that balancers send new calls
// elsewhere, while the server as a whole ("") stays SERVING: it is alive,
// and a liveness probe must not kill a process that is draining on purpose.
func (s *Server) draining() {
	for _, name := range s.served {
		s.health.SetServingStatus(name, healthpb.HealthCheckResponse_NOT_SERVING)
	}
}

// Close stops the server at once. A program that fails after New and before
// Serve calls it, to stop the stream workers New started; after Serve, which
// stops the server itself, it does nothing.
func (s *Server) Close() { s.grpc.Stop() }

// Shutdown says how Serve stops.
type Shutdown struct {
	// Drain is how long the server keeps serving after health turns
	// NOT_SERVING, so that load balancers see it and send new calls
	// elsewhere before it stops taking them.
	Drain time.Duration
	// Grace is how long calls in flight may run once new calls are refused.
	// Whatever is still running after that, a client that stopped reading
	// included, is cut off.
	Grace time.Duration
}

// Serve answers calls on lis until ctx ends, then shuts down: the services
// turn NOT_SERVING, the drain delay passes, open streams end with ShuttingDown
// (a stream never finishes on its own, so waiting for one would always cost
// the whole grace period), unary calls in flight get up to the grace period,
// and whatever is left after that is cut off. It returns nil after a
// shutdown asked for through ctx, and at once if serving fails.
func (s *Server) Serve(ctx context.Context, lis net.Listener, sd Shutdown) error {
	defer s.stop()
	served := make(chan error, 1)
	go func() { served <- s.grpc.Serve(lis) }()

	select {
	case err := <-served:
		s.grpc.Stop()
		return err
	case <-ctx.Done():
	}

	s.log.Info("shutting down", "drain", sd.Drain, "grace", sd.Grace)
	s.draining()
	time.Sleep(sd.Drain)
	s.stock.Close()
	s.stop()
	stopped := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(stopped)
	}()
	timer := time.NewTimer(sd.Grace)
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
