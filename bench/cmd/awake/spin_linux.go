package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// spin starts n threads that loop at SCHED_IDLE until ctx ends, and returns
// a function that waits for them. Linux runs a SCHED_IDLE thread only when
// no other thread of its control group wants the core. Each thread is
// locked to its goroutine and ends with it, so that none goes back to the
// Go runtime's pool to run other goroutines.
func spin(ctx context.Context, n int) (wait func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	started := make(chan error, n)
	for range n {
		wg.Go(func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			if err := setIdle(); err != nil {
				started <- fmt.Errorf("setting SCHED_IDLE: %w", err)
				return
			}
			started <- nil
			for ctx.Err() == nil {
			}
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

// setIdle puts the calling thread at SCHED_IDLE; a test replaces it.
var setIdle = func() error {
	return unix.SchedSetAttr(0, &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE}, 0)
}

// endWithParent asks Linux to send SIGTERM when the parent ends: `go run`
// does not pass its own SIGTERM on, so killing it would otherwise leave the
// spinning child behind. A parent gone before the request counts as well.
func endWithParent() error {
	parent := os.Getppid()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGTERM), 0, 0, 0); err != nil {
		return err
	}
	if os.Getppid() != parent {
		return fmt.Errorf("its parent ended as it started")
	}
	return nil
}
