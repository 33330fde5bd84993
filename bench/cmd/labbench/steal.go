package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// machineTime is the whole machine's CPU time so far, in clock ticks, from
// Linux's /proc/stat: all of it, and steal, the time a hypervisor gave to
// other virtual machines while this one had work to run.
type machineTime struct{ total, steal uint64 }

// readMachineTime reads the first line of /proc/stat ("cpu user nice system idle
// iowait irq softirq steal ..."); ok is false where there is none or it
// cannot be parsed.
func readMachineTime() (t machineTime, ok bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineTime{}, false
	}
	return parseMachineTime(string(data))
}

// parseMachineTime sums the first eight counters of stat's "cpu" line and
// keeps the eighth, steal.
func parseMachineTime(stat string) (t machineTime, ok bool) {
	line, _, _ := strings.Cut(stat, "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return machineTime{}, false
	}
	// guest and guest_nice, after steal, are counted in user and nice already.
	for i, f := range fields[1:9] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return machineTime{}, false
		}
		t.total += n
		if i == 7 {
			t.steal = n
		}
	}
	return t, true
}

// quietSteal is the most steal, in percent of the CPU time, that a step may
// see for its figures to count as measured on a quiet machine.
const quietSteal = 5.0

// stealMeter follows the steal of a run and of each of its steps.
type stealMeter struct {
	run, step     machineTime
	runOK, stepOK bool // false where /proc/stat could not be read
	worst         float64
	worstStep     string
}

func newStealMeter() *stealMeter {
	t, ok := readMachineTime()
	return &stealMeter{run: t, runOK: ok}
}

func (m *stealMeter) startStep() { m.step, m.stepOK = readMachineTime() }

// endStep returns the steal of the step since startStep, in percent.
func (m *stealMeter) endStep(number string) (pct float64, ok bool) {
	if !m.stepOK {
		return 0, false
	}
	pct, ok = stealSince(m.step)
	if ok && pct > m.worst {
		m.worst, m.worstStep = pct, number
	}
	return pct, ok
}

// summary is the run's steal for the report's first line; "" where unknown.
func (m *stealMeter) summary() string {
	if !m.runOK {
		return ""
	}
	pct, ok := stealSince(m.run)
	if !ok {
		return ""
	}
	return describeSteal(pct, m.worst, m.worstStep)
}

// describeSteal is the report's phrase for a run that lost run percent of
// the CPU time, worst of it in worstStep. Either above quietSteal makes the
// run not quiet.
func describeSteal(run, worst float64, worstStep string) string {
	s := fmt.Sprintf("; steal %.1f%% of the CPU time", run)
	switch {
	case worst > quietSteal:
		s += fmt.Sprintf(", %.1f%% in step %s: not a quiet machine", worst, worstStep)
	case run > quietSteal:
		s += ": not a quiet machine"
	}
	return s
}

// stealSince is the steal since t, in percent of the CPU time since t.
func stealSince(t machineTime) (float64, bool) {
	now, ok := readMachineTime()
	if !ok {
		return 0, false
	}
	return stealShare(t, now)
}

// stealShare is the steal between two readings, in percent; ok is false
// when a counter went backwards (a reset) or no time passed.
func stealShare(from, to machineTime) (pct float64, ok bool) {
	if to.total <= from.total || to.steal < from.steal {
		return 0, false
	}
	return 100 * float64(to.steal-from.steal) / float64(to.total-from.total), true
}

// notQuiet marks a step's steal above quietSteal.
func notQuiet(pct float64) string {
	if pct > quietSteal {
		return ": not a quiet machine"
	}
	return ""
}
