//go:build !windows

package harness

import (
	"os"
	"os/exec"
)

// ownGroup leaves cmd in the check's process group: SIGINT reaches one
// process on Linux and macOS.
func ownGroup(*exec.Cmd) {}

// interrupt asks p to stop as Ctrl+C would, with SIGINT.
func interrupt(p *os.Process) error { return p.Signal(os.Interrupt) }
