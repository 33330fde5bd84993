package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Result is what a finished command printed and how it ended.
type Result struct {
	Output   string // stdout and stderr together, in the order written
	ExitCode int
}

// Run runs a program to completion with a deadline. A program still running
// at the deadline is killed and reported as such, never waited on forever.
func Run(ctx context.Context, dir string, env []string, timeout time.Duration, name string, args ...string) (Result, error) {
	return RunInput(ctx, dir, env, nil, timeout, name, args...)
}

// RunInput is Run with stdin read from in (nil: no input).
func RunInput(ctx context.Context, dir string, env []string, in io.Reader, timeout time.Duration, name string, args ...string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdin = in
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	res := Result{Output: out.String(), ExitCode: cmd.ProcessState.ExitCode()}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return res, fmt.Errorf("still running after %s, so it was stopped", timeout)
	case errors.As(err, &exitErr):
		return res, nil // a non-zero exit is an outcome to compare, not a harness failure
	case err != nil:
		return res, err
	}
	return res, nil
}

// listeningRE finds the address in the line every lab server prints first;
// gatewayRE the one a server with a REST gateway prints next.
var (
	listeningRE = regexp.MustCompile(`^gRPC server listening on (\S+)$`)
	gatewayRE   = regexp.MustCompile(`^REST gateway listening on https?://(\S+)$`)
)

// Server is a lab server process started by the check.
type Server struct {
	Name      string // its name in a Procfile, if it came from one
	Addr      string // the address it reported, e.g. 127.0.0.1:41234
	HTTPAddr  string // its REST gateway's address, if it has one
	FirstLine string // the listening line exactly as printed
	cmd       *exec.Cmd
	output    *lineWriter
	exited    chan struct{}
	waitErr   error
}

// StartServer starts a server binary on a free loopback port (the kernel
// picks it: "-addr=127.0.0.1:0", so two checks never race for a port), waits
// for its listening line, then polls the standard health service with
// grpcurl until it answers SERVING. Its output is shown live as [server].
// security is grpcurl's transport flags for the health check: -plaintext,
// or -cacert with the CA that signed the server's certificate.
// With gateway, it also waits for the gateway's listening line.
func StartServer(rep *Reporter, grpcurl string, security []string, gateway bool, dir, bin string, args []string) (*Server, error) {
	spec := processSpec{
		who: "server", subject: "the server", rep: rep, dir: dir, prog: bin,
		args:  append(append([]string(nil), args...), "-addr=127.0.0.1:0"),
		what:  `"gRPC server listening on ..."`,
		ready: func(s *Server) bool { return s.Addr != "" && (!gateway || s.HTTPAddr != "") },
	}
	if gateway {
		spec.what += ` and "REST gateway listening on ..."`
	}
	s, err := startProcess(spec)
	if err != nil {
		return nil, err
	}
	if err := s.waitHealthy(grpcurl, security); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// processSpec says how to start a process and when it is up.
type processSpec struct {
	who     string    // its name in the check's output, and in a Procfile
	subject string    // how an error names it
	rep     *Reporter // shows its output live, if set
	show    func(who, line string)
	dir     string
	prog    string
	args    []string
	env     []string // added to the check's own environment
	what    string   // the lines it waits for, as an error names them
	ready   func(*Server) bool
}

// startProcess starts a process and waits, for at most a minute, until
// spec.ready says it is up. It is asked after each "listening on" line: the
// first such line is the process's FirstLine, and the gRPC and REST
// addresses are read from theirs.
func startProcess(spec processSpec) (*Server, error) {
	s := &Server{Name: spec.who, exited: make(chan struct{})}
	up := make(chan struct{})
	var once sync.Once
	s.output = &lineWriter{r: spec.rep, who: spec.who, onLine: func(line string) {
		if spec.show != nil {
			spec.show(spec.who, line)
		}
		grpcAddr, restAddr := listeningRE.FindStringSubmatch(line), gatewayRE.FindStringSubmatch(line)
		if grpcAddr == nil && restAddr == nil {
			return
		}
		if s.FirstLine == "" {
			s.FirstLine = line
		}
		if grpcAddr != nil && s.Addr == "" {
			s.Addr = grpcAddr[1]
		}
		if restAddr != nil && s.HTTPAddr == "" {
			s.HTTPAddr = restAddr[1]
		}
		if spec.ready(s) {
			once.Do(func() { close(up) })
		}
	}}
	s.cmd = exec.Command(spec.prog, spec.args...)
	s.cmd.Dir = spec.dir
	ownGroup(s.cmd)
	if spec.env != nil {
		s.cmd.Env = append(os.Environ(), spec.env...)
	}
	s.cmd.Stdout, s.cmd.Stderr = s.output, s.output
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.waitErr = s.cmd.Wait(); close(s.exited) }()
	select {
	case <-up:
		return s, nil
	case <-s.exited:
		if spec.rep != nil { // the check has shown its output already
			return nil, fmt.Errorf("%s exited (%v) before printing %s", spec.subject, s.waitErr, spec.what)
		}
		return nil, fmt.Errorf("%s exited (%v) before printing %s:\n%s", spec.subject, s.waitErr, spec.what, s.Output())
	case <-time.After(time.Minute):
		s.kill()
		return nil, fmt.Errorf("%s printed no %s within a minute", spec.subject, spec.what)
	}
}

func (s *Server) waitHealthy(grpcurl string, security []string) error {
	deadline := time.Now().Add(30 * time.Second)
	var last Result
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("the server exited (%v) before it was healthy", s.waitErr)
		default:
		}
		res, err := Run(context.Background(), "", nil, 10*time.Second, grpcurl, append(append([]string(nil), security...), s.Addr, "grpc.health.v1.Health/Check")...)
		if err == nil && res.ExitCode == 0 && strings.Contains(res.Output, `"SERVING"`) {
			return nil
		}
		last = res
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the server at %s did not report SERVING on grpc.health.v1.Health/Check within 30s; last answer:\n%s", s.Addr, last.Output)
}

// Exited reports whether the process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Done is closed when the process ends; Err then says how.
func (s *Server) Done() <-chan struct{} { return s.exited }

// Err is how the process ended, once Done is closed.
func (s *Server) Err() error { return s.waitErr }

// Output returns everything the server has printed so far.
func (s *Server) Output() string { return s.output.String() }

// Stop asks the server to stop as Ctrl+C would (SIGINT, or CTRL_BREAK_EVENT
// on Windows) and checks that it does so cleanly: it must exit, and with
// status 0, within the time allowed.
func (s *Server) Stop(within time.Duration) error {
	select {
	case <-s.exited:
		return fmt.Errorf("the server had already exited (%v) before the check stopped it", s.waitErr)
	default:
	}
	// In a terminal, Ctrl+C reaches every process of the group at once, so
	// the process may have ended between the check above and this signal.
	if err := interrupt(s.cmd.Process); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.exited:
	case <-time.After(within):
		s.kill()
		return fmt.Errorf("the server was still running %s after SIGINT: a graceful stop must end on its own", within)
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		return fmt.Errorf("the server exited with status %d after SIGINT; a graceful stop exits 0", code)
	}
	return nil
}

func (s *Server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}
