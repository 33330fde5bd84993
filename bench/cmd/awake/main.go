// Command awake keeps every core busy with work that yields to anything
// else (Linux's SCHED_IDLE), so that no idle core halts. On a virtual
// machine a halted core takes tens of microseconds to wake, and a call that
// hands work between goroutines pays that wake-up each time. Run it beside
// scripts/bench to see how much of a figure is the machine's idle path:
//
//	go -C bench run ./cmd/awake &
//	scripts/bench -only 2
//	kill %1
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := endWithParent(); err != nil {
		fmt.Fprintln(os.Stderr, "awake:", err)
		os.Exit(1)
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "awake:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("awake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: awake [-cores n]\n\n"+
			"Spins at SCHED_IDLE on n cores until SIGINT or SIGTERM (Linux only).")
		fs.PrintDefaults()
	}
	cores := fs.Int("cores", runtime.NumCPU(), "how many cores to keep awake")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *cores < 1 {
		fs.Usage()
		return fmt.Errorf("want no arguments and -cores of at least 1")
	}
	wait, err := spin(ctx, *cores)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "awake: keeping %d cores awake at SCHED_IDLE; stop with Ctrl-C\n", *cores)
	wait()
	return nil
}
