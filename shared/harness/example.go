package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ExampleOpts says how an example's commands must end.
type ExampleOpts struct {
	Fails bool // every non-server command must exit non-zero (an error example)
	// Interrupt sends Ctrl+C's signal (SIGINT) while the example's last
	// command runs, once its output contains When: to "client", the command
	// itself, as a learner pressing Ctrl+C; or to "server", the server it
	// talks to, which must then stop cleanly. The command must end on its
	// own after that. With Interrupt, Fails is about the last command only;
	// the commands before it set the scene and must succeed.
	Interrupt string
	When      string
	// Kill, with When, kills the process of the running topology that
	// Kill names, as a crash would, while the example's last command runs.
	// The command must then finish as the README shows.
	Kill string
	// During, with When, runs the README example During names while the
	// example's last command runs: a change made elsewhere, which the
	// command (a browser, say) must then show. The command must end on its own.
	During string
	// Outputs, if set, receives the output of each command compared with
	// the transcript, in order: for a check that reads numbers from it.
	Outputs *[]string
}

// RunExample runs the README example called name, command by command, and
// compares each command's output with the transcript.
//
// A command "go run ./cmd/server ..." starts a server (on a free port). In an
// example of its own, that server stays up for the examples after it; inside
// a longer example, it serves that example's later commands and stops at its
// end. Everywhere else "localhost:50051" is replaced by the running server's
// real address.
func (s *CheckRun) RunExample(name string, opts ExampleOpts) error {
	rm, err := s.Readme()
	if err != nil {
		return err
	}
	ex, err := rm.Example(name)
	if err != nil {
		return err
	}
	r := &exampleRun{CheckRun: s, ex: ex}
	s.allow = s.slow[name]
	defer func() {
		s.allow = 0
		if r.local != nil {
			r.local.kill()
		}
	}()
	for i, c := range ex.Commands {
		opts := opts
		if opts.waits() && i < len(ex.Commands)-1 {
			opts = ExampleOpts{Outputs: opts.Outputs} // the commands before the last set the scene
		}
		if err := r.run(c, opts); err != nil {
			return ex.named(err)
		}
	}
	if r.local != nil {
		srv := r.local
		r.local = nil
		if err := srv.Stop(20 * time.Second); err != nil {
			return ex.named(&Failure{Why: err.Error(), Who: "server", Received: srv.Output(), Section: ex.Section})
		}
	}
	return nil
}

// waits reports whether the last command runs until a moment, When.
func (o ExampleOpts) waits() bool { return o.Interrupt != "" || o.Kill != "" || o.During != "" }

// named marks a Failure with the transcript it came from.
func (ex *Example) named(err error) error {
	var f *Failure
	if errors.As(err, &f) && f.Example == "" {
		f.Example, f.Line = ex.Name, ex.Line
	}
	return err
}

// exampleRun is one example's run: a server it started for its own later
// commands, if any.
type exampleRun struct {
	*CheckRun
	ex    *Example
	local *Server
}

// target is the server the example's commands talk to.
func (r *exampleRun) target() *Server {
	if r.local != nil {
		return r.local
	}
	return r.main
}

// run runs one command of the example, as its kind says.
func (r *exampleRun) run(c Command, opts ExampleOpts) error {
	if name, inner, ok := assignment(c.Text); ok {
		r.Rep.Checkf("  $ %s", c.Text)
		value, err := r.runSubstitution(inner, r.target())
		if err != nil {
			return &Failure{Command: c.Text, Why: err.Error(), Section: r.ex.Section}
		}
		r.vars[name] = value
		r.Rep.Checkf("  (%s is %s)", name, value)
		return nil
	}
	line, stdinPath := splitInput(c.Text)
	line, err := r.substitute(line, r.target())
	if err != nil {
		return &Failure{Command: c.Text, Why: err.Error(), Section: r.ex.Section}
	}
	words, err := SplitCommand(line)
	if err != nil {
		return &Failure{Command: c.Text, Why: err.Error(), Section: r.ex.Section}
	}
	cmd, err := r.resolve(words)
	if err != nil {
		return inSection(err, c.Text, r.ex.Section)
	}
	r.Rep.Checkf("  $ %s", c.Text)
	switch {
	case cmd.kind == labUp:
		return r.startTopology(c, r.ex, cmd.args)
	case cmd.kind == labTrace:
		return r.runLabTrace(c, opts, cmd.args)
	case cmd.isServer():
		srv, err := r.startServer(c, r.ex, cmd.prog, cmd.dir, cmd.args)
		if err != nil {
			return err
		}
		if len(r.ex.Commands) == 1 {
			r.stopMain()
			r.main = srv
		} else {
			r.local = srv
		}
		return nil
	}
	return r.runProgram(c, opts, cmd, stdinPath)
}

// runLabTrace runs "go tool lab trace" and compares the tree it prints.
func (r *exampleRun) runLabTrace(c Command, opts ExampleOpts, args []string) error {
	const who = "lab trace"
	out, err := r.labTrace(args)
	switch {
	case err != nil && !opts.Fails:
		return &Failure{Command: c.Text, Who: who, Why: err.Error(), Section: r.ex.Section}
	case err == nil && opts.Fails:
		return &Failure{Command: c.Text, Who: who, Received: out, Section: r.ex.Section,
			Why: "the command succeeded, but this example is an error: it must fail"}
	case err != nil:
		out = "lab: " + err.Error()
	}
	r.Rep.Quoted(who, out)
	want := r.expandKnownVars(c.Output)
	if ok, why := Match(want, out); !ok {
		return &Failure{Command: c.Text, Who: who, Why: why, Expected: want, Received: out, Section: r.ex.Section}
	}
	return nil
}

// runProgram runs a client, a tool or curl, and compares what it prints and
// how it exits with the README's transcript.
func (r *exampleRun) runProgram(c Command, opts ExampleOpts, cmd command, stdinPath string) error {
	target := r.target()
	args, note, err := r.retarget(cmd.who, cmd.args, target)
	if err != nil {
		return &Failure{Command: c.Text, Why: err.Error(), Section: r.ex.Section}
	}
	var res Result
	if opts.waits() {
		res, err = r.runInterrupted(cmd.dir, cmd.prog, args, opts, target)
		if opts.Interrupt == "server" && target == r.local {
			r.local = nil // stopped, and its stop already checked
		}
	} else {
		var in io.Reader
		if stdinPath != "" {
			// The shell opens "< FILE" from where the command is typed:
			// the stage folder, whatever -C says.
			data, rerr := os.ReadFile(filepath.Join(r.Dir, filepath.FromSlash(stdinPath)))
			if rerr != nil {
				return &Failure{Command: c.Text, Why: "cannot read the command's input: " + rerr.Error(), Section: r.ex.Section}
			}
			in = bytes.NewReader(data)
		}
		res, err = RunInput(context.Background(), cmd.dir, nil, in, r.commandTime(), cmd.prog, args...)
	}
	if strings.TrimSpace(res.Output) != "" {
		r.Rep.Quoted(cmd.who, res.Output)
	}
	want := r.expandKnownVars(c.Output)
	fail := func(why string) error {
		return &Failure{Command: c.Text, Note: note, Who: cmd.who, Why: why, Expected: want,
			Received: res.Output, Section: r.ex.Section}
	}
	var during *Failure
	switch {
	case cmd.kind == labBrowser && res.ExitCode == BrowserSkipped:
		return browserSkip(c, r.ex.Section, res)
	case errors.As(err, &during):
		return err // the example run during the command failed, and says how
	case err != nil:
		return fail(err.Error())
	case opts.Fails && res.ExitCode == 0:
		return fail("the command succeeded (exit status 0), but this example is an error: it must fail")
	case !opts.Fails && res.ExitCode != 0:
		return fail(fmt.Sprintf("the command failed with exit status %d", res.ExitCode))
	}
	if ok, why := Match(want, res.Output); !ok {
		return fail(why)
	}
	if opts.Outputs != nil {
		*opts.Outputs = append(*opts.Outputs, res.Output)
	}
	return nil
}
