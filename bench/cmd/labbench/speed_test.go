package main

import (
	"testing"
	"time"
)

func TestARunIsCalledNotQuietWhenTheMachineChangedSpeed(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    speedRange
		want string
	}{
		{"a steady run", speedRange{0.97, 1.04}, "; speed 0.97-1.04x the run's first reading"},
		{"at the limits", speedRange{0.85, 1.18}, "; speed 0.85-1.18x the run's first reading"},
		{"a slower step", speedRange{0.48, 1},
			"; speed 0.48-1.00x the run's first reading, 0.48x in step 11: not a quiet machine"},
		{"a slow start, then fast", speedRange{1, 1.6},
			"; speed 1.00-1.60x the run's first reading, 1.60x in step 2 (or that first reading was slow): not a quiet machine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := describeSpeed(tc.r, "11", "2"); got != tc.want {
				t.Errorf("describeSpeed = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTheMeterKeepsTheSlowestAndFastestStep(t *testing.T) {
	// The first reading, then a start and an end for each of three steps.
	readings := []time.Duration{10, 10, 11, 10, 20, 8, 9}
	m := newSpeedMeter(func() time.Duration { d := readings[0]; readings = readings[1:]; return d })
	for _, step := range []string{"2", "3", "4"} {
		m.startStep()
		m.endStep(step)
	}
	want := "; speed 0.50-1.25x the run's first reading, 0.50x in step 3, 1.25x in step 4 (or that first reading was slow)" +
		": not a quiet machine"
	if got := m.summary(); got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}

func TestTheWorkTakesTime(t *testing.T) {
	if d := workTime(); d <= 0 {
		t.Errorf("workTime = %v, want more than nothing", d)
	}
}

func TestAReadingIsJudgedAsItIsPrinted(t *testing.T) {
	// 1000/1178 is 0.8489: printed 0.85, so judged at 0.85, which is quiet.
	readings := []time.Duration{1000, 1000, 1178}
	m := newSpeedMeter(func() time.Duration { d := readings[0]; readings = readings[1:]; return d })
	m.startStep()
	if got, want := describeStepSpeed(m.endStep("2")), "speed 0.85-1.00x the run's first reading"; got != want {
		t.Errorf("describeStepSpeed = %q, want %q", got, want)
	}
}
