package main

import (
	"strings"
	"testing"
	"time"
)

func TestStepElevenMeasuresEachServiceAndTheControl(t *testing.T) {
	micro := func(n int) time.Duration { return time.Duration(n) * time.Microsecond }
	row := tracingRow{conc: 16,
		runs:   []loadResult{{rps: 1000}, {rps: 900}, {rps: 990}, {rps: 980}},
		ratios: []float64{1, 0.9, 0.99, 0.98},
		cpu:    []time.Duration{micro(1000), micro(1100), micro(1010), micro(1005)},
		services: [][]time.Duration{
			{micro(300), micro(400), micro(150), micro(150)},
			{micro(340), micro(440), micro(160), micro(160)},
			{micro(305), micro(405), micro(150), micro(150)},
			{micro(300), micro(400), micro(150), micro(155)},
		}}
	var out strings.Builder
	r := &report{tracing: tracingResult{rows: []tracingRow{row}}}
	r.printTracing(&out)
	for _, want := range []string{
		"| 16 | 1000 | 900 | 990 | 0.90x | 0.99x | 0.98x |",
		"| callers | gateway | orders | catalog 1 | catalog 2 |\n|---:|---:|---:|---:|---:|\n",
		"| 16 | 300.0 µs / 340.0 µs / 305.0 µs / 300.0 µs | 400.0 µs / 440.0 µs / 405.0 µs / 400.0 µs |" +
			" 150.0 µs / 160.0 µs / 150.0 µs / 150.0 µs | 150.0 µs / 160.0 µs / 150.0 µs / 155.0 µs |\n",
		"| 1.000 ms / 1.100 ms / 1.010 ms / 1.005 ms |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("step 11 lacks %q:\n%s", want, out.String())
		}
	}
}
