package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/learn-grpc/learn-grpc/bench/internal/knobs"
)

// printKnobs prints step 13: each knob's throughput and latency beside
// grpc-go's defaults and JSON over HTTP/1.1, then its allocations and the
// server's memory per connection.
func (r *report) printKnobs(w io.Writer) {
	k := r.knobs
	fmt.Fprintln(w)
	fmt.Fprintln(w, "13. grpc-go's knobs: GetProduct on bareserver with each knob alone and the chosen set, on one gRPC")
	fmt.Fprintln(w, "    connection unless the row says more, against JSON over HTTP/1.1 and a TLS echo (a connection per caller);")
	fmt.Fprintf(w, "    median of %d interleaved rounds; CPU time and system calls (reads and writes) per call from Linux's\n", k.rounds)
	fmt.Fprintln(w, "    /proc/PID, the warm-up's included")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| callers | what | req/s | / defaults | / JSON HTTP/1.1 | p50 | p99 | CPU/call client | CPU/call server "+
		"| syscalls/call client | syscalls/call server |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, row := range k.rows {
		base := row.variants[0].rps
		line := func(name string, l knobRun) {
			fmt.Fprintf(w, "| %d | %s | %.0f | %.2fx | %.2fx | %s | %s | %s | %s | %.2f | %.2f |\n", row.conc, name, l.rps,
				l.rps/base, l.rps/row.h1.rps, ms(l.p50), ms(l.p99), us(l.clientCPU), us(l.serverCPU), l.clientSys, l.serverSys)
		}
		for i, v := range knobs.Variants {
			line(v.Name, row.variants[i])
		}
		line("JSON over HTTP/1.1", row.h1)
		line("TLS echo (the floor)", row.floor)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "    Per call, one caller (BenchmarkKnobs in bench/cmd/bareserver: client and server in one process, TLS\n")
	fmt.Fprintf(w, "    loopback); and the growth of a fresh bareserver's resident memory per connection, %d connections:\n", k.conns)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| what | ns/op | allocs/op | B/op | server memory per connection |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, v := range knobs.Variants {
		b := k.allocs[strings.ReplaceAll(v.Name, " ", "_")]
		mem := "as defaults"
		if kb, ok := k.connKB[v.Name]; ok {
			mem = fmt.Sprintf("%.1f KB", kb)
		}
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %s |\n", v.Name, b.metrics["ns/op"], b.metrics["allocs/op"],
			b.metrics["B/op"], mem)
	}
	if len(k.profiles) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "    CPU profiles of one caller's run (go tool pprof -top FILE):")
		for _, f := range k.profiles {
			fmt.Fprintln(w, "    "+f)
		}
	}
}

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d.Nanoseconds())/1000) }
