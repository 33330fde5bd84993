package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// tracingModes are step 11's runs of stage 08, by the environment that
// sets each up: untraced; every request traced; the production default the
// stage teaches, a parent-based ratio of one trace in ten; and a control,
// untraced like the first, whose ratio to it is the run's own noise.
var tracingModes = []struct {
	name string
	env  []string
}{
	{"off", nil},
	{"traced", []string{"OTEL_TRACES_SAMPLER=always_on"}},
	{"sampled", []string{"OTEL_TRACES_SAMPLER=parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG=0.1"}},
	{"control", nil},
}

// tracingRounds is how many times each mode is measured at each
// concurrency, the modes taking turns, so that a burst of load from
// elsewhere falls on all of them alike. One round a mode puts each mode
// once in each place of the order (rounds.go).
var tracingRounds = len(tracingModes)

// tracingResult is step 11: CreateOrder through the gateway, traced and not.
type tracingResult struct {
	rows    []tracingRow
	exports int64 // OTLP requests the collector received
	// per call, from BenchmarkCreateOrder, by mode
	allocs, bytes map[string]float64
}

// tracingRow is one concurrency: each mode's middle run, the median of
// each mode's ratio to the untraced run of its round, and the CPU time
// that the services spent per order, in all and each apart.
type tracingRow struct {
	conc   int
	runs   []loadResult // by mode
	ratios []float64    // by mode, to off
	cpu    []time.Duration
	// each service's CPU time per order (gateway, orders, then each catalog), by mode
	services [][]time.Duration
}

// otlpSink is a collector that accepts every OTLP/HTTP export and keeps
// nothing: tracing pays for recording, batching and sending, as it would to
// a real collector on the same machine.
func otlpSink() (addr string, exports *atomic.Int64, stop func(), err error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, err
	}
	exports = &atomic.Int64{}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		exports.Add(1)
	})}
	go func() { _ = srv.Serve(lis) }()
	return lis.Addr().String(), exports, func() { _ = srv.Close() }, nil
}

// measureTracing runs a topology of stage 08 for each mode, side by side,
// the traced ones exporting over OTLP, and places orders through the
// gateway of each in turn.
func measureTracing(ctx context.Context, root string, l *lab, window time.Duration, rep *report) error {
	sink, exports, stopSink, err := otlpSink()
	if err != nil {
		return err
	}
	defer stopSink()
	var tops []*topology
	defer func() {
		for _, t := range tops {
			t.stop()
		}
	}()
	for _, mode := range tracingModes {
		tmp := filepath.Join(l.tmp, "tracing-"+mode.name)
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return err
		}
		env := mode.env
		if env != nil {
			env = append([]string{"OTEL_TRACES_EXPORTER=otlp", "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
				"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + sink}, env...)
		}
		t, err := startStage(ctx, root, tmp, "08-observability", "08", true, env)
		if err != nil {
			return err
		}
		tops = append(tops, t)
	}
	res := tracingResult{}
	for _, c := range []int{1, 16} {
		row, err := measureModes(ctx, tops, c, window)
		if err != nil {
			return err
		}
		res.rows = append(res.rows, row)
	}
	res.exports = exports.Load()
	lines, err := goBench(ctx, filepath.Join(root, "08-observability"), "-bench", "CreateOrder", "./internal/telemetry")
	if err != nil {
		return err
	}
	res.allocs, res.bytes = map[string]float64{}, map[string]float64{}
	for _, line := range lines {
		_, mode, _ := strings.Cut(line.name, "/")
		mode, _, _ = strings.Cut(mode, "-") // the -GOMAXPROCS suffix
		res.allocs[mode], res.bytes[mode] = line.metrics["allocs/op"], line.metrics["B/op"]
	}
	rep.tracing = res
	return nil
}

// measureModes measures every mode tracingRounds times at conc callers,
// starting each round with the next mode.
func measureModes(ctx context.Context, tops []*topology, conc int, window time.Duration) (tracingRow, error) {
	n := len(tops)
	runs := make([][]loadResult, n)
	cpus := make([][]time.Duration, n)       // by mode, round: all the services
	services := make([][][]time.Duration, n) // by mode, service, round
	ratios := make([][]float64, n)
	for round := range tracingRounds {
		got := make([]loadResult, n)
		for _, m := range turns(round, tracingRounds, n) {
			call, stop := orderREST(tops[m], conc)
			var calls atomic.Int64
			before := tops[m].cpus()
			got[m] = load(ctx, conc, window, func(ctx context.Context) error { calls.Add(1); return call(ctx) })
			after := tops[m].cpus()
			stop()
			if got[m].errors > 0 {
				return tracingRow{}, fmt.Errorf("%d orders failed with tracing %s at concurrency %d",
					got[m].errors, tracingModes[m].name, conc)
			}
			orders := time.Duration(max(calls.Load(), 1))
			if services[m] == nil {
				services[m] = make([][]time.Duration, len(after))
			}
			for s := range after {
				services[m][s] = append(services[m][s], (after[s]-before[s])/orders)
			}
			cpus[m] = append(cpus[m], (sum(after)-sum(before))/orders)
		}
		for m := range n {
			runs[m] = append(runs[m], got[m])
			ratios[m] = append(ratios[m], got[m].rps/got[0].rps)
		}
	}
	row := tracingRow{conc: conc}
	for m := range n {
		row.runs = append(row.runs, middle(runs[m], func(r loadResult) float64 { return r.rps }))
		row.ratios = append(row.ratios, median(ratios[m]))
		row.cpu = append(row.cpu, median(cpus[m]))
		var each []time.Duration
		for _, rounds := range services[m] {
			each = append(each, median(rounds))
		}
		row.services = append(row.services, each)
	}
	return row, nil
}

func sum[T int64 | float64 | time.Duration](xs []T) T {
	var total T
	for _, x := range xs {
		total += x
	}
	return total
}

// cpus is the CPU time, user and system, that each of t's processes has
// used: the gateway, orders, then each catalog.
func (t *topology) cpus() []time.Duration {
	var used []time.Duration
	for _, p := range append([]*process{t.gateway, t.orders}, t.catalogs...) {
		if p != nil {
			used = append(used, cpuTime(p.cmd.Process.Pid))
		}
	}
	return used
}

// orderREST places an order through t's gateway, over HTTP/1.1 with a
// connection per caller.
func orderREST(t *topology, conc int) (func(context.Context) error, func()) {
	pool, err := caPool(t.pki)
	if err != nil {
		pool = x509.NewCertPool() // the orders then fail with a certificate error
	}
	url := "https://" + t.restAddr + "/v1/orders"
	transport, call := restCaller(pool, conc, false, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, "POST", url,
			strings.NewReader(`{"items": [{"productId": "product-321", "quantity": 1}]}`))
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+t.token)
		}
		return req, err
	})
	return call, transport.CloseIdleConnections
}
