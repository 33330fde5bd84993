// Command awake keeps every core busy with work that any other thread of
// its control group displaces (Linux's SCHED_IDLE), so that no idle core
// halts. On a virtual machine a halted core must be woken, and a call that
// hands work between goroutines may pay that each time. Run it from the
// shell that runs the bench, so that both share a control group:
//
//	go -C bench build -o /tmp/awake ./cmd/awake
//	/tmp/awake & scripts/bench -only 2; kill $!
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

	"github.com/learn-grpc/learn-grpc/bench/internal/cli"
)

// The main goroutine keeps the main thread, so that no spinning goroutine
// is given it: the runtime never ends the main thread, and every other
// thread that spun ends with its goroutine.
func init() { runtime.LockOSThread() }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := endWithParent(); err != nil {
		fmt.Fprintln(os.Stderr, "awake:", err)
		os.Exit(1)
	}
	cli.Exit("awake", run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run spins on the cores its flags ask for until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("awake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: awake [-cores n]\n\n"+
			"Spins at SCHED_IDLE on n cores until SIGINT or SIGTERM, or until its parent ends (Linux only).")
		fs.PrintDefaults()
	}
	cores := fs.Int("cores", runtime.NumCPU(), "how many cores to keep awake, at most all of them (`n`)")
	if err := fs.Parse(args); err != nil {
		return cli.ParseError(err)
	}
	if fs.NArg() > 0 || *cores < 1 || *cores > runtime.NumCPU() {
		fmt.Fprintf(stderr, "awake: want no arguments and -cores from 1 to %d\n", runtime.NumCPU())
		fs.Usage()
		return cli.ErrUsage
	}
	// A processor more than the spinners, for the signal handler and main.
	runtime.GOMAXPROCS(*cores + 1)
	wait, err := spin(ctx, *cores)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "awake: spinning on %d of %d cores at SCHED_IDLE until stopped\n", *cores, runtime.NumCPU())
	wait()
	return nil
}
