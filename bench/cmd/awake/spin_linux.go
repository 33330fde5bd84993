package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// spin starts n threads that loop at SCHED_IDLE until ctx ends, and returns
// a function that waits for them. Linux runs a SCHED_IDLE thread only when
// nothing else wants the core, and takes the core back at once when
// something does. Each thread is locked to its goroutine and ends with it,
// so that none goes back to the Go runtime's pool to run other goroutines.
func spin(ctx context.Context, n int) (wait func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	started := make(chan error, n)
	for range n {
		wg.Go(func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			if err := setPolicy(unix.SCHED_IDLE); err != nil {
				started <- fmt.Errorf("setting SCHED_IDLE: %w", err)
				return
			}
			started <- nil
			for ctx.Err() == nil {
			}
			// The runtime parks the main thread rather than end it, so the
			// policy goes back. Linux may refuse that without privilege;
			// then only a parked thread keeps it.
			_ = setPolicy(unix.SCHED_NORMAL)
		})
	}
	wait = func() { wg.Wait(); cancel() }
	for range n {
		if err = <-started; err != nil {
			cancel()
			wait()
			return nil, err
		}
	}
	return wait, nil
}

// setPolicy sets the calling thread's scheduling policy.
func setPolicy(policy uint32) error {
	return unix.SchedSetAttr(0, &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: policy}, 0)
}

// endWithParent asks Linux to send SIGTERM when the parent ends: `go run`
// does not pass its own SIGTERM on, so a learner's kill would otherwise
// leave the spinning child behind.
func endWithParent() error {
	return unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGTERM), 0, 0, 0)
}
