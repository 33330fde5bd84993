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
// iowait irq softirq steal ..."); ok is false where there is none.
func readMachineTime() (t machineTime, ok bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineTime{}, false
	}
	return parseMachineTime(string(data))
}

func parseMachineTime(stat string) (t machineTime, ok bool) {
	line, _, _ := strings.Cut(stat, "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return machineTime{}, false
	}
	// guest and guest_nice, after steal, are counted in user and nice already.
	for i, f := range fields[1:min(len(fields), 9)] {
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

// stealSince is the share of the machine's CPU time stolen since t, in
// percent, as a phrase for the report; "" where it cannot be known.
func stealSince(t machineTime, ok bool) string {
	now, nowOK := readMachineTime()
	if !ok || !nowOK || now.total <= t.total {
		return ""
	}
	return fmt.Sprintf("%.1f%%", 100*float64(now.steal-t.steal)/float64(now.total-t.total))
}
