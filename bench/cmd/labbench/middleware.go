package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/learn-grpc/learn-grpc/bench/internal/knobs"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// middlewareRounds is how many times step 6 measures each server, in turns
// (rounds.go).
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
		bareC := &contender{name: "bare", proc: bareProc, call: bare, cpu: &cpu.bare}
		labC := &contender{name: "stage 05", proc: l.stage05, call: full, cpu: &cpu.lab}
		twinC := &contender{name: "the twin", proc: twinProc, call: twin, cpu: &cpu.twin}
		servers := []*contender{bareC, labC, twinC}
		beforeC := &contender{name: "the baseline", proc: beforeProc, call: before, cpu: &cpu.before}
		if before != nil {
			servers = append(servers, beforeC)
		}
		err := measureInTurns(servers, func(s *contender) knobRun {
			return counted(s.proc, func() loadResult { return load(ctx, c, window, s.call) })
		})
		if err != nil {
			return fmt.Errorf("at concurrency %d: %w", c, err)
		}
		var rows, beforeRows []protocolRow
		var twins []float64
		for round, b := range bareC.got {
			f := labC.got[round]
			rows = append(rows, protocolRow{conc: c, grpc: b, rest: f})
			twins = append(twins, twinC.got[round].rps/b.rps)
			if before != nil {
				beforeRows = append(beforeRows, protocolRow{conc: c, grpc: beforeC.got[round], rest: f})
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

// measureInTurns measures each server once a round, in turns (see turns),
// for middlewareRounds rounds or, with more servers than that, a round for
// each, so that every server takes every place once.
func measureInTurns(servers []*contender, measure func(*contender) knobRun) error {
	rounds := max(middlewareRounds, len(servers))
	for round := range rounds {
		for _, i := range turns(round, rounds, len(servers)) {
			s := servers[i]
			r := measure(s)
			if r.errors > 0 {
				return fmt.Errorf("%d calls to %s failed", r.errors, s.name)
			}
			s.cpu.add(r)
			s.got = append(s.got, r.loadResult)
		}
	}
	return nil
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
	return middle(rows, func(r protocolRow) float64 { return r.rest.rps / r.grpc.rps })
}
