package harness

import (
	"regexp"
	"strings"
)

// A tour runs a stage's check to show it working, so it shows what the
// README shows: the README's ports in place of the free ports the check
// picked, and the spans that processes print as JSON as the trace trees
// "go tool lab trace" draws. A check's own report stays as it is.

// Tour makes r print as a tour does.
func (r *Reporter) Tour() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tour, r.ports = true, map[string]string{}
}

// alias makes a tour show the port shown wherever a program printed real.
func (r *Reporter) alias(real, shown string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tour {
		r.ports[real] = shown
	}
}

// serverListeningRE finds the port of a lab server's listening lines.
var serverListeningRE = regexp.MustCompile(`^(gRPC server|REST gateway) listening on \S*:(\d+)$`)

// tourLine is how a tour shows a program's line, and false for a span,
// which the tour counts instead. Called with r.mu held.
func (r *Reporter) tourLine(who, line string) (string, bool) {
	if who == "check" {
		return line, true
	}
	if strings.HasPrefix(strings.TrimSpace(line), `{"Name":`) {
		r.spans++
		return "", false
	}
	if m := serverListeningRE.FindStringSubmatch(line); m != nil && who == "server" {
		// The check starts a README's server on a free port; the README
		// shows it on the gRPC port or the gateway's.
		r.ports[m[2]] = portOf(readmeAddr)
		if m[1] == "REST gateway" {
			r.ports[m[2]] = portOf(readmeHTTPAddr)
		}
	}
	return loopbackPortRE.ReplaceAllStringFunc(line, func(m string) string {
		sub := loopbackPortRE.FindStringSubmatch(m)
		if to, ok := r.ports[sub[2]]; ok {
			return sub[1] + ":" + to
		}
		return m
	}), true
}

// hiddenSpans says how many span lines a tour has hidden since the last
// reset.
func (r *Reporter) hiddenSpans(reset bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.spans
	if reset {
		r.spans = 0
	}
	return n
}

// isTour reports whether r prints as a tour.
func (r *Reporter) isTour() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tour
}

func portOf(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }

// showNewTraces prints, on a tour, the trees of the complete traces not
// shown yet, in place of the span JSON lines it hid.
func (s *CheckRun) showNewTraces() {
	if s.Rep.hiddenSpans(false) == 0 || s.topo == nil {
		return
	}
	var trees []string
	for _, t := range Traces(s.topo.Spans()) {
		if !s.shownTraces[t.ID] && t.Complete() {
			s.shownTraces[t.ID] = true
			trees = append(trees, t.Tree())
		}
	}
	if len(trees) == 0 {
		return // the spans of a trace still on its way: shown once it is complete
	}
	s.Rep.Checkf("  (the processes printed %d span lines of JSON; as go tool lab trace draws them:)", s.Rep.hiddenSpans(true))
	for _, tree := range trees {
		s.Rep.Quoted("lab trace", tree)
	}
}
