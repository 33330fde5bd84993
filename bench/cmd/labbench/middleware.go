package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/learn-grpc/learn-grpc/bench/internal/knobs"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// middlewareRounds is how many times step 6 measures each server, in turns,
// so that a burst of noise on a shared machine moves one round and not the
// median.
const middlewareRounds = 3

// measureMiddleware compares GetProduct on bareserver with stage 05's full
// chain, middlewareRounds times in turn at each concurrency, and keeps the
// round of the median ratio. The bare server runs the transport settings
// stage 05's server adopts (knobs.Chosen), so that what differs is the
// chain, the limits and the handler's check of the id. A twin of the bare
// server is the control: its ratio to the first is what the step reads
// where nothing differs. With baseline, a lab checkout of another commit,
// its stage 05 is measured in the same rounds.
func measureMiddleware(ctx context.Context, baseline string, l *lab, window time.Duration, rep *report) error {
	bareProc, err := l.freshBare("bare-chosen.log", knobs.Chosen.Args()...)
	if err != nil {
		return err
	}
	defer stopProcess(bareProc)
	twinProc, err := l.freshBare("bare-twin.log", knobs.Chosen.Args()...)
	if err != nil {
		return err
	}
	defer stopProcess(twinProc)
	bareConn, err := grpcConn(l, bareProc.addr)
	if err != nil {
		return err
	}
	defer bareConn.Close()
	twinConn, err := grpcConn(l, twinProc.addr)
	if err != nil {
		return err
	}
	defer twinConn.Close()
	labConn, err := grpcConn(l, l.stage05.addr)
	if err != nil {
		return err
	}
	defer labConn.Close()
	bare := getProduct(catalogv1.NewProductCatalogServiceClient(bareConn), l.token)
	full := getProduct(catalogv1.NewProductCatalogServiceClient(labConn), l.token)
	twin := getProduct(catalogv1.NewProductCatalogServiceClient(twinConn), l.token)
	var before func(context.Context) error
	var beforeProc *process
	if baseline != "" {
		out := filepath.Join(l.tmp, "server05before")
		if err := build(ctx, filepath.Join(baseline, "05-auth"), "./cmd/server", out); err != nil {
			return fmt.Errorf("stage 05 of %s: %w", baseline, err)
		}
		p, err := start(ctx, out, filepath.Join(l.tmp, "server05before.log"), 1, l.authArgs()...)
		if err != nil {
			return err
		}
		defer stopProcess(p)
		beforeProc = p
		conn, err := grpcConn(l, p.addr)
		if err != nil {
			return err
		}
		defer conn.Close()
		before = getProduct(catalogv1.NewProductCatalogServiceClient(conn), l.token)
	}
	for _, c := range []int{1, 16} {
		cpu := middlewareCPU{conc: c}
		servers := []*contender{{"bare", bareProc, bare, &cpu.bare, nil}, {"stage 05", l.stage05, full, &cpu.lab, nil},
			{"twin", twinProc, twin, &cpu.twin, nil}}
		if before != nil {
			servers = append(servers, &contender{"the baseline", beforeProc, before, &cpu.before, nil})
		}
		if err := measureInTurns(ctx, c, window, servers); err != nil {
			return err
		}
		var rows, beforeRows []protocolRow
		var twins []float64
		for round := range middlewareRounds {
			b, f := servers[0].got[round], servers[1].got[round]
			rows = append(rows, protocolRow{conc: c, grpc: b, rest: f})
			twins = append(twins, servers[2].got[round].rps/b.rps)
			if before != nil {
				beforeRows = append(beforeRows, protocolRow{conc: c, grpc: servers[3].got[round], rest: f})
			}
		}
		rep.middleware = append(rep.middleware, medianRound(rows))
		rep.middlewareTwin = append(rep.middlewareTwin, median(twins))
		rep.middlewareCPU = append(rep.middlewareCPU, cpu)
		if before != nil {
			rep.middlewareBefore = append(rep.middlewareBefore, medianRound(beforeRows))
		}
	}
	return nil
}

// contender is a server step 6 measures once a round: its results by round,
// and its CPU time over all of them.
type contender struct {
	name string
	proc *process
	call func(context.Context) error
	cpu  *cpuTally
	got  []loadResult
}

// measureInTurns loads each server once a round, middlewareRounds times, and
// starts each round one server later, so that no server is always measured
// first: a machine that speeds up or slows down within a round then moves
// every server alike.
func measureInTurns(ctx context.Context, conc int, window time.Duration, servers []*contender) error {
	for round := range middlewareRounds {
		for _, i := range turns(round, len(servers)) {
			s := servers[i]
			r := counted(s.proc, func() loadResult { return load(ctx, conc, window, s.call) })
			if r.errors > 0 {
				return fmt.Errorf("calls to %s failed at concurrency %d: %d", s.name, conc, r.errors)
			}
			s.cpu.add(r)
			s.got = append(s.got, r.loadResult)
		}
	}
	return nil
}

// turns is the order in which round measures n servers: each round starts
// one later than the round before.
func turns(round, n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = (round + i) % n
	}
	return order
}

// middlewareCPU is the CPU time each server of step 6 spent, over all the
// rounds at one concurrency: steadier than throughput on a shared machine.
type middlewareCPU struct {
	conc                    int
	bare, lab, twin, before cpuTally
}

// cpuTally sums a server's CPU time and the calls it served.
type cpuTally struct {
	cpu   time.Duration
	calls int
}

func (s *cpuTally) add(r knobRun) {
	s.cpu += r.serverCPU * time.Duration(r.made)
	s.calls += r.made
}

// perCall is the CPU time a call took, or 0 where /proc is missing.
func (s cpuTally) perCall() time.Duration {
	if s.calls == 0 {
		return 0
	}
	return s.cpu / time.Duration(s.calls)
}

// medianRound returns the round whose ratio (rest over grpc) is the median.
func medianRound(rows []protocolRow) protocolRow {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b protocolRow) int {
		ra, rb := a.rest.rps/a.grpc.rps, b.rest.rps/b.grpc.rps
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return 0
	})
	return rows[len(rows)/2]
}
