package harness

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// The main server is the one a README example made only of a server command
// starts: it stays up for the examples after it.

var addrInLineRE = regexp.MustCompile(`listening on (\S+)$`)

// startServer starts a README's server command on a free port and checks
// that its first line is the one the README shows.
func (s *CheckRun) startServer(c Command, ex *Example, prog, dir string, args []string) (*Server, error) {
	grpcurl, err := s.Grpcurl()
	if err != nil {
		return nil, err
	}
	if s.httpAddrFlag != "" {
		args = append(args, s.httpAddrFlag+"=127.0.0.1:0")
	}
	srv, err := StartServer(s.Rep, grpcurl, s.grpcurlSecurity(), s.httpAddrFlag != "", dir, prog, args)
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

// MainServer returns the server started by the last example made only of a
// server command.
func (s *CheckRun) MainServer() *Server { return s.main }

// StopMainServer stops the main server and checks that it stopped cleanly.
func (s *CheckRun) StopMainServer() error {
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

// stopMain kills whatever the check left running.
func (s *CheckRun) stopMain() {
	if s.main != nil {
		s.main.kill()
		s.main = nil
	}
	if s.topo != nil {
		s.topo.killAll()
		s.topo = nil
	}
}

// ServerOutputCount says how many times the main server has printed text.
func (s *CheckRun) ServerOutputCount(text string) int {
	if s.main == nil {
		return 0
	}
	return strings.Count(s.main.Output(), text)
}

// WaitForServerOutput waits until the main server has printed text at least
// count times, for effects that only the server sees (a handler returning
// after its client left, say). It fails after timeout.
func (s *CheckRun) WaitForServerOutput(text string, count int, timeout time.Duration) error {
	if s.main == nil {
		return fmt.Errorf("no server is running")
	}
	if !poll(timeout, func() bool { return strings.Count(s.main.Output(), text) >= count }) {
		return &Failure{
			Who: "server", Received: s.main.Output(),
			Why: fmt.Sprintf("the server did not print %q %d time(s) within %s", text, count, timeout),
		}
	}
	s.Rep.Checkf("  the server printed %q", text)
	return nil
}

// poll calls done every 20ms until it reports true, for at most timeout,
// and says whether it did: the one way the check waits for output.
func poll(timeout time.Duration, done func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
