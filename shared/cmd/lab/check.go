package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

func runCheck(args []string, root string, rep *harness.Reporter, tools *harness.Tools, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: check NN [--mine | -dir DIR]")
	}
	c, err := checks.Find(args[0])
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "check this folder instead of the stage's own")
	mine := fs.Bool("mine", false, "check your own folder for the stage, laid out by go tool lab start")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	target, err := stageFolder(root, c.Stage, *mine, *dir)
	if err != nil {
		return err
	}
	if err := harness.RunCheck(c, root, target, rep, tools); err != nil {
		return errFailed
	}
	return nil
}

// runTour shows the newest stage working end to end: its check builds the
// binaries, starts its processes, calls them the ways the README does, and stops them.
func runTour(root string, rep *harness.Reporter, tools *harness.Tools) error {
	all := checks.All()
	newest := all[len(all)-1]
	rep.Checkf("A tour of the newest stage, %s. Every command below is one you can run", newest.Stage)
	rep.Checkf("yourself from %s/; see its README.md for what each one teaches. The tour runs", newest.Stage)
	rep.Checkf("every process on a free port, but shows the README's ports, and the spans as trace trees.")
	rep.Checkf("")
	rep.Tour()
	if err := harness.RunCheck(newest, root, filepath.Join(root, newest.Stage), rep, tools); err != nil {
		return errFailed
	}
	return nil
}
