package harness

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// Check is one stage's check: the milestones its lesson promises, in order.
type Check struct {
	Stage string // the stage's folder, e.g. "02-unary"
	// Name, if set, is what the check is called instead of its stage: an
	// exercise's check is "02.1", on the folder of stage 02.
	Name       string
	Title      string
	Milestones []Milestone
	// ServerCA, if set, is the CA certificate (relative to the stage) that
	// signed the server's TLS certificate: the health check trusts it
	// instead of talking plaintext.
	ServerCA string
	// HTTPAddrFlag, if set, is the server flag for its HTTP gateway's
	// address: the check gives it a free port too, and puts its address in
	// place of localhost:8443 in commands.
	HTTPAddrFlag string
}

// Milestone is one thing the learner can now do, proved by running it.
type Milestone struct {
	Name string
	Run  func(*Stage) error
	// Hint names what to build next when the milestone fails, in one line,
	// for a learner checking their own code.
	Hint string
}

// Failure is a failed milestone told the way a learner can act on it: what
// ran, what the README promised, what came back, and where to read.
type Failure struct {
	Command  string // the command as the README shows it, to rerun by hand
	Note     string // how the check's run differed from the README's, if at all
	Who      string // the program whose output was received
	Expected string
	Received string
	Why      string
	Section  string // README heading to read
}

func (f *Failure) Error() string { return f.Why }

// Stage is the state of one check run over one folder.
type Stage struct {
	Root         string // the lab root
	Dir          string // the folder being checked, absolute
	Rep          *Reporter
	Tools        *Tools
	Tmp          string // scratch folder, removed at the end
	readme       *Readme
	bins         map[string]string
	vars         map[string]string // set by "NAME=$(command)" lines
	main         *Server
	topo         *Topology // started by "go tool lab up"
	serverCA     string
	httpAddrFlag string
}

// RunCheck runs c's milestones against dir, printing each, and stops at the
// first that fails: later milestones build on earlier ones.
func RunCheck(c *Check, root, dir string, rep *Reporter, tools *Tools) error {
	_, err := RunCheckCounting(c, root, dir, rep, tools)
	return err
}

// RunCheckCounting is RunCheck that also says how many milestones, from the
// first, were reached.
func RunCheckCounting(c *Check, root, dir string, rep *Reporter, tools *Tools) (reached int, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "learn-grpc-check-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	s := &Stage{Root: root, Dir: abs, Rep: rep, Tools: tools, Tmp: tmp, bins: map[string]string{}, vars: map[string]string{}}
	if c.ServerCA != "" {
		s.serverCA = filepath.Join(abs, filepath.FromSlash(c.ServerCA))
	}
	s.httpAddrFlag = c.HTTPAddrFlag
	defer s.stopMain()

	rel, _ := filepath.Rel(root, abs)
	name := cmp.Or(c.Name, c.Stage)
	if c.Name == "" {
		rep.Checkf("Checking stage %s: %s", c.Stage, c.Title)
	} else {
		rep.Checkf("Checking %s: %s", c.Name, c.Title)
	}
	if filepath.Base(abs) != c.Stage {
		rep.Checkf("(pointed at %s instead of %s)", filepath.ToSlash(rel), c.Stage)
	}
	for i, m := range c.Milestones {
		rep.Checkf("")
		rep.Checkf("Milestone %d/%d: %s", i+1, len(c.Milestones), m.Name)
		if err := m.Run(s); err != nil {
			s.explain(err)
			if m.Hint != "" {
				rep.Checkf("  hint: %s", m.Hint)
			}
			rep.Checkf("")
			rep.Checkf("FAIL %s: milestone %d/%d %q not reached", name, i+1, len(c.Milestones), m.Name)
			return i, fmt.Errorf("%s: milestone %q: %s", name, m.Name, firstLine(err.Error()))
		}
		rep.Checkf("  ok")
	}
	rep.Checkf("")
	rep.Checkf("PASS %s: all %d milestones reached", name, len(c.Milestones))
	return len(c.Milestones), nil
}

func (s *Stage) explain(err error) {
	f, ok := err.(*Failure)
	if !ok {
		s.Rep.Checkf("  %v", err)
		return
	}
	if f.Command != "" {
		s.Rep.Checkf("  command (run it yourself from %s/):", filepath.Base(s.Dir))
		s.Rep.Checkf("    $ %s", f.Command)
	}
	if f.Note != "" {
		s.Rep.Checkf("  %s", f.Note)
	}
	s.Rep.Checkf("  %s", f.Why)
	who := f.Who
	if who == "" {
		who = "program"
	}
	switch {
	case f.Expected != "":
		s.Rep.Checkf("  expected (README.md):")
		s.Rep.Quoted("check", f.Expected)
		s.Rep.Checkf("  received:")
		s.Rep.Quoted(who, orEmpty(f.Received))
	case strings.TrimSpace(f.Received) != "":
		s.Rep.Checkf("  it printed:")
		s.Rep.Quoted(who, f.Received)
	}
	if f.Section != "" {
		s.Rep.Checkf("  read: %s/README.md#%s (section %q)", filepath.Base(s.Dir), Anchor(f.Section), f.Section)
	}
}

func orEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(nothing)"
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Readme returns the stage's parsed README.
func (s *Stage) Readme() (*Readme, error) {
	if s.readme == nil {
		rm, err := LoadReadme(filepath.Join(s.Dir, "README.md"))
		if err != nil {
			return nil, err
		}
		s.readme = rm
	}
	return s.readme, nil
}

// Binary builds ./cmd/name of the stage, once, with the workspace off: the
// stage must build from its own go.mod, as it does when copied out alone.
func (s *Stage) Binary(name string) (string, error) {
	if p, ok := s.bins[name]; ok {
		return p, nil
	}
	s.Rep.Checkf("  building ./cmd/%s", name)
	out, err := BuildCmd(s.Dir, filepath.Join(s.Tmp, "bin"), name)
	if err != nil {
		return "", err
	}
	s.bins[name] = out
	return out, nil
}

// BuildCmd builds ./cmd/name of dir into binDir, with the workspace off: a
// stage must build from its own go.mod, as it does when copied out alone.
func BuildCmd(dir, binDir, name string) (string, error) {
	out := filepath.Join(binDir, name)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	pkg := "./cmd/" + name
	res, err := Run(context.Background(), dir, []string{"GOWORK=off"}, 5*time.Minute, "go", "build", "-o", out, pkg)
	if err != nil || res.ExitCode != 0 {
		return "", &Failure{
			Command:  "go build " + pkg,
			Who:      "go",
			Why:      fmt.Sprintf("%s does not build (%v)", pkg, orExit(err, res.ExitCode)),
			Received: res.Output,
		}
	}
	return out, nil
}

func orExit(err error, code int) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("exit status %d", code)
}

// Grpcurl returns the pinned grpcurl binary.
func (s *Stage) Grpcurl() (string, error) { return s.Tools.Grpcurl(s.Root) }

// Buf returns the pinned buf binary.
func (s *Stage) Buf() (string, error) { return s.Tools.Buf(s.Root) }

// Var is the value a "NAME=$(command)" line of the README set, or "".
func (s *Stage) Var(name string) string { return s.vars[name] }

// MainServer returns the server started by the last example made only of a
// server command.
func (s *Stage) MainServer() *Server { return s.main }

// StopMainServer stops the main server and checks that it stopped cleanly.
func (s *Stage) StopMainServer() error {
	if s.main == nil {
		return fmt.Errorf("no server is running to stop")
	}
	srv := s.main
	s.main = nil
	s.Rep.Checkf("  sending SIGINT (Ctrl+C) to the server")
	if err := srv.Stop(20 * time.Second); err != nil {
		return &Failure{Why: err.Error(), Who: "server", Received: srv.Output(), Section: "Run it"}
	}
	return nil
}

func (s *Stage) stopMain() {
	if s.main != nil {
		s.main.kill()
		s.main = nil
	}
	if s.topo != nil {
		s.topo.killAll()
		s.topo = nil
	}
}

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
	// Outputs, if set, receives the output of each command compared with
	// the transcript, in order: for a check that reads numbers from it.
	Outputs *[]string
}

// readmeAddr and readmeHTTPAddr are the addresses the READMEs use for the
// gRPC port and the REST gateway; the check swaps in the real ones.
const (
	readmeAddr     = "localhost:50051"
	readmeHTTPAddr = "localhost:8443"
)

var addrInLineRE = regexp.MustCompile(`listening on (\S+)$`)

// RunExample runs the README example called name, command by command, and
// compares each command's output with the transcript.
//
// A command "go run ./cmd/server ..." starts a server (on a free port). In an
// example of its own, that server stays up for the examples after it; inside
// a longer example, it serves that example's later commands and stops at its
// end. Everywhere else "localhost:50051" is replaced by the running server's
// real address.
func (s *Stage) RunExample(name string, opts ExampleOpts) error {
	rm, err := s.Readme()
	if err != nil {
		return err
	}
	ex, err := rm.Example(name)
	if err != nil {
		return err
	}
	var local *Server
	defer func() {
		if local != nil {
			local.kill()
		}
	}()
	for i, c := range ex.Commands {
		opts := opts
		if (opts.Interrupt != "" || opts.Kill != "") && i < len(ex.Commands)-1 {
			opts = ExampleOpts{Outputs: opts.Outputs}
		}
		target := local
		if target == nil {
			target = s.main
		}
		if name, inner, ok := assignment(c.Text); ok {
			s.Rep.Checkf("  $ %s", c.Text)
			value, err := s.runSubstitution(inner, target)
			if err != nil {
				return &Failure{Command: c.Text, Why: err.Error(), Section: ex.Section}
			}
			s.vars[name] = value
			s.Rep.Checkf("  (%s is %s)", name, value)
			continue
		}
		line, stdinPath := splitInput(c.Text)
		line, err := s.substitute(line, target)
		if err != nil {
			return &Failure{Command: c.Text, Why: err.Error(), Section: ex.Section}
		}
		words, err := SplitCommand(line)
		if err != nil {
			return &Failure{Command: c.Text, Why: err.Error(), Section: ex.Section}
		}
		prog, who, dir, args, err := s.resolve(words)
		if err != nil {
			var f *Failure
			if ok := asFailure(err, &f); ok {
				f.Section = ex.Section
				return f
			}
			return &Failure{Command: c.Text, Why: err.Error(), Section: ex.Section}
		}
		s.Rep.Checkf("  $ %s", c.Text)
		if who == "lab up" {
			if err := s.startTopology(c, ex, args); err != nil {
				return err
			}
			continue
		}
		if who == "lab trace" {
			out, err := s.labTrace(args)
			switch {
			case err != nil && !opts.Fails:
				return &Failure{Command: c.Text, Who: who, Why: err.Error(), Section: ex.Section}
			case err == nil && opts.Fails:
				return &Failure{Command: c.Text, Who: who, Received: out, Section: ex.Section,
					Why: "the command succeeded, but this example is an error: it must fail"}
			case err != nil:
				out = "lab: " + err.Error()
			}
			s.Rep.Quoted(who, out)
			if ok, why := Match(s.expandKnownVars(c.Output), out); !ok {
				return &Failure{Command: c.Text, Who: who, Why: why, Expected: s.expandKnownVars(c.Output),
					Received: out, Section: ex.Section}
			}
			continue
		}
		if who == "server" {
			srv, err := s.startServer(c, ex, prog, dir, args)
			if err != nil {
				return err
			}
			if len(ex.Commands) == 1 {
				s.stopMain()
				s.main = srv
			} else {
				local = srv
			}
			continue
		}
		args, note, err := s.retarget(who, args, target)
		if err != nil {
			return &Failure{Command: c.Text, Why: err.Error(), Section: ex.Section}
		}
		var res Result
		if opts.Interrupt != "" || opts.Kill != "" {
			res, err = s.runInterrupted(dir, prog, args, opts, target)
			if opts.Interrupt == "server" && target == local {
				local = nil // stopped, and its stop already checked
			}
		} else {
			var in io.Reader
			if stdinPath != "" {
				// The shell opens "< FILE" from where the command is typed:
				// the stage folder, whatever -C says.
				data, rerr := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(stdinPath)))
				if rerr != nil {
					return &Failure{Command: c.Text, Why: "cannot read the command's input: " + rerr.Error(), Section: ex.Section}
				}
				in = bytes.NewReader(data)
			}
			res, err = RunInput(context.Background(), dir, nil, in, 2*time.Minute, prog, args...)
		}
		if strings.TrimSpace(res.Output) != "" {
			s.Rep.Quoted(who, res.Output)
		}
		fail := func(why string) error {
			return &Failure{Command: c.Text, Note: note, Who: who, Why: why, Expected: s.expandKnownVars(c.Output),
				Received: res.Output, Section: ex.Section}
		}
		switch {
		case err != nil:
			return fail(err.Error())
		case opts.Fails && res.ExitCode == 0:
			return fail("the command succeeded (exit status 0), but this example is an error: it must fail")
		case !opts.Fails && res.ExitCode != 0:
			return fail(fmt.Sprintf("the command failed with exit status %d", res.ExitCode))
		}
		want := s.expandKnownVars(c.Output)
		if ok, why := Match(want, res.Output); !ok {
			return fail(why)
		}
		if opts.Outputs != nil {
			*opts.Outputs = append(*opts.Outputs, res.Output)
		}
	}
	if local != nil {
		srv := local
		local = nil
		if err := srv.Stop(20 * time.Second); err != nil {
			return &Failure{Why: err.Error(), Who: "server", Received: srv.Output(), Section: ex.Section}
		}
	}
	return nil
}

func asFailure(err error, f **Failure) bool {
	ff, ok := err.(*Failure)
	if ok {
		*f = ff
	}
	return ok
}

func (s *Stage) startServer(c Command, ex *Example, prog, dir string, args []string) (*Server, error) {
	grpcurl, err := s.Grpcurl()
	if err != nil {
		return nil, err
	}
	security := []string{"-plaintext"}
	if s.serverCA != "" {
		security = []string{"-cacert", s.serverCA}
	}
	if s.httpAddrFlag != "" {
		args = append(args, s.httpAddrFlag+"=127.0.0.1:0")
	}
	srv, err := StartServer(s.Rep, grpcurl, security, s.httpAddrFlag != "", dir, prog, args)
	if err != nil {
		return nil, &Failure{Command: c.Text, Who: "server", Why: err.Error(), Section: ex.Section}
	}
	want := firstLine(strings.TrimSpace(c.Output))
	got := srv.FirstLine
	if m := addrInLineRE.FindStringSubmatch(want); m != nil {
		got = strings.Replace(got, srv.Addr, m[1], 1)
	}
	if got != want {
		srv.kill()
		return nil, &Failure{
			Command: c.Text, Who: "server", Section: ex.Section,
			Note:     fmt.Sprintf("(the check added -addr=127.0.0.1:0 for a free port; the address is compared as %s)", readmeAddr),
			Why:      "the server's first line is not the one the README shows",
			Expected: want, Received: srv.FirstLine,
		}
	}
	return srv, nil
}

// resolve maps a README command to the program to run:
// "go run ./cmd/NAME ARGS" runs the stage's built NAME binary, and
// "go -C DIR tool NAME ARGS" runs the tool pinned in DIR, from DIR.
func (s *Stage) resolve(words []string) (prog, who, dir string, args []string, err error) {
	switch {
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && strings.HasPrefix(words[2], "./cmd/"):
		name := strings.TrimPrefix(words[2], "./cmd/")
		prog, err = s.Binary(name)
		return prog, name, s.Dir, words[3:], err
	case len(words) >= 5 && words[0] == "go" && words[1] == "-C" && words[3] == "tool":
		dir = filepath.Join(s.Dir, filepath.FromSlash(words[2]))
		prog, err = s.Tools.Binary(dir, words[4])
		return prog, words[4], dir, words[5:], err
	case len(words) >= 4 && words[0] == "go" && words[1] == "tool" && words[2] == "lab" &&
		(words[3] == "up" || words[3] == "trace"):
		return "", "lab " + words[3], s.Dir, words[4:], nil
	case words[0] == "curl":
		// curl is the one program the check takes from the machine: it
		// ships with Windows 10 and later, macOS and most Linux systems.
		prog, err = lookPath("curl")
		if err != nil {
			return "", "", "", nil, fmt.Errorf("this example runs curl, which was not found on your PATH: install curl, or read the example instead (%v)", err)
		}
		return prog, "curl", s.Dir, words[1:], nil
	}
	return "", "", "", nil, fmt.Errorf("the check knows how to run \"go run ./cmd/NAME\", \"go -C DIR tool NAME\" and curl commands, not %q", strings.Join(words, " "))
}

// lookPath is exec.LookPath, named so that checks say what they look for.
var lookPath = exec.LookPath

// runInterrupted runs a command, and once its output contains opts.When,
// interrupts it or its server as opts.Interrupt says.
func (s *Stage) runInterrupted(dir, prog string, args []string, opts ExampleOpts, server *Server) (Result, error) {
	if runtime.GOOS == "windows" && opts.Interrupt != "" {
		return Result{}, errors.New("this milestone sends Ctrl+C's signal to a running program, which Windows does not allow; run the check on Linux or macOS, or try the steps by hand")
	}
	out := &lineWriter{}
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	result := func() Result { return Result{Output: out.String(), ExitCode: cmd.ProcessState.ExitCode()} }

	deadline := time.After(2 * time.Minute)
	for !strings.Contains(out.String(), opts.When) {
		select {
		case <-exited:
			return result(), fmt.Errorf("it ended before printing %q, the moment the check was waiting for", opts.When)
		case <-deadline:
			_ = cmd.Process.Kill()
			<-exited
			return result(), fmt.Errorf("it did not print %q within 2 minutes", opts.When)
		case <-time.After(20 * time.Millisecond):
		}
	}
	switch {
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
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
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
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		return result(), errors.New("it was still running 30s after the interrupt: a stream must end when either side ends it")
	}
}

// ServerOutputCount says how many times the main server has printed text.
func (s *Stage) ServerOutputCount(text string) int {
	if s.main == nil {
		return 0
	}
	return strings.Count(s.main.Output(), text)
}

// WaitForServerOutput waits until the main server has printed text at least
// count times, for effects that only the server sees (a handler returning
// after its client left, say). It fails after timeout.
func (s *Stage) WaitForServerOutput(text string, count int, timeout time.Duration) error {
	if s.main == nil {
		return errors.New("no server is running")
	}
	deadline := time.Now().Add(timeout)
	for strings.Count(s.main.Output(), text) < count {
		if time.Now().After(deadline) {
			return &Failure{
				Who: "server", Received: s.main.Output(),
				Why: fmt.Sprintf("the server did not print %q %d time(s) within %s", text, count, timeout),
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Rep.Checkf("  the server printed %q", text)
	return nil
}

// inputRE finds a trailing "< FILE": the one redirection the check allows,
// for commands that read messages from stdin (grpcurl -d @).
var inputRE = regexp.MustCompile(`^(.*\S)\s+<\s*(\S+)$`)

// splitInput splits "cmd args < file" into "cmd args" and "file".
func splitInput(line string) (string, string) {
	if m := inputRE.FindStringSubmatch(line); m != nil && !strings.ContainsAny(m[2], "'\"") {
		return m[1], m[2]
	}
	return line, ""
}

// retarget points a command at the check's own server instead of the
// README's addresses, and says how in a note.
func retarget(who string, args []string, target *Server) ([]string, string, error) {
	note := ""
	for i, a := range args {
		if strings.Contains(a, readmeHTTPAddr) && target != nil && target.HTTPAddr != "" {
			args[i] = strings.ReplaceAll(a, readmeHTTPAddr, target.HTTPAddr)
			note = fmt.Sprintf("(the check ran it against its own gateway at %s instead of %s)", target.HTTPAddr, readmeHTTPAddr)
		}
		if strings.Contains(a, readmeAddr) {
			if target == nil {
				return nil, "", errors.New("this command needs a running server, and none was started")
			}
			args[i] = strings.ReplaceAll(a, readmeAddr, target.Addr)
			note = fmt.Sprintf("(the check ran it against its own server at %s instead of %s)", target.Addr, readmeAddr)
		}
	}
	if who == "client" && note == "" && target != nil {
		// Lab clients default to localhost:50051; point them at the
		// check's server the way a learner would, with --addr.
		args = append(args, "--addr="+target.Addr)
		note = fmt.Sprintf("(the check added --addr=%s, its own server)", target.Addr)
	}
	return args, note, nil
}

// assignRE finds "NAME=$(command)": a shell variable set from a command's
// output, as in ORDER=$(go run ./cmd/client add-order ... --id-only). Later
// commands of the same check read it as $NAME. bash and zsh take the line
// as it is; PowerShell spells it $NAME = (command).
var assignRE = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=\$\(([^()]*)\)$`)

func assignment(line string) (name, inner string, ok bool) {
	m := assignRE.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// varRE finds "$NAME" or "${NAME}", a variable an earlier line set.
var varRE = regexp.MustCompile(`\$\{?([A-Z][A-Z0-9_]*)\}?`)

// substRE finds "$(command)", the one shell expansion the check performs,
// so that a README can pass one program's output to another as learners
// do: --token=$(go run ./cmd/token --subject=alice). bash, zsh and
// PowerShell all read it the same way.
var substRE = regexp.MustCompile(`\$\(([^()]*)\)`)

// substitute puts in line the values of the variables earlier lines set,
// then runs each "$(command)" from the stage folder, against target, and
// puts its output, trimmed, in its place.
func (s *Stage) substitute(line string, target *Server) (string, error) {
	line, failed := s.expandVars(line)
	if failed != nil {
		return line, failed
	}
	out := substRE.ReplaceAllStringFunc(line, func(m string) string {
		inner := substRE.FindStringSubmatch(m)[1]
		value, err := s.runSubstitution(inner, target)
		if err != nil && failed == nil {
			failed = err
		}
		return value
	})
	return out, failed
}

// expandVars puts in line the values of the variables earlier lines set.
func (s *Stage) expandVars(line string) (string, error) {
	var failed error
	line = varRE.ReplaceAllStringFunc(line, func(m string) string {
		name := varRE.FindStringSubmatch(m)[1]
		v, ok := s.vars[name]
		if !ok && failed == nil {
			failed = fmt.Errorf("$%s is not set: an earlier command of this README sets it", name)
		}
		return v
	})
	return line, failed
}

// expandKnownVars puts in a transcript's expected output the values of the
// variables set so far, so that a README can promise "the same id as
// before" by writing $ORDER. Anything else that looks like one stays.
func (s *Stage) expandKnownVars(text string) string {
	return varRE.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := s.vars[varRE.FindStringSubmatch(m)[1]]; ok {
			return v
		}
		return m
	})
}

// runSubstitution runs the command of a "$(command)" and returns its
// output, trimmed.
func (s *Stage) runSubstitution(inner string, target *Server) (string, error) {
	inner, err := s.expandVars(inner)
	if err != nil {
		return "", err
	}
	words, err := SplitCommand(inner)
	if err != nil {
		return "", fmt.Errorf("running $(%s): %v", inner, err)
	}
	prog, who, dir, args, err := s.resolve(words)
	if err != nil {
		return "", fmt.Errorf("running $(%s): %v", inner, err)
	}
	if who == "lab trace" {
		out, err := s.labTrace(args)
		if err != nil {
			return "", fmt.Errorf("running $(%s): %v", inner, err)
		}
		return strings.TrimSpace(out), nil
	}
	if args, _, err = s.retarget(who, args, target); err != nil {
		return "", fmt.Errorf("running $(%s): %v", inner, err)
	}
	res, err := Run(context.Background(), dir, nil, 2*time.Minute, prog, args...)
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("exit status %d: %s", res.ExitCode, strings.TrimSpace(res.Output))
	}
	if err != nil {
		return "", fmt.Errorf("running $(%s): %v", inner, err)
	}
	return strings.TrimSpace(res.Output), nil
}
