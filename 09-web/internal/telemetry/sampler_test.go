package telemetry_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/learn-grpc/learn-grpc/09-web/internal/telemetry"
)

// TestTheStandardVariablesChooseTheSampler: with a parent-based ratio of 0,
// a trace that starts here is never sampled, and one a caller sampled is
// still followed, as production's parentbased_traceidratio at 0.1 does.
func TestTheStandardVariablesChooseTheSampler(t *testing.T) {
	srv, _ := otlpReceiver(t)
	otlpTo(t, srv.URL)
	t.Setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
	t.Setenv("OTEL_TRACES_SAMPLER_ARG", "0")
	tel, err := telemetry.Setup(t.Context(), "orders", quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	tracer := tel.Tracer.Tracer("test")

	t.Run("a trace that starts here follows the ratio", func(t *testing.T) {
		_, span := tracer.Start(t.Context(), "root")
		defer span.End()
		if got := span.SpanContext().IsSampled(); got {
			t.Errorf("sampled = %v at a ratio of 0, want false", got)
		}
		if !span.SpanContext().IsValid() {
			t.Error("an unsampled span has no trace id: its log lines could not be joined")
		}
	})
	t.Run("a caller's sampled trace is followed whatever the ratio", func(t *testing.T) {
		parent := trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: [16]byte{1}, SpanID: [8]byte{1}, TraceFlags: trace.FlagsSampled, Remote: true})
		_, span := tracer.Start(trace.ContextWithRemoteSpanContext(t.Context(), parent), "child")
		defer span.End()
		if got := span.SpanContext().IsSampled(); !got {
			t.Errorf("sampled = %v under a sampled parent, want true", got)
		}
	})
}
