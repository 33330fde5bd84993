package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// protocolRow compares two load runs at one concurrency: grpc against rest
// for the protocols, bare (in grpc) against the lab's full chain (in rest)
// for the middleware.
type protocolRow struct {
	conc       int
	grpc, rest loadResult
}

type report struct {
	encoding   []benchLine
	protocols  []protocolRow
	middleware []protocolRow
	fanOut     benchLine
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

func (r *report) print(w io.Writer, machine string) {
	fmt.Fprintf(w, "learn-grpc benchmarks — %s\n\n", machine)

	fmt.Fprintln(w, "1. Encoding the lab's messages (go test -bench Encoding, in bench/)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| message / codec / op | bytes | ns/op | allocs/op | vs protobuf |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	base := map[string]float64{}
	for _, l := range r.encoding {
		parts := strings.Split(strings.TrimPrefix(l.name, "BenchmarkEncoding/"), "/")
		if len(parts) == 3 && parts[1] == "protobuf" {
			base[parts[0]+"/"+parts[2]] = l.metrics["ns/op"]
		}
	}
	for _, l := range r.encoding {
		name := strings.TrimPrefix(l.name, "BenchmarkEncoding/")
		parts := strings.Split(name, "/")
		ratio := ""
		if len(parts) == 3 && base[parts[0]+"/"+parts[2]] > 0 {
			ratio = fmt.Sprintf("%.1fx", l.metrics["ns/op"]/base[parts[0]+"/"+parts[2]])
		}
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %s |\n", name, l.metrics["bytes"], l.metrics["ns/op"], l.metrics["allocs/op"], ratio)
	}

	comparison(w, "2. GetProduct on the stage-06 server: gRPC (HTTP/2) against REST/JSON (HTTP/1.1) through the gateway",
		"gRPC", "REST", "gRPC / REST", r.protocols, func(row protocolRow) float64 { return row.grpc.rps / row.rest.rps })
	comparison(w, "3. The middleware's cost: bare grpc-go against stage 05 (recovery, logging, auth with a real token)",
		"bare", "stage 05", "stage 05 / bare", r.middleware, func(row protocolRow) float64 { return row.rest.rps / row.grpc.rps })

	fmt.Fprintln(w)
	fmt.Fprintln(w, "4. Fan-out: stage 03's feed (go test -bench FanOut, in 03-server-stream/)")
	fmt.Fprintln(w)
	m := r.fanOut.metrics
	fmt.Fprintln(w, "| watchers | one change reaches all | memory per stream (client and server) | goroutines per stream |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|")
	fmt.Fprintf(w, "| %.0f | %s | %.1f KB | %.1f |\n", m["watchers"], ms(time.Duration(m["ns/op"])), m["B/stream"]/1024, m["goroutines/stream"])
}

// comparison prints two load runs per concurrency side by side, a then b,
// with the ratio of their throughputs that ratio computes.
func comparison(w io.Writer, title, a, b, ratioLabel string, rows []protocolRow, ratio func(protocolRow) float64) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, title)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| callers | %s req/s | %s req/s | %s | %s p50 | %s p50 | %s p99 | %s p99 |\n", a, b, ratioLabel, a, b, a, b)
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, row := range rows {
		fmt.Fprintf(w, "| %d | %.0f | %.0f | %.2fx | %s | %s | %s | %s |\n", row.conc, row.grpc.rps, row.rest.rps,
			ratio(row), ms(row.grpc.p50), ms(row.rest.p50), ms(row.grpc.p99), ms(row.rest.p99))
	}
}
