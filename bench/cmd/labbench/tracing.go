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

// tracingResult is step 11: CreateOrder through the gateway, traced and not.
type tracingResult struct {
	rows                []protocolRow // grpc: tracing off, rest: on
	exports             int64         // OTLP requests the collector received
	allocsOff, allocsOn float64       // per call, from BenchmarkCreateOrder
	bytesOff, bytesOn   float64
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

// measureTracing runs stage 08 twice side by side, with tracing off and
// with every request traced and exported over OTLP, and places orders
// through the gateway of each in turn.
func measureTracing(ctx context.Context, root string, l *lab, window time.Duration, rep *report) error {
	sink, exports, stopSink, err := otlpSink()
	if err != nil {
		return err
	}
	defer stopSink()
	off, err := startStage(ctx, root, filepath.Join(l.tmp), "08-observability", "08", true, nil)
	if err != nil {
		return err
	}
	defer off.stop()
	onTmp := filepath.Join(l.tmp, "traced")
	if err := os.MkdirAll(onTmp, 0o755); err != nil {
		return err
	}
	on, err := startStage(ctx, root, onTmp, "08-observability", "08", true, []string{
		"OTEL_TRACES_EXPORTER=otlp", "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
		"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + sink, "OTEL_TRACES_SAMPLER=always_on"})
	if err != nil {
		return err
	}
	defer on.stop()
	res := tracingResult{}
	for _, c := range []int{1, 16} {
		a, stopA := orderREST(off, c)
		b, stopB := orderREST(on, c)
		untraced := load(ctx, c, window, a)
		traced := load(ctx, c, window, b)
		stopA()
		stopB()
		if untraced.errors > 0 || traced.errors > 0 {
			return fmt.Errorf("orders failed at concurrency %d: off %d, on %d", c, untraced.errors, traced.errors)
		}
		res.rows = append(res.rows, protocolRow{conc: c, grpc: untraced, rest: traced})
	}
	res.exports = exports.Load()
	lines, err := goBench(ctx, filepath.Join(root, "08-observability"), "-bench", "CreateOrder", "./internal/telemetry")
	if err != nil {
		return err
	}
	for _, line := range lines {
		switch {
		case strings.HasSuffix(line.name, "/off"):
			res.allocsOff, res.bytesOff = line.metrics["allocs/op"], line.metrics["B/op"]
		case strings.HasSuffix(line.name, "/on"):
			res.allocsOn, res.bytesOn = line.metrics["allocs/op"], line.metrics["B/op"]
		}
	}
	rep.tracing = res
	return nil
}

// orderREST places an order through t's gateway, over HTTP/1.1 with a
// connection per caller.
func orderREST(t *topology, conc int) (func(context.Context) error, func()) {
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(filepath.Join(t.pki, "ca.crt")); err == nil {
		pool.AppendCertsFromPEM(pem)
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
