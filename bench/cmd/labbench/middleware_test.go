package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStepSixGivesEachServersCPUPerCallOverAllRounds(t *testing.T) {
	var bare, lab cpuTally
	// Two rounds: 100 calls at 50 µs and 300 at 70 µs make 65 µs a call.
	bare.add(knobRun{loadResult: loadResult{made: 100}, serverCPU: 50 * time.Microsecond})
	bare.add(knobRun{loadResult: loadResult{made: 300}, serverCPU: 70 * time.Microsecond})
	lab.add(knobRun{loadResult: loadResult{made: 400}, serverCPU: 78 * time.Microsecond})
	twin := cpuTally{cpu: 400 * 65 * time.Microsecond * 99 / 100, calls: 400}
	if got, want := bare.perCall(), 65*time.Microsecond; got != want {
		t.Fatalf("bare took %v a call, want %v", got, want)
	}
	var out strings.Builder
	r := &report{middlewareCPU: []middlewareCPU{{conc: 16, bare: bare, lab: lab, twin: twin}}}
	r.printMiddlewareCPU(&out)
	if want := "| 16 | 65.0 µs | 78.0 µs | 1.20x | 0.99x |\n"; !strings.Contains(out.String(), want) {
		t.Errorf("the table lacks %q:\n%s", want, out.String())
	}
	if strings.Contains(out.String(), "before") {
		t.Errorf("without a baseline, the table has a before column:\n%s", out.String())
	}
}

func TestStepSixLeavesOutCPUWhereProcIsMissing(t *testing.T) {
	var out strings.Builder
	r := &report{middlewareCPU: []middlewareCPU{{conc: 1}}}
	r.printMiddlewareCPU(&out)
	if out.Len() != 0 {
		t.Errorf("with no CPU figures, step 6 printed:\n%s", out.String())
	}
}

func TestStepSixComparesCPUWithTheBaseline(t *testing.T) {
	one := func(d time.Duration) cpuTally { return cpuTally{cpu: d * 10, calls: 10} }
	var out strings.Builder
	r := &report{middlewareCPU: []middlewareCPU{{conc: 1, bare: one(50 * time.Microsecond),
		lab: one(60 * time.Microsecond), twin: one(51 * time.Microsecond), before: one(75 * time.Microsecond)}}}
	r.printMiddlewareCPU(&out)
	want := "| 1 | 50.0 µs | 60.0 µs | 1.20x | 1.02x | 75.0 µs | 0.80x |\n"
	if !strings.Contains(out.String(), want) {
		t.Errorf("the table lacks %q:\n%s", want, out.String())
	}
}

func TestStepSixGivesTheControlsRatio(t *testing.T) {
	var out strings.Builder
	r := &report{middleware: []protocolRow{{conc: 1}, {conc: 16}}, middlewareTwin: []float64{0.97, 1.01}}
	r.printMiddleware(&out)
	if want := "did 0.97x the bare server's\n   requests with one caller and 1.01x with 16"; !strings.Contains(out.String(), want) {
		t.Errorf("step 6 lacks %q:\n%s", want, out.String())
	}
}

func TestStepSixPairsEachRoundsResultsAndRotatesTheOrder(t *testing.T) {
	for _, n := range []int{3, 4} { // 4: with -baseline
		servers := make([]*contender, n)
		for i := range servers {
			servers[i] = &contender{name: fmt.Sprint("server ", i), cpu: new(cpuTally)}
		}
		var order []string
		measured := map[*contender]int{}
		err := measureInTurns(servers, func(s *contender) knobRun {
			order = append(order, s.name)
			measured[s]++
			// 100 × the server, plus the round: each result names its own.
			rps := float64(100*slices.Index(servers, s) + measured[s] - 1)
			return knobRun{loadResult: loadResult{rps: rps}}
		})
		if err != nil {
			t.Fatal(err)
		}
		rounds := max(middlewareRounds, n)
		for i, s := range servers {
			if len(s.got) != rounds {
				t.Fatalf("with %d servers, %s was measured %d times, want %d", n, s.name, len(s.got), rounds)
			}
			for round, r := range s.got {
				if want := float64(100*i + round); r.rps != want {
					t.Errorf("with %d servers, %s's round %d holds %v, want %v",
						n, s.name, round, r.rps, want)
				}
			}
		}
		firsts := map[string]bool{}
		for round := range rounds {
			firsts[order[round*n]] = true
		}
		if len(firsts) != n {
			t.Errorf("with %d servers the rounds began with %v: some server is never first", n, firsts)
		}
	}
}

func TestStepSixStopsAtAFailedServer(t *testing.T) {
	servers := []*contender{{name: "bare", cpu: new(cpuTally)}, {name: "stage 05", cpu: new(cpuTally)}}
	err := measureInTurns(servers, func(s *contender) knobRun {
		if s.name == "stage 05" {
			return knobRun{loadResult: loadResult{errors: 3}}
		}
		return knobRun{}
	})
	if err == nil || !strings.Contains(err.Error(), "3 calls to stage 05 failed") {
		t.Errorf("err = %v, want the failed server named", err)
	}
}
