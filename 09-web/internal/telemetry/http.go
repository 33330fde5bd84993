package telemetry

import (
	"context"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Handler instruments the REST edge: a span per request and the HTTP server
// metrics. The edge faces the internet, so a caller's traceparent starts no
// trace of ours: each request begins a new trace, linked to the caller's.
// The span is named after the route the request took (see SetRoute).
func (t *Telemetry) Handler(h http.Handler, operation string) http.Handler {
	traced := otelhttp.NewHandler(h, operation,
		otelhttp.WithTracerProvider(t.Tracer), otelhttp.WithMeterProvider(t.Meter),
		// Without a name, otelhttp labels every metric with the request's
		// Host, which the caller writes: one new series per value.
		otelhttp.WithServerName(operation),
		otelhttp.WithPropagators(t.Propagator),
		otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true }),
		// An orchestrator's probe every few seconds is not worth a trace.
		otelhttp.WithFilter(func(r *http.Request) bool { return r.URL.Path != "/healthz" }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			if route, ok := r.Context().Value(routeKey{}).(*string); ok && *route != "" {
				return r.Method + " " + *route
			}
			return r.Method
		}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		traced.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routeKey{}, new(string))))
	})
}

type routeKey struct{}

// SetRoute names r's span after the route template it matched,
// "GET /v1/orders/{id}": a name to group by, where the path holds ids.
func SetRoute(r *http.Request, route string) {
	if holder, ok := r.Context().Value(routeKey{}).(*string); ok {
		*holder = route // for otelhttp, which names the span again at its end
	}
	span := trace.SpanFromContext(r.Context())
	span.SetName(r.Method + " " + route)
	span.SetAttributes(semconv.HTTPRoute(route))
}
