package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel"
	"google.golang.org/grpc"

	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"
)

// traceCalls makes the client's calls start their traces, exported as the
// OTEL_* variables say, as the services' are. A command line tool is one
// process doing one thing, so it sets OpenTelemetry's global providers,
// which tracing() reads; tests, which call run, leave them as they are.
func traceCalls(ctx context.Context) (flush func()) {
	tel, err := telemetry.Setup(ctx, "client", slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "client: telemetry:", err)
		return func() {}
	}
	otel.SetTracerProvider(tel.Tracer)
	otel.SetMeterProvider(tel.Meter)
	otel.SetTextMapPropagator(tel.Propagator)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(ctx)
	}
}

// tracing instruments a connection with the global providers.
func tracing() grpc.DialOption { return grpc.WithStatsHandler(otelgrpc.NewClientHandler()) }
