package telemetry

import (
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"google.golang.org/grpc"
)

// ServerOption instruments a gRPC server: a span per call, continuing the
// caller's trace, and the semantic-convention RPC metrics.
func (t *Telemetry) ServerOption() grpc.ServerOption {
	return grpc.StatsHandler(otelgrpc.NewServerHandler(t.options()...))
}

// DialOption instruments a gRPC client: a span per call, whose context
// travels to the server in the traceparent header.
func (t *Telemetry) DialOption() grpc.DialOption {
	return grpc.WithStatsHandler(otelgrpc.NewClientHandler(t.options()...))
}

// options leave out health checks and reflection: probes every few
// seconds and tools' lookups would bury the calls worth reading.
func (t *Telemetry) options() []otelgrpc.Option {
	return []otelgrpc.Option{otelgrpc.WithTracerProvider(t.Tracer), otelgrpc.WithMeterProvider(t.Meter),
		otelgrpc.WithPropagators(t.Propagator),
		otelgrpc.WithFilter(filters.None(filters.ServicePrefix("grpc.health."), filters.ServicePrefix("grpc.reflection.")))}
}
