package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/metric"
)

// Instruments are the lab's own metrics, beside the RPC metrics every
// call records: what a dashboard of this shop would show.
type Instruments struct {
	// Reservations counts ReserveStock calls by outcome: reserved,
	// repeated (a retry, which took nothing), or refused with its reason.
	Reservations metric.Int64Counter
	// Releases counts ReleaseStock calls by outcome: released, or nothing
	// held (a repeat, or an order that never reserved).
	Releases metric.Int64Counter
	// Trackers is the number of TrackOrder streams open now.
	Trackers metric.Int64UpDownCounter
}

// Instruments makes the lab's instruments on t's meter.
func (t *Telemetry) Instruments() *Instruments {
	m := t.Meter.Meter("learn-grpc")
	in := &Instruments{}
	// An instrument the SDK refuses is a programming error that a test
	// shows; the noop one it returns instead keeps the service serving.
	in.Reservations, _ = m.Int64Counter("learn_grpc.stock.reservations",
		metric.WithDescription("ReserveStock calls, by outcome"), metric.WithUnit("{call}"))
	in.Releases, _ = m.Int64Counter("learn_grpc.stock.releases",
		metric.WithDescription("ReleaseStock calls, by outcome"), metric.WithUnit("{call}"))
	in.Trackers, _ = m.Int64UpDownCounter("learn_grpc.trackers.open",
		metric.WithDescription("TrackOrder streams open now"), metric.WithUnit("{stream}"))
	return in
}

// ObserveWatchers reports open, how many watch streams are open, whenever
// the metrics are read.
func (t *Telemetry) ObserveWatchers(open func() int) error {
	_, err := t.Meter.Meter("learn-grpc").Int64ObservableGauge("learn_grpc.watchers.open",
		metric.WithDescription("WatchProducts streams open now"), metric.WithUnit("{stream}"),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(open()))
			return nil
		}))
	return err
}
