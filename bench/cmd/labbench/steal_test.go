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
