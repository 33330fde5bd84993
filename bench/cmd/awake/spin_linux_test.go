package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSpinHoldsAThreadAtSchedIdleOnEachCoreUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	wait, err := spin(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := idleThreads(t, true); got != 2 {
		t.Errorf("%d threads at SCHED_IDLE while spinning, want 2", got)
	}
	cancel()
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the spinning threads did not stop when cancelled")
	}
	// A locked thread exits with its goroutine, a moment after it returns.
	// The runtime parks the main thread instead, whose policy spin puts
	// back, which Linux allows root (and may refuse others).
	root := os.Geteuid() == 0
	deadline := time.Now().Add(5 * time.Second)
	for ; idleThreads(t, root) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d SCHED_IDLE threads left after the spin ended", idleThreads(t, root))
		}
	}
}

func TestRunRefusesArgumentsItDoesNotTake(t *testing.T) {
	var out, errs strings.Builder
	for _, args := range [][]string{{"extra"}, {"-cores", "0"}} {
		if err := run(t.Context(), args, &out, &errs); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
	if !strings.Contains(errs.String(), "usage: awake") {
		t.Errorf("no usage text on bad arguments:\n%s", errs.String())
	}
}

func TestRunReturnsWhenItsContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	var out, errs strings.Builder
	if err := run(ctx, []string{"-cores", "1"}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "keeping 1 cores awake") {
		t.Errorf("run printed %q", out.String())
	}
}

// idleThreads counts this process's threads whose policy is SCHED_IDLE
// (field 41 of /proc/self/task/TID/stat), the main thread only if asked.
func idleThreads(t *testing.T, withMain bool) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	main := fmt.Sprintf("/proc/self/task/%d/stat", os.Getpid())
	for _, path := range stats {
		if path == main && !withMain {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the thread has exited
		}
		_, after, _ := strings.Cut(string(b), ") ")
		if f := strings.Fields(after); len(f) > 38 && f[38] == "5" {
			n++
		}
	}
	return n
}
