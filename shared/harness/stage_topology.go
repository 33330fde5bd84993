package harness

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"
)

// startTopology runs "go tool lab up": the folder's Procfile, on free ports,
// with any "--add NAME=FLAG" of the command. A topology started before is
// stopped first. It must print what the README shows, and every gRPC
// process must then report SERVING.
func (s *CheckRun) startTopology(c Command, ex *Example, args []string) error {
	fail := func(why, received string) error {
		return &Failure{Command: c.Text, Who: "lab up", Why: why, Received: received, Section: ex.Section}
	}
	var up *UpFlags
	if _, err := parseLabArgs(args, func(fs *flag.FlagSet) { up = NewUpFlags(fs) }); err != nil {
		return fail("go tool lab up: "+err.Error(), "")
	}
	if s.topo != nil {
		s.Rep.Checkf("  stopping the topology started before")
		err := s.topo.Stop(20 * time.Second)
		s.topo = nil
		if err != nil {
			return fail(err.Error(), "")
		}
	}
	procs, err := LoadProcfile(s.Dir)
	if err != nil {
		return fail("cannot read the Procfile that go tool lab up runs: "+err.Error(), "")
	}
	topo, err := StartTopology(s.Dir, procs, TopologyOpts{
		FreePorts: true, Add: up.Add, Env: up.Env,
		Resolve: func(words []string) (string, []string, error) {
			c, err := s.resolve(words)
			return c.prog, c.args, err
		},
		Out:    s.Rep.Program,
		Picked: s.Rep.alias,
	})
	if err != nil {
		var built *Failure
		if errors.As(err, &built) { // a build that failed: show the compiler's words
			return &Failure{Command: c.Text, Who: built.Who, Why: err.Error(), Received: built.Received, Section: ex.Section}
		}
		return fail(err.Error(), "")
	}
	s.topo = topo
	s.main = nil
	summary := topo.Summary()
	s.Rep.Quoted("lab up", summary)
	if ok, why := Match(c.Output, summary); !ok {
		return &Failure{Command: c.Text, Who: "lab up", Why: why, Expected: c.Output, Received: summary,
			Note: "(the check ran every process on a free port; the addresses are compared as the Procfile gives them)", Section: ex.Section}
	}
	grpcurl, err := s.Grpcurl()
	if err != nil {
		return err
	}
	for _, p := range topo.Procs {
		if p.Addr == "" {
			continue
		}
		if err := p.waitHealthy(grpcurl, s.grpcurlSecurity()); err != nil {
			return &Failure{Who: p.Name, Why: p.Name + ": " + err.Error(), Received: p.Output(), Section: ex.Section}
		}
	}
	s.Rep.Checkf("  every gRPC process reports SERVING")
	return nil
}

// labTrace runs "go tool lab trace NN [TRACE_ID] [--from SERVICE]
// [--id-only]" on the running topology's output: the trace as a tree, or
// its id alone.
func (s *CheckRun) labTrace(args []string) (string, error) {
	if s.topo == nil {
		return "", fmt.Errorf("no topology is running: start it with go tool lab up")
	}
	var tf *TraceFlags
	rest, err := parseLabArgs(args, func(fs *flag.FlagSet) { tf = NewTraceFlags(fs) })
	if err != nil {
		return "", err
	}
	q, idOnly := tf.Query, tf.IDOnly
	if len(rest) > 0 {
		q.ID = rest[0]
	}
	t, err := WaitForTrace(s.topo.Spans, q, 10*time.Second)
	if err != nil {
		return "", err
	}
	if s.shownTraces != nil {
		s.shownTraces[t.ID] = true // a tour need not draw it again
	}
	if idOnly {
		return t.ID, nil
	}
	return t.Tree(), nil
}

// StopTopology stops every process of the running topology as Ctrl+C would,
// last started first, and checks that each stops cleanly.
func (s *CheckRun) StopTopology() error {
	if s.topo == nil {
		return fmt.Errorf("no topology is running to stop")
	}
	topo := s.topo
	s.topo = nil
	s.Rep.Checkf("  sending SIGINT (Ctrl+C) to every process, last started first")
	if err := topo.Stop(20 * time.Second); err != nil {
		return &Failure{Why: err.Error(), Who: "lab up"}
	}
	return nil
}

// WaitForProcessOutput waits until a process of the topology whose name
// starts with prefix has printed one of texts, for effects only a service
// sees.
func (s *CheckRun) WaitForProcessOutput(prefix string, timeout time.Duration, texts ...string) error {
	return s.waitForProcessLine(prefix, timeout, fmt.Sprintf("%q", strings.Join(texts, `" or "`)),
		func(line string) bool {
			return slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(line, t) })
		})
}

// WaitForProcessOutputLine waits until a process of the topology whose name
// starts with prefix has printed one line holding every one of texts.
func (s *CheckRun) WaitForProcessOutputLine(prefix string, timeout time.Duration, texts ...string) error {
	return s.waitForProcessLine(prefix, timeout, fmt.Sprintf("a line with %q", strings.Join(texts, `" and "`)),
		func(line string) bool {
			return !slices.ContainsFunc(texts, func(t string) bool { return !strings.Contains(line, t) })
		})
}

// waitForProcessLine polls the output of prefix's processes for a line
// that match accepts, for up to timeout.
func (s *CheckRun) waitForProcessLine(prefix string, timeout time.Duration, what string, match func(string) bool) error {
	if s.topo == nil {
		return fmt.Errorf("no topology is running")
	}
	var seen []string
	found := poll(timeout, func() bool {
		seen = seen[:0]
		for _, p := range s.topo.Procs {
			if !strings.HasPrefix(p.Name, prefix) {
				continue
			}
			for _, line := range strings.Split(p.Output(), "\n") {
				if match(line) {
					s.Rep.Checkf("  %s printed %q", p.Name, line)
					return true
				}
			}
			seen = append(seen, "["+p.Name+"]\n"+p.Output())
		}
		return false
	})
	if !found {
		return &Failure{Who: prefix, Received: strings.Join(seen, "\n"),
			Why: fmt.Sprintf("no %s process printed %s within %s", prefix, what, timeout)}
	}
	return nil
}
