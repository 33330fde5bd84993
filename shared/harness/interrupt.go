package harness

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// runInterrupted runs a command, and once its output contains opts.When,
// interrupts it or its server as opts.Interrupt says, kills a process as
// opts.Kill says, or runs the example opts.During names.
func (s *CheckRun) runInterrupted(dir, prog string, args []string, opts ExampleOpts, server *Server) (Result, error) {
	out := &lineWriter{}
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	ownGroup(cmd)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	result := func() Result { return Result{Output: out.String(), ExitCode: cmd.ProcessState.ExitCode()} }

	allow := s.commandTime()
	deadline := time.After(allow)
	for !strings.Contains(out.String(), opts.When) {
		select {
		case <-exited:
			return result(), fmt.Errorf("it ended before printing %q, the moment the check was waiting for", opts.When)
		case <-deadline:
			_ = cmd.Process.Kill()
			<-exited
			return result(), fmt.Errorf("it did not print %q within %s, so it was stopped", opts.When, allow)
		case <-time.After(20 * time.Millisecond):
		}
	}
	switch {
	case opts.During != "":
		s.Rep.Checkf("  running <!-- check: %s --> while the command waits, after it printed %q", opts.During, opts.When)
		if err := s.RunExample(opts.During, ExampleOpts{}); err != nil {
			_ = cmd.Process.Kill()
			<-exited
			return result(), err
		}
	case opts.Kill != "":
		if s.topo == nil {
			return result(), errors.New("no topology is running: start it with go tool lab up")
		}
		s.Rep.Checkf("  killing %s (as a crash would) after the command printed %q", opts.Kill, opts.When)
		if err := s.topo.Kill(opts.Kill); err != nil {
			return result(), err
		}
	case opts.Interrupt == "client":
		s.Rep.Checkf("  sending SIGINT (Ctrl+C) to the command after it printed %q", opts.When)
		if err := interrupt(cmd.Process); err != nil {
			return result(), err
		}
	case opts.Interrupt == "server":
		if server == nil {
			return result(), errors.New("no server to stop")
		}
		s.Rep.Checkf("  sending SIGINT (Ctrl+C) to the server after the command printed %q", opts.When)
		if server == s.main {
			s.main = nil
		}
		if err := server.Stop(20 * time.Second); err != nil {
			_ = cmd.Process.Kill()
			<-exited
			return result(), err
		}
	default:
		return result(), fmt.Errorf("unknown Interrupt %q", opts.Interrupt)
	}
	select {
	case <-exited:
		return result(), nil
	case <-time.After(allow):
		_ = cmd.Process.Kill()
		<-exited
		if opts.During != "" {
			return result(), fmt.Errorf("it was still running %s after <!-- check: %s --> ran", allow, opts.During)
		}
		return result(), fmt.Errorf("it was still running %s after the interrupt: a stream must end when either side ends it", allow)
	}
}
