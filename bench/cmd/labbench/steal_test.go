package main

import "testing"

func TestParseMachineTimeAddsTheFirstEightFieldsAndKeepsSteal(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       machineTime
		ok         bool
	}{
		{"a kernel with guest fields", "cpu  10 1 20 300 4 0 5 60 7 0\ncpu0 5 0 10 150 2 0 2 30 0 0\n",
			machineTime{total: 400, steal: 60}, true},
		{"a kernel without them", "cpu 10 1 20 300 4 0 5 60\n", machineTime{total: 400, steal: 60}, true},
		{"an old kernel with no steal field", "cpu 10 1 20 300 4 0 5\n", machineTime{}, false},
		{"not a number", "cpu 10 1 20 x 4 0 5 60\n", machineTime{}, false},
		{"no cpu line first", "intr 1 2 3\n", machineTime{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseMachineTime(tc.stat)
			if got != tc.want || ok != tc.ok {
				t.Errorf("parseMachineTime = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestARunIsCalledNotQuietWhenItOrOneStepLostMoreThanFivePercent(t *testing.T) {
	for _, tc := range []struct {
		name       string
		run, worst float64
		want       string
	}{
		{"a quiet run", 0.4, 1.2, "; steal 0.4% of the CPU time"},
		{"a step at the limit", 2, 5, "; steal 2.0% of the CPU time"},
		{"a step beyond it", 3.1, 13.6, "; steal 3.1% of the CPU time, 13.6% in step 2: not a quiet machine"},
		{"a run beyond it, no step", 5.5, 4.9, "; steal 5.5% of the CPU time: not a quiet machine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := describeSteal(tc.run, tc.worst, "2"); got != tc.want {
				t.Errorf("describeSteal = %q, want %q", got, tc.want)
			}
		})
	}
}
