package main

import (
	"slices"
	"testing"
	"time"
)

func TestTurnsPutEachThingInEachPlaceOnceInAsManyRounds(t *testing.T) {
	for _, n := range []int{3, 4} { // step 6, and step 6 with -baseline or step 11
		places := make([]map[int]bool, n)
		for i := range places {
			places[i] = map[int]bool{}
		}
		for round := range n {
			for place, thing := range turns(round, n, n) {
				places[thing][place] = true
			}
		}
		for thing, p := range places {
			if len(p) != n {
				t.Errorf("of %d things in %d rounds, %d takes places %v, want each once", n, n, thing, p)
			}
		}
	}
	if got, want := turns(0, 3, 3), []int{0, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("the first round measures %v, want %v", got, want)
	}
}

func TestTurnsSpreadTheStartsOfFewerRoundsThanThings(t *testing.T) {
	// Step 13: twelve rows in three rounds start at 0, 4 and 8.
	var starts []int
	for round := range 3 {
		order := turns(round, 3, 12)
		starts = append(starts, order[0])
		if s := slices.Sorted(slices.Values(order)); !slices.Equal(s, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}) {
			t.Fatalf("round %d measures %v, not each row once", round, order)
		}
	}
	if want := []int{0, 4, 8}; !slices.Equal(starts, want) {
		t.Errorf("the rounds start at %v, want %v", starts, want)
	}
}

func TestMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo(t *testing.T) {
	if got, want := median([]float64{0.99, 0.90, 1.02, 0.94}), 0.965; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("median of four ratios = %v, want %v", got, want)
	}
	us := time.Microsecond
	if got, want := median([]time.Duration{4 * us, 1 * us, 3 * us, 2 * us}), 2500*time.Nanosecond; got != want {
		t.Errorf("median of four durations = %v, want %v", got, want)
	}
	if got, want := median([]float64{3, 1, 2}), 2.0; got != want {
		t.Errorf("median of three = %v, want %v", got, want)
	}
}

func TestMiddleIsARealRunOfTheMedianKey(t *testing.T) {
	runs := []loadResult{{rps: 30, p99: 3}, {rps: 10, p99: 1}, {rps: 20, p99: 2}, {rps: 40, p99: 4}}
	got := middle(runs, func(r loadResult) float64 { return r.rps })
	if got.rps != 30 || got.p99 != 3 {
		t.Errorf("middle of four runs = %+v, want the run of 30 req/s (the upper of the middle two)", got)
	}
	if got := middle(runs[:3], func(r loadResult) float64 { return r.rps }); got.rps != 20 {
		t.Errorf("middle of three runs = %+v, want the run of 20 req/s", got)
	}
}
