// Command lab runs the lab's own chores: checking a stage or all of them,
// regenerating code, and showing what one stage adds to another. The scripts/
// wrappers call it; on Windows, call it directly:
//
//	go tool lab check-all
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

const usage = `Usage: go tool lab <command> [arguments]

Commands:
  tour                     build the newest stage, start its processes, call them
  start NN [--from DIR]    start building stage NN yourself, in ../learn-grpc-mine/NN-...,
                           from the lab's stage before it (or DIR, your own)
  check NN [--mine | -dir DIR]
                           prove stage NN's milestones: the lab's, yours, or DIR's;
                           NN.1 checks the stage's first exercise (on yours: --mine)
  up NN [--mine | -dir DIR] [--add NAME=FLAG]... [--env KEY=VALUE]...
                           run the processes of stage NN's Procfile (07 on) until Ctrl+C
  trace NN [--from SERVICE] [--through SPAN] [--id-only] [--mine | -dir DIR] [TRACE_ID]
                           print a trace that the processes of lab up wrote to the
                           console (OTEL_TRACES_EXPORTER=console), as a tree
  browser [flags] URL      open URL, stage 09's storefront, in a headless Chrome and
                           shop there (tools/browser; --help lists its flags)
  progress                 the milestones each of your stages reaches
  check-all                every check, gofmt, tidy, no binaries, go vet, go test -race, buf lint and breaking
  gen [NN ...] | gen NN --mine
                           regenerate the Go code from the protos (all stages by default)
  diff-stages A B [-generated] [-readme]
                           show what stage B adds to stage A
`

// errFailed means the command already printed why it failed.
var errFailed = errors.New("failed")

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var status exitStatus
		if errors.As(err, &status) {
			os.Exit(int(status))
		}
		if !errors.Is(err, errFailed) {
			fmt.Fprintln(os.Stderr, "lab:", err)
		}
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := harness.FindRootFrom(cwd)
	if err != nil {
		return err
	}
	rep := harness.NewReporter(stdout)
	tools := harness.NewTools(rep)
	switch cmd, rest := args[0], args[1:]; cmd {
	case "tour":
		return runTour(root, rep, tools)
	case "start":
		return runStart(rest, root, rep, tools, stderr)
	case "check":
		return runCheck(rest, root, rep, tools, stderr)
	case "up":
		return runUp(rest, root, stdout, stderr)
	case "trace":
		return runTrace(rest, root, stdout, stderr)
	case "browser":
		return runBrowser(rest, root, tools, stdout, stderr)
	case "progress":
		return runProgress(root, stdout, harness.NewTools(harness.NewReporter(io.Discard)))
	case "check-all":
		return runCheckAll(root, rep, tools)
	case "gen":
		return runGen(rest, root, rep, tools)
	case "diff-stages":
		return runDiff(rest, root, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
