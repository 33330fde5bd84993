// Package server builds the gRPC server every lab service runs on: the
// limits, the interceptor chain, health, reflection and a graceful stop.
// Each command registers its own services on it, as on a grpc.Server.
package server

import (
	"cmp"
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

	"github.com/learn-grpc/learn-grpc/08-observability/internal/auth"
	"github.com/learn-grpc/learn-grpc/08-observability/internal/telemetry"
)

// Server is a gRPC server with the standard health service and server
// reflection registered. It is a grpc.ServiceRegistrar: the generated
// Register functions register a lab service on it.
type Server struct {
	grpc    *grpc.Server
	health  *health.Server
	served  []string // the services health reports on, besides the server's ""
	ends    []func() // run as a shutdown ends the open streams
	log     *slog.Logger
	stopCtx context.Context // cancelled when shutdown ends the open streams
	stop    context.CancelFunc
	probe   net.Listener // serves health alone, in plaintext, if set
	// refused logs a call refused before the interceptors, on either port.
	refused func(ctx context.Context, method string, err error)
}

var _ grpc.ServiceRegistrar = (*Server)(nil)

// Config is how the server serves, whatever services it is given.
type Config struct {
	Log *slog.Logger
	// Verifier checks callers' tokens; every call passes the interceptor
	// chain built around it (recovery, logging, authentication,
	// authorization against auth.Policy).
	Verifier *auth.Verifier
	// Creds secures the transport. nil serves plaintext, which only tests
	// do: cmd/catalog and cmd/orders always serve TLS.
	Creds credentials.TransportCredentials
	// MaxConnectionAge, if set, replaces Keepalive's: a service behind DNS
	// keeps it short, so that clients look up its replicas again.
	MaxConnectionAge time.Duration
	// Telemetry traces every call and records its metrics; nil records
	// nothing. The services' own instruments are given where they are registered.
	Telemetry *telemetry.Telemetry
}

// StreamWorkers is how many goroutines wait to run calls. Each keeps the
// stack its calls grew, where a new goroutine per call grows one again every
// time. A call that finds them all busy, or held by open streams, runs on a
// goroutine of its own, as without them (05-auth/README.md, "Production notes").
var StreamWorkers = 8 * runtime.GOMAXPROCS(0)

// New returns a server with health and reflection, and no service of the
// lab's yet: register them with RegisterService before Serve.
func New(c Config) *Server {
	s := &Server{health: health.NewServer(), log: c.Log}
	s.stopCtx, s.stop = context.WithCancel(context.Background())
	in := &auth.Interceptors{Verifier: c.Verifier, Policy: auth.Policy, Log: c.Log}
	s.refused = in.LogRefused // for the tap of both ports
	// Ending streams at shutdown sits inside the auth chain, so that the
	// logging interceptor sees the status the caller gets.
	tel := cmp.Or(c.Telemetry, telemetry.Off())
	opts := append(limitOptions(c.MaxConnectionAge, s.refused), tel.ServerOption())
	opts = append(opts, in.ServerOptions()...)
	opts = append(opts, grpc.ChainStreamInterceptor(s.endStreamsOnStop))
	opts = append(opts, grpc.WaitForHandlers(true)) // Stop lets handlers finish: a release is not cut short
	if c.Creds != nil {
		// TLS reads whole records into a buffer of its own: grpc-go's 32 KiB
		// read buffer on top would only copy them again, and costs memory on
		// every connection (05-auth/README.md, "Production notes").
		opts = append(opts, grpc.Creds(c.Creds), grpc.ReadBufferSize(0))
	}
	opts = append(opts, grpc.NumStreamWorkers(uint32(StreamWorkers)))
	s.grpc = grpc.NewServer(opts...)
	// Health lets load balancers, orchestrators and our checks ask "are you
	// ready?" with a real RPC instead of guessing from an open port.
	healthpb.RegisterHealthServer(s.grpc, s.health)
	// Reflection lets tools such as grpcurl discover the API at run time,
	// so they need no copy of the .proto files. It lists the services
	// registered later too: it asks the server at each call.
	reflection.Register(s.grpc)
	return s
}

// RegisterService registers a service, as grpc.Server's does, and tells
// health it is SERVING, so that a shutdown can turn it NOT_SERVING.
func (s *Server) RegisterService(desc *grpc.ServiceDesc, impl any) {
	s.grpc.RegisterService(desc, impl)
	s.served = append(s.served, desc.ServiceName)
	s.health.SetServingStatus(desc.ServiceName, healthpb.HealthCheckResponse_SERVING)
}

// Stopping is closed when a shutdown ends the open streams: a service that
// waits on something of its own (orders' trackers and uploads) stops there.
func (s *Server) Stopping() <-chan struct{} { return s.stopCtx.Done() }

// OnStreamsEnd makes a shutdown call f once the drain delay has passed, just
// before Stopping closes: the catalog closes its stock there, which ends
// its watches. Call it before Serve.
func (s *Server) OnStreamsEnd(f func()) { s.ends = append(s.ends, f) }

// draining turns the services NOT_SERVING, so that balancers send new calls
// elsewhere, while the server as a whole ("") stays SERVING: it is alive,
// and a liveness probe must not kill a process that is draining on purpose.
func (s *Server) draining() {
	for _, name := range s.served {
		s.health.SetServingStatus(name, healthpb.HealthCheckResponse_NOT_SERVING)
	}
}

// ProbeOn makes Serve also answer the health service, alone and in
// plaintext, on lis: the kubelet's gRPC probes speak neither TLS nor mTLS
// unless a feature gate is on. It reports what the main port's health says.
func (s *Server) ProbeOn(lis net.Listener) { s.probe = lis }

// Close stops the server at once, closing the listener and every
// connection with no graceful stop: what callers see when the process
// crashes, as tests use it. A program that fails after New and before Serve
// calls it, to stop the stream workers New started.
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
	// BeforeStop, if set, runs once the open streams have ended and before
	// new calls are refused: a REST gateway in front of this server drains
	// there, while the calls it makes are still served.
	BeforeStop func()
}

// Serve answers calls on lis until ctx ends, then shuts down: the services
// turn NOT_SERVING, the drain delay passes, open streams end with ShuttingDown
// (a stream never finishes on its own, so waiting for one would always cost
// the whole grace period), unary calls in flight get up to the grace period,
// and whatever is left after that is cut off. It returns nil after a
// shutdown asked for through ctx, and at once if serving fails.
func (s *Server) Serve(ctx context.Context, lis net.Listener, sd Shutdown) error {
	defer s.stop()
	if s.probe != nil {
		probe := grpc.NewServer(limitOptions(0, s.refused)...)
		healthpb.RegisterHealthServer(probe, s.health)
		go func() { _ = probe.Serve(s.probe) }()
		defer probe.Stop()
	}
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
	for _, f := range s.ends {
		f()
	}
	s.stop()
	if sd.BeforeStop != nil {
		sd.BeforeStop()
	}
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
