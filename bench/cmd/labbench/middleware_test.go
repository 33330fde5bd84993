package main

import (
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

func TestStepSixPutsEachServerInEachPlaceOnce(t *testing.T) {
	// With three servers and three rounds, none is always first or last.
	for n := 3; n <= 4; n++ {
		places := make([]map[int]bool, n)
		for i := range places {
			places[i] = map[int]bool{}
		}
		for round := range n {
			order := turns(round, n)
			if len(order) != n {
				t.Fatalf("round %d of %d servers measures %v", round, n, order)
			}
			for place, server := range order {
				places[server][place] = true
			}
		}
		for server, p := range places {
			if len(p) != n {
				t.Errorf("with %d servers, server %d takes places %v in %d rounds, want each once", n, server, p, n)
			}
		}
	}
	if got, want := turns(0, 3), []int{0, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("the first round measures %v, want %v", got, want)
	}
}
