package main

import (
	"testing"

	"github.com/learn-grpc/learn-grpc/shared/checks"
)

// TestProgressSaysWhatToDoNext holds the last line of lab progress: go on
// with a stage not yet done, or start the next from the learner's own.
func TestProgressSaysWhatToDoNext(t *testing.T) {
	progress := func(reached map[string]int) []stageProgress {
		var all []stageProgress
		for _, c := range checks.All() {
			n, ok := reached[c.Stage[:2]]
			if n < 0 {
				n = len(c.Milestones)
			}
			all = append(all, stageProgress{check: c, started: ok, reached: n})
		}
		return all
	}
	const done = -1
	tests := []struct {
		name    string
		reached map[string]int
		want    string
	}{
		{"nothing started", nil, "go tool lab start 01, to build the first stage yourself"},
		{"a stage under way", map[string]int{"01": done, "02": 3},
			"go tool lab check 02 --mine, and build what it asks for next"},
		{"a stage done", map[string]int{"01": done, "02": done},
			"go tool lab start 03 --from ../learn-grpc-mine/02-unary"},
		{"every stage done", everyStage(done), "nothing: every stage is done. Try each README's exercises"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextStep(progress(tt.reached)); got != tt.want {
				t.Errorf("nextStep() = %q, want %q", got, tt.want)
			}
		})
	}
}

// everyStage gives every stage of the lab the same progress n.
func everyStage(n int) map[string]int {
	reached := map[string]int{}
	for _, c := range checks.All() {
		reached[c.Stage[:2]] = n
	}
	return reached
}
