package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
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

// directRow is one concurrency of the protocols alone, on bareserver.
type directRow struct {
	conc         int
	grpc, h1, h2 loadResult
}

// floorRow is the loopback floor: a TLS echo of a call's sizes, and gRPC.
type floorRow struct {
	bytesIn, bytesOut int
	echo, grpc        loadResult
}

// memoryRow is server memory per open stream, lab against bare.
type memoryRow struct {
	streams       int
	labKB, bareKB float64
}

// hostileRow is what hostile clients did to a fresh stage-06 server.
type hostileRow struct {
	floodOpened, floodRefused, floodOther int
	floodGrowthMB                         float64
	secondClient                          time.Duration
	bodyStatuses                          map[string]int
	bodyGrowthMB                          float64
	stopCodes                             map[string]string
	stopTime                              time.Duration
}

type report struct {
	encoding         []benchLine
	direct           []directRow
	protocols        []protocolRow
	floor            floorRow
	streamVsUnary    []protocolRow
	middleware       []protocolRow
	middlewareBefore []protocolRow // grpc: stage 05 of the baseline, rest: this one
	middlewareCPU    []middlewareCPU
	middlewareTwin   []float64 // the bare server's twin against it, by concurrency
	memory           memoryRow
	fanOut           benchLine
	hostile          hostileRow
	split            []protocolRow
	splitBefore      []protocolRow // grpc: stage 07 of the baseline, rest: this one
	kill             killRow
	tracing          tracingResult
	web              webResult
	webBefore        []protocolRow // Connect JSON; grpc: stage 09 of the baseline, rest: this one
	knobs            knobsResult
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

func (r *report) print(w io.Writer, machine string) {
	fmt.Fprintf(w, "learn-grpc benchmarks — %s\n", machine)
	// -only runs some steps: print the sections of those alone.
	sections := []struct {
		measured bool
		print    func(io.Writer)
	}{
		{len(r.encoding) > 0, r.printEncoding},
		{len(r.direct) > 0, r.printDirect},
		{len(r.protocols) > 0, r.printProtocols},
		{r.floor.grpc.rps > 0, r.printFloor},
		{len(r.streamVsUnary) > 0, r.printStreamVsUnary},
		{len(r.middleware) > 0, r.printMiddleware},
		{r.memory.streams > 0, r.printMemory},
		{r.fanOut.metrics != nil, r.printFanOut},
		{r.hostile.stopCodes != nil || r.hostile.floodOpened > 0, r.printHostile},
		{len(r.split) > 0, r.printSplit},
		{len(r.tracing.rows) > 0, r.printTracing},
		{len(r.web.rows) > 0, r.printWeb},
		{len(r.knobs.rows) > 0, r.printKnobs},
	}
	for _, sec := range sections {
		if sec.measured {
			sec.print(w)
		}
	}
}

func (r *report) printEncoding(w io.Writer) {
	fmt.Fprintln(w)
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
}

func (r *report) printDirect(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "2. The protocols alone: GetProduct on bareserver (one lookup, one certificate, no middleware),")
	fmt.Fprintln(w, "   over gRPC and as REST/JSON served directly by net/http, over HTTP/1.1 (keep-alive) and HTTP/2")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| callers | gRPC req/s | JSON HTTP/1.1 req/s | JSON HTTP/2 req/s | gRPC / HTTP/1.1 | gRPC / HTTP/2 | gRPC p50 | HTTP/1.1 p50 | HTTP/2 p50 | gRPC p99 | HTTP/1.1 p99 | HTTP/2 p99 |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range r.direct {
		fmt.Fprintf(w, "| %d | %.0f | %.0f | %.0f | %.2fx | %.2fx | %s | %s | %s | %s | %s | %s |\n", r.conc,
			r.grpc.rps, r.h1.rps, r.h2.rps, r.grpc.rps/r.h1.rps, r.grpc.rps/r.h2.rps,
			ms(r.grpc.p50), ms(r.h1.p50), ms(r.h2.p50), ms(r.grpc.p99), ms(r.h1.p99), ms(r.h2.p99))
	}
}

func (r *report) printProtocols(w io.Writer) {
	comparison(w, "3. Through the lab's gateway: GetProduct on the stage-06 server over gRPC, and over REST/JSON (HTTP/1.1)\n"+
		"   through grpc-gateway, which adds a hop to the server's own gRPC port",
		"gRPC", "REST via gateway", "gRPC / REST", r.protocols, func(row protocolRow) float64 { return row.grpc.rps / row.rest.rps })
}

func (r *report) printFloor(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "4. The loopback floor: a TLS ping-pong of GetProduct's sizes (%d bytes out, %d back) on one connection, one caller\n",
		r.floor.bytesIn, r.floor.bytesOut)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| | p50 | p99 | req/s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	fmt.Fprintf(w, "| TLS echo | %s | %s | %.0f |\n", ms(r.floor.echo.p50), ms(r.floor.echo.p99), r.floor.echo.rps)
	fmt.Fprintf(w, "| gRPC (bareserver) | %s | %s | %.0f |\n", ms(r.floor.grpc.p50), ms(r.floor.grpc.p99), r.floor.grpc.rps)
	fmt.Fprintf(w, "| gRPC p50 / floor p50 | %.1fx | | |\n", float64(r.floor.grpc.p50)/float64(r.floor.echo.p50))
}

func (r *report) printStreamVsUnary(w io.Writer) {
	comparison(w, "5. A bidirectional stream used like unary (send a request, read its answer, on one stream per caller)\n"+
		"   against unary calls, on bareserver",
		"unary", "stream", "stream / unary", r.streamVsUnary, func(row protocolRow) float64 { return row.rest.rps / row.grpc.rps })
}

func (r *report) printMiddleware(w io.Writer) {
	comparison(w, "6. The middleware's cost: bare grpc-go against stage 05 (recovery, logging, auth with a real token, every limit),\n"+
		"   both with stage 05's transport settings (static windows, no read buffer, stream workers);\n"+
		"   bare, stage 05 and a twin of bare take turns, each round one server later; the round of\n"+
		"   the median ratio of three (four with -baseline; of four, the upper middle)",
		"bare", "stage 05", "stage 05 / bare", r.middleware, func(row protocolRow) float64 { return row.rest.rps / row.grpc.rps })
	if len(r.middlewareTwin) == 2 {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "   The control, a twin of the bare server, did %.2fx the bare server's\n"+
			"   requests with one caller and %.2fx with 16 (medians of the rounds): what the step reads where nothing differs\n",
			r.middlewareTwin[0], r.middlewareTwin[1])
	}
	if len(r.middlewareBefore) > 0 {
		comparison(w, "   The same GetProduct on stage 05 of the baseline (-baseline) against this one, in the same rounds",
			"before", "now", "now / before", r.middlewareBefore, func(row protocolRow) float64 { return row.rest.rps / row.grpc.rps })
	}
	r.printMiddlewareCPU(w)
}

// printMiddlewareCPU prints each server's CPU time per call in step 6, over
// all its rounds, where /proc gave it.
func (r *report) printMiddlewareCPU(w io.Writer) {
	if len(r.middlewareCPU) == 0 || r.middlewareCPU[0].bare.perCall() == 0 {
		return
	}
	baseline := r.middlewareCPU[0].before.calls > 0
	fmt.Fprintln(w)
	fmt.Fprintln(w, "   The servers' CPU time per call over all the rounds (Linux's /proc/PID/stat, the warm-ups included)")
	fmt.Fprintln(w)
	if baseline {
		fmt.Fprintln(w, "| callers | bare | stage 05 | stage 05 / bare | control / bare | before | now / before |")
		fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|")
	} else {
		fmt.Fprintln(w, "| callers | bare | stage 05 | stage 05 / bare | control / bare |")
		fmt.Fprintln(w, "|---:|---:|---:|---:|---:|")
	}
	for _, c := range r.middlewareCPU {
		bare, lab, twin := c.bare.perCall(), c.lab.perCall(), c.twin.perCall()
		fmt.Fprintf(w, "| %d | %s | %s | %.2fx | %.2fx |", c.conc, us(bare), us(lab), float64(lab)/float64(bare),
			float64(twin)/float64(bare))
		if before := c.before.perCall(); baseline && before > 0 {
			fmt.Fprintf(w, " %s | %.2fx |", us(before), float64(lab)/float64(before))
		} else if baseline {
			fmt.Fprint(w, " | |")
		}
		fmt.Fprintln(w)
	}
}

func (r *report) printMemory(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "7. Server memory per open stream, %d streams, %d to a connection (resident memory of the server process alone)\n",
		r.memory.streams, streamsPerConn)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| stage 06 WatchProducts | bare grpc-go, a stream that only holds | stage 06 / bare |")
	fmt.Fprintln(w, "|---:|---:|---:|")
	fmt.Fprintf(w, "| %.1f KB | %.1f KB | %.2fx |\n", r.memory.labKB, r.memory.bareKB, r.memory.labKB/r.memory.bareKB)
}

func (r *report) printFanOut(w io.Writer) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "8. Fan-out: stage 03's feed (go test -bench FanOut, in 03-server-stream/)")
	fmt.Fprintln(w)
	m := r.fanOut.metrics
	fmt.Fprintln(w, "| watchers | one change reaches all | memory per stream (client and server) | goroutines per stream |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|")
	fmt.Fprintf(w, "| %.0f | %s | %.1f KB | %.1f |\n", m["watchers"], ms(time.Duration(m["ns/op"])), m["B/stream"]/1024, m["goroutines/stream"])
}

func (r *report) printHostile(w io.Writer) {
	h := r.hostile
	fmt.Fprintln(w)
	fmt.Fprintln(w, "9. Hostile clients against a fresh stage-06 server each")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| attack | what the clients saw | server's peak memory growth |")
	fmt.Fprintln(w, "|---|---|---:|")
	fmt.Fprintf(w, "| one connection asks for 20,000 watch streams | %d opened, %d ResourceExhausted, %d other; a second client's GetProduct took %s | %.1f MB |\n",
		h.floodOpened, h.floodRefused, h.floodOther, ms(h.secondClient), h.floodGrowthMB)
	fmt.Fprintf(w, "| eight 64 MiB POST /v1/orders bodies at once | %s | %.1f MB |\n", counts(h.bodyStatuses), h.bodyGrowthMB)
	fmt.Fprintf(w, "| SIGTERM with a health watch, a product watch and a tracker open (grace 10 s) | stopped in %s; %s | |\n",
		ms(h.stopTime), pairs(h.stopCodes))
}

// printTracing prints step 11: what tracing costs, at 100% and sampled.
func (r *report) printTracing(w io.Writer) {
	t := r.tracing
	fmt.Fprintln(w)
	fmt.Fprintln(w, "11. The cost of tracing: CreateOrder through stage 08's gateway (REST, HTTP/1.1), untraced against\n"+
		"    every request traced, and against one trace in ten (parentbased_traceidratio 0.1), exported over\n"+
		"    OTLP/HTTP to a local collector that discards them; and a control, a second untraced copy, whose\n"+
		"    ratio is the run's own noise; four rounds in which the modes take turns: req/s and p99\n"+
		"    from each mode's run of upper-middle req/s, ratios and CPU the medians (mean of the middle two)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| callers | off req/s | traced req/s | sampled req/s | traced / off | sampled / off | control / off "+
		"| off p99 | traced p99 | sampled p99 | services' CPU per order, off / traced / sampled / control |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, row := range t.rows {
		fmt.Fprintf(w, "| %d | %.0f | %.0f | %.0f | %.2fx | %.2fx | %.2fx | %s | %s | %s | %s / %s / %s / %s |\n",
			row.conc, row.runs[0].rps, row.runs[1].rps, row.runs[2].rps, row.ratios[1], row.ratios[2], row.ratios[3],
			ms(row.runs[0].p99), ms(row.runs[1].p99), ms(row.runs[2].p99),
			ms(row.cpu[0]), ms(row.cpu[1]), ms(row.cpu[2]), ms(row.cpu[3]))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "    Each service's CPU per order, off / traced / sampled / control (the catalog replicas share the orders):")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| callers | gateway | orders |")
	for i := range len(t.rows[0].services[0]) - 2 {
		fmt.Fprintf(w, " catalog %d |", i+1)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "|---:"+strings.Repeat("|---:", len(t.rows[0].services[0]))+"|")
	for _, row := range t.rows {
		fmt.Fprintf(w, "| %d |", row.conc)
		for s := range row.services[0] {
			fmt.Fprintf(w, " %s / %s / %s / %s |", us(row.services[0][s]), us(row.services[1][s]), us(row.services[2][s]),
				us(row.services[3][s]))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "    The collector received %d exports. Per CreateOrder over gRPC, orders and a catalog in one process\n", t.exports)
	fmt.Fprintln(w, "    (BenchmarkCreateOrder in 08-observability/internal/telemetry):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| | allocs/op | B/op |")
	fmt.Fprintln(w, "|---|---:|---:|")
	for _, mode := range []string{"off", "traced", "sampled"} {
		fmt.Fprintf(w, "| %s | %.0f (%+.0f) | %.0f (%+.0f) |\n", mode, t.allocs[mode], t.allocs[mode]-t.allocs["off"],
			t.bytes[mode], t.bytes[mode]-t.bytes["off"])
	}
}

// printSplit prints step 10: the price of the split, and a replica killed.
func (r *report) printSplit(w io.Writer) {
	comparison(w, "10. The price of the split: CreateOrder on the stage-06 server (stock in its own memory) against\n"+
		"    stage 07's orders, which asks one of two catalog replicas for the price and the stock over mutual TLS",
		"06", "07", "07 / 06", r.split, func(row protocolRow) float64 { return row.rest.rps / row.grpc.rps })
	if len(r.splitBefore) > 0 {
		comparison(w, "    The same CreateOrder on stage 07 of the baseline (-baseline) against this one",
			"before", "now", "now / before", r.splitBefore, func(row protocolRow) float64 { return row.rest.rps / row.grpc.rps })
	}
	k := r.kill
	fmt.Fprintln(w)
	fmt.Fprintln(w, "    A catalog replica killed (SIGKILL) a third of the way through a run of CreateOrder from 16 callers:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| calls | failed | slowed (over 10× the median before the kill) | median before | kill to the end of the last failed or slowed call |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|")
	fmt.Fprintf(w, "| %d | %d %s | %d | %s | %s |\n", k.calls, k.failed, counts(k.codes), k.slowed, ms(k.baseP50), ms(k.lastHit))
}

func counts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d × %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

func pairs(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+": "+m[k])
	}
	return strings.Join(parts, ", ")
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
