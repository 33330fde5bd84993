// Package telemetry sets up OpenTelemetry for one service: traces and
// metrics exported as the standard OTEL_* environment variables say, and
// nothing unless they do; the metrics also for Prometheus, on an admin port;
// W3C trace context on every hop; log lines that carry their trace.
package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	promexporter "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Telemetry is one service's providers. They are passed to whatever needs
// them rather than set as globals, so that tests can run several services
// in one process.
type Telemetry struct {
	Tracer     trace.TracerProvider
	Meter      metric.MeterProvider
	Propagator propagation.TextMapPropagator
	// Metrics serves this service's metrics in Prometheus's format.
	Metrics  http.Handler
	shutdown []func(context.Context) error
}

// Setup builds the providers of service, which OTEL_SERVICE_NAME may rename.
// Spans are exported in batches, off the calls' path: an exporter that is
// slow or down costs a call nothing, and its spans are dropped when the
// queue is full. Errors of the exporters go to log.
func Setup(ctx context.Context, service string, log *slog.Logger) (*Telemetry, error) {
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("telemetry could not export", "err", err)
	}))
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(service)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
		resource.WithTelemetrySDK())
	if err != nil {
		return nil, err
	}
	// Trace context alone: the lab carries no baggage, and a caller's would
	// otherwise be parsed on every hop and travel inward from the edge.
	t := &Telemetry{Propagator: propagation.TraceContext{}}

	// Off unless asked: trace context still passes through, but nothing
	// is recorded. (autoexport alone would default to OTLP, to a collector
	// that a laptop does not run.)
	t.Tracer = noop.NewTracerProvider()
	if asked("OTEL_TRACES_EXPORTER") {
		spans, err := autoexport.NewSpanExporter(ctx)
		if err != nil {
			return nil, err
		}
		// The SDK picks the sampler from OTEL_TRACES_SAMPLER and
		// OTEL_TRACES_SAMPLER_ARG itself; unset, it is parentbased_always_on.
		tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithBatcher(spans),
			sdktrace.WithSpanLimits(spanLimits()))
		t.Tracer = tp
		t.shutdown = append(t.shutdown, tp.Shutdown)
	}

	reg := prometheus.NewRegistry()
	scrape, err := promexporter.New(promexporter.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	readers := []sdkmetric.Option{sdkmetric.WithResource(res), sdkmetric.WithReader(scrape)}
	if asked("OTEL_METRICS_EXPORTER") {
		pushed, err := autoexport.NewMetricReader(ctx)
		if err != nil {
			return nil, err
		}
		readers = append(readers, sdkmetric.WithReader(pushed))
	}
	mp := sdkmetric.NewMeterProvider(readers...)
	t.Meter = mp
	t.shutdown = append(t.shutdown, mp.Shutdown)
	t.Metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return t, nil
}

// Shutdown flushes what is left to export, within ctx.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	for _, f := range t.shutdown {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// New is telemetry over providers built elsewhere: tests give each
// service its own, all exporting to one place. It serves no metrics.
func New(tracer trace.TracerProvider, meter metric.MeterProvider) *Telemetry {
	return &Telemetry{Tracer: tracer, Meter: meter, Propagator: propagation.TraceContext{}, Metrics: http.NotFoundHandler()}
}

// Off is telemetry that records nothing, for tests and tools.
func Off() *Telemetry { return New(noop.NewTracerProvider(), sdkmetric.NewMeterProvider()) }

// asked reports whether the environment variable names an exporter.
func asked(env string) bool {
	v := os.Getenv(env)
	return v != "" && v != "none"
}

// maxAttributeLength bounds each span attribute's value: some, such as the
// user agent and the path, come from the caller, whatever their size.
const maxAttributeLength = 256

// spanLimits are the SDK's defaults, with attribute values bounded.
func spanLimits() sdktrace.SpanLimits {
	l := sdktrace.NewSpanLimits()
	l.AttributeValueLengthLimit = maxAttributeLength
	return l
}
