package harness

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// TopologyOpts says how to start a topology.
type TopologyOpts struct {
	// FreePorts moves every loopback port the Procfile names to a free one,
	// so that a check never meets a port already taken.
	FreePorts bool
	// Add appends flags to the processes whose name starts with a key.
	Add map[string][]string
	// Resolve turns a Procfile command into the program to run and its
	// arguments: "go run ./cmd/NAME" becomes NAME built once.
	Resolve func(words []string) (prog string, args []string, err error)
	// Out receives each line a process prints.
	Out func(name, line string)
	// Picked, if set, is told each free port picked for a Procfile's port.
	Picked func(real, procfile string)
	// Env is added to every process's environment, as KEY=VALUE.
	Env []string
}

// Topology is a set of processes started from a Procfile.
type Topology struct {
	Procs []*Server // in start order; each Server's Name is its Procfile name
	ports map[string]string
	dir   string
	opts  TopologyOpts
	specs map[string][]string // name -> program and arguments, to start again
}

// StartTopology starts procs from dir in order, each once the one before it
// has printed its listening line. If one fails, those started are killed.
func StartTopology(dir string, procs []Proc, o TopologyOpts) (*Topology, error) {
	t := &Topology{ports: map[string]string{}, dir: dir, opts: o, specs: map[string][]string{}}
	for _, p := range procs {
		if err := t.startNew(p); err != nil {
			t.killAll()
			return nil, err
		}
	}
	return t, nil
}

// startNew starts p for the first time. With FreePorts, the ports that p is
// the first to name are picked just before it starts, and picked again if one
// was taken in between.
func (t *Topology) startNew(p Proc) error {
	for attempt := 1; ; attempt++ {
		var picked []string
		if t.opts.FreePorts {
			for _, w := range p.Words {
				for _, m := range loopbackPortRE.FindAllStringSubmatch(w, -1) {
					if _, done := t.ports[m[2]]; done {
						continue
					}
					port, err := freePort()
					if err != nil {
						return err
					}
					t.ports[m[2]] = port
					picked = append(picked, m[2])
					if t.opts.Picked != nil {
						t.opts.Picked(port, m[2])
					}
				}
			}
		}
		prog, args, err := t.opts.Resolve(p.Words)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		for i := range args {
			args[i] = t.Map(args[i])
		}
		for prefix, extra := range t.opts.Add {
			if strings.HasPrefix(p.Name, prefix) {
				args = append(args, extra...)
			}
		}
		t.specs[p.Name] = append([]string{prog}, args...)
		err = t.Start(p.Name)
		if err == nil || len(picked) == 0 || attempt == 3 || !addrInUse(err) {
			return err
		}
		for _, port := range picked {
			delete(t.ports, port)
		}
	}
}

// Start starts the process name, again if it ran before.
func (t *Topology) Start(name string) error {
	spec, ok := t.specs[name]
	if !ok {
		return fmt.Errorf("no process %q in the Procfile", name)
	}
	if p := t.Process(name); p != nil && !p.Exited() {
		return fmt.Errorf("%s is running", name)
	}
	srv, err := launch(t.dir, name, spec[0], spec[1:], t.opts.Env, t.opts.Out)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for i, p := range t.Procs {
		if p.Name == name {
			t.Procs[i] = srv
			return nil
		}
	}
	t.Procs = append(t.Procs, srv)
	return nil
}

// Process returns the process called name, or nil.
func (t *Topology) Process(name string) *Server {
	for _, p := range t.Procs {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Kill ends the process name at once, as a crash would: no graceful stop.
func (t *Topology) Kill(name string) error {
	p := t.Process(name)
	if p == nil {
		return fmt.Errorf("no process %q", name)
	}
	p.kill()
	return nil
}

// Stop stops every process still running, last started first, each as
// Ctrl+C would, and says which did not stop cleanly within the time allowed.
func (t *Topology) Stop(within time.Duration) error {
	var errs []error
	for i := len(t.Procs) - 1; i >= 0; i-- {
		p := t.Procs[i]
		if p.Exited() {
			continue
		}
		if err := p.Stop(within); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (t *Topology) killAll() {
	for _, p := range t.Procs {
		if !p.Exited() {
			p.kill()
		}
	}
}

// Spans are the spans the processes have printed so far, with
// OTEL_TRACES_EXPORTER=console.
func (t *Topology) Spans() []*Span {
	var all []*Span
	for _, p := range t.Procs {
		spans, _ := ParseSpans(strings.NewReader(p.Output()))
		all = append(all, spans...)
	}
	return all
}

// Summary is what "go tool lab up" prints once everything is up: each
// process's listening line under its name, with the Procfile's ports.
func (t *Topology) Summary() string {
	width := 0
	for _, p := range t.Procs {
		width = max(width, len(p.Name))
	}
	var b strings.Builder
	for _, p := range t.Procs {
		fmt.Fprintf(&b, "%-*s | %s\n", width, p.Name, t.Unmap(p.FirstLine))
	}
	fmt.Fprintf(&b, "up: %d processes running; type \"kill NAME\" or \"start NAME\" here, Ctrl+C stops them all\n", len(t.Procs))
	return b.String()
}

// launch starts one process and waits for its first "listening on" line:
// a gRPC server's or a REST gateway's.
func launch(dir, name, prog string, args, env []string, out func(name, line string)) (*Server, error) {
	return startProcess(processSpec{
		who: name, subject: "it", show: out, dir: dir, prog: prog, args: args, env: env,
		what:  `a "... listening on ADDR" line`,
		ready: func(s *Server) bool { return s.FirstLine != "" },
	})
}
