package main

import (
	"strings"
	"testing"
	"time"
)

func TestStepElevenMeasuresEachServiceAndTheControl(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Microsecond }
	row := tracingRow{conc: 16,
		runs:   []loadResult{{rps: 1000}, {rps: 900}, {rps: 990}, {rps: 980}},
		ratios: []float64{1, 0.9, 0.99, 0.98},
		cpu:    []time.Duration{ms(1000), ms(1100), ms(1010), ms(1005)},
		services: [][]time.Duration{
			{ms(300), ms(400), ms(150), ms(150)},
			{ms(340), ms(440), ms(160), ms(160)},
			{ms(305), ms(405), ms(150), ms(150)},
			{ms(300), ms(400), ms(150), ms(155)},
		}}
	var out strings.Builder
	r := &report{tracing: tracingResult{rows: []tracingRow{row}}}
	r.printTracing(&out)
	for _, want := range []string{
		"| 16 | 1000 | 900 | 990 | 0.90x | 0.99x | 0.98x |",
		"| callers | gateway | orders | catalog 1 | catalog 2 |\n|---:|---:|---:|---:|---:|\n",
		"| 16 | 300.0 µs / 340.0 µs / 305.0 µs | 400.0 µs / 440.0 µs / 405.0 µs | 150.0 µs / 160.0 µs / 150.0 µs |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("step 11 lacks %q:\n%s", want, out.String())
		}
	}
}
