package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/bench/internal/cli"
)

func TestSpinHoldsAThreadAtSchedIdleOnEachCoreUntilCancelled(t *testing.T) {
	before := idleThreads(t)
	ctx, cancel := context.WithCancel(t.Context())
	wait, err := spin(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := idleThreads(t) - before; got != 2 {
		t.Errorf("%d more threads at SCHED_IDLE while spinning, want 2", got)
	}
	cancel()
	waitFor(t, "the spinning goroutines to return", func() bool { return returned(wait) })
	// A locked thread exits a moment after its goroutine returns.
	waitFor(t, "the SCHED_IDLE threads to end", func() bool { return idleThreads(t) == before })
}

func TestSpinStopsEveryThreadWhenOneCannotIdle(t *testing.T) {
	before := idleThreads(t)
	var calls atomic.Int32
	set := setIdle
	t.Cleanup(func() { setIdle = set })
	setIdle = func() error {
		if calls.Add(1) == 2 {
			return errors.New("operation not permitted")
		}
		return set()
	}
	wait, err := spin(t.Context(), 3)
	if err == nil || !strings.Contains(err.Error(), "operation not permitted") || wait != nil {
		t.Fatalf("spin = %v, %v; want the error and no wait", wait != nil, err)
	}
	waitFor(t, "the SCHED_IDLE threads to end", func() bool { return idleThreads(t) == before })
}

func TestRunRefusesArgumentsItDoesNotTake(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"-cores", "0"}, {"-cores", "100000"}} {
		var out, errs strings.Builder
		if err := run(t.Context(), args, &out, &errs); !errors.Is(err, cli.ErrUsage) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
		if !strings.Contains(errs.String(), "usage: awake") {
			t.Errorf("run(%q) printed no usage:\n%s", args, errs.String())
		}
	}
}

func TestRunTellsHelpFromBadFlags(t *testing.T) {
	for args, want := range map[string]error{"-h": flag.ErrHelp, "-bogus": cli.ErrUsage} {
		var errs strings.Builder
		if err := run(t.Context(), []string{args}, io.Discard, &errs); !errors.Is(err, want) {
			t.Errorf("run(%q) = %v, want %v", args, err, want)
		}
		if !strings.Contains(errs.String(), "usage: awake") {
			t.Errorf("run(%q) printed no usage:\n%s", args, errs.String())
		}
	}
}

func TestRunReturnsWhenItsContextEnds(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0)) // run sets it, for the whole process
	before := idleThreads(t)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	var out, errs strings.Builder
	if err := run(ctx, []string{"-cores", "1"}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() == nil {
		t.Error("run returned before its context ended")
	}
	// Its thread ends a moment later; the next test counts from here.
	waitFor(t, "run's SCHED_IDLE thread to end", func() bool { return idleThreads(t) == before })
	if !strings.Contains(out.String(), "spinning on 1 of") {
		t.Errorf("run printed %q", out.String())
	}
}

// returned reports whether wait returns within a moment.
func returned(wait func()) bool {
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(100 * time.Millisecond):
		return false
	}
}

// waitFor polls ok for a minute: the threads at SCHED_IDLE get a core only
// when nothing else wants one, which on a loaded machine takes a while.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// idleThreads counts this process's threads whose policy is SCHED_IDLE
// (field 41 of /proc/self/task/TID/stat).
func idleThreads(t *testing.T) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range stats {
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

// TestMain lets a test start this binary as awake itself.
func TestMain(m *testing.M) {
	if os.Getenv("AWAKE_TEST_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A spinner left behind by a bench that died would slow every later run.
func TestItEndsWithTheProcessThatStartedIt(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The shell starts awake, says its pid, and becomes a sleep: awake's parent.
	parent := exec.Command("sh", "-c", `"$0" -cores 1 & echo "pid $!"; exec sleep 60`, self)
	parent.Env = append(os.Environ(), "AWAKE_TEST_AS_MAIN=1")
	var errs strings.Builder
	parent.Stderr = &errs
	parent.WaitDelay = 5 * time.Second // awake shares the shell's stderr
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = parent.Process.Kill(); _ = parent.Wait() })
	lines := make(chan string, 16)
	go func() {
		for s := bufio.NewScanner(out); s.Scan(); {
			lines <- s.Text()
		}
	}()
	pid, spinning := 0, false
	for timeout := time.After(30 * time.Second); pid == 0 || !spinning; {
		select {
		case line := <-lines:
			if n, found := strings.CutPrefix(line, "pid "); found {
				pid, _ = strconv.Atoi(n)
				t.Cleanup(func() {
					if !ended(pid) {
						_ = syscall.Kill(pid, syscall.SIGKILL)
					}
				})
			}
			spinning = spinning || strings.Contains(line, "spinning on 1 of")
		case <-timeout:
			_ = parent.Process.Kill()
			_ = parent.Wait() // so that errs is complete, and read alone
			t.Fatalf("awake did not say it was spinning; its errors:\n%s", errs.String())
		}
	}
	_ = parent.Process.Kill()
	waitFor(t, "awake to end with its parent", func() bool { return ended(pid) })
}

// ended reports whether process pid has exited: it is gone, or a zombie.
func ended(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	_, after, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(after, "Z")
}
