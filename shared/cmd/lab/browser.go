package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// exitStatus is a program's exit status that lab passes on as its own:
// labbrowser's 77 (no browser here) must reach whoever ran lab.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// runBrowser runs tools/browser's labbrowser from the current folder, with
// its output live: a learner reads "waiting for ..." as it comes, and acts.
func runBrowser(args []string, root string, tools *harness.Tools, stdout, stderr io.Writer) error {
	prog, err := tools.Browser(root)
	if err != nil {
		return err
	}
	cmd := exec.Command(prog, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	var exit *exec.ExitError
	if err := cmd.Run(); errors.As(err, &exit) {
		return exitStatus(exit.ExitCode())
	} else if err != nil {
		return err
	}
	return nil
}
