package harness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Span is one span as OpenTelemetry's console exporter (stdouttrace, which
// OTEL_TRACES_EXPORTER=console picks) writes it: a JSON object a line.
type Span struct {
	Name        string
	SpanContext struct{ TraceID, SpanID string }
	Parent      struct{ TraceID, SpanID string }
	SpanKind    int
	StartTime   time.Time
	EndTime     time.Time
	Status      struct{ Code, Description string }
	Resource    []struct {
		Key   string
		Value struct{ Value any }
	}
}

// Service is the span's service.name.
func (s *Span) Service() string {
	for _, kv := range s.Resource {
		if kv.Key == "service.name" {
			return fmt.Sprint(kv.Value.Value)
		}
	}
	return "?"
}

var spanKinds = map[int]string{1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}

// ParseSpans reads the spans among a program's output; every other line
// (its logs, its listening line) is skipped.
func ParseSpans(r io.Reader) ([]*Span, error) {
	var spans []*Span
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, `{"Name":`) {
			continue
		}
		var s Span
		if err := json.Unmarshal([]byte(line), &s); err != nil || s.SpanContext.TraceID == "" {
			continue // a line cut by another write: not a span we can place
		}
		spans = append(spans, &s)
	}
	return spans, sc.Err()
}

// Trace is the spans of one trace id, as a tree.
type Trace struct {
	ID       string
	Spans    []*Span
	children map[string][]*Span
	root     *Span
}

// Traces groups spans by trace, and returns those with a root span (no
// parent), latest root first.
func Traces(spans []*Span) []*Trace {
	byID := map[string]*Trace{}
	for _, s := range spans {
		t := byID[s.SpanContext.TraceID]
		if t == nil {
			t = &Trace{ID: s.SpanContext.TraceID, children: map[string][]*Span{}}
			byID[t.ID] = t
		}
		t.Spans = append(t.Spans, s)
		if s.Parent.SpanID == "" || s.Parent.SpanID == "0000000000000000" {
			t.root = s
		} else {
			t.children[s.Parent.SpanID] = append(t.children[s.Parent.SpanID], s)
		}
	}
	var out []*Trace
	for _, t := range byID {
		if t.root != nil {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *Trace) int { return b.root.StartTime.Compare(a.root.StartTime) })
	return out
}

// Complete reports whether every span of the trace hangs from its root (no
// span waits for a parent still unexported) and every client span has the
// server span of the call it made: in the lab every call is to a service of
// its own, which exports that span on its own schedule.
func (t *Trace) Complete() bool {
	for _, s := range t.Spans {
		if spanKinds[s.SpanKind] == "client" && len(t.children[s.SpanContext.SpanID]) == 0 {
			return false
		}
	}
	seen := 0
	var walk func(*Span)
	walk = func(s *Span) {
		seen++
		for _, c := range t.children[s.SpanContext.SpanID] {
			walk(c)
		}
	}
	walk(t.root)
	return seen == len(t.Spans)
}

// Tree prints the trace as an indented waterfall: each span under its
// parent, with its service, kind and status, when it started after the
// root, how long it took, and a bar on the root's time scale.
func (t *Trace) Tree() string {
	services := map[string]bool{}
	for _, s := range t.Spans {
		services[s.Service()] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "trace %s: %d spans, %d services\n", t.ID, len(t.Spans), len(services))
	if !t.Complete() {
		b.WriteString("(incomplete: a span's parent, or the server span of a call, has not arrived)\n")
	}
	total := max(t.root.EndTime.Sub(t.root.StartTime), time.Microsecond)
	const width = 30
	var walk func(s *Span, prefix string, last, top bool)
	walk = func(s *Span, prefix string, last, top bool) {
		branch, next := "", ""
		if !top {
			branch, next = "├─ ", "│  "
			if last {
				branch, next = "└─ ", "   "
			}
		}
		status := ""
		if s.Status.Code == "Error" {
			status = "  ERROR " + s.Status.Description
		}
		label := fmt.Sprintf("%s%s%s %s (%s)%s", prefix, branch, s.Service(), s.Name, spanKinds[s.SpanKind], status)
		offset, took := s.StartTime.Sub(t.root.StartTime), s.EndTime.Sub(s.StartTime)
		from := min(int(width*offset/total), width-1)
		bar := strings.Repeat(" ", from) + strings.Repeat("█", max(1, min(width-from, int(width*took/total))))
		fmt.Fprintf(&b, "%-90s +%8s %8s |%-*s|\n", label, ms(offset), ms(took), width, bar)
		kids := t.children[s.SpanContext.SpanID]
		slices.SortFunc(kids, func(a, b *Span) int { return a.StartTime.Compare(b.StartTime) })
		for i, c := range kids {
			walk(c, prefix+next, i == len(kids)-1, false)
		}
	}
	walk(t.root, "", true, true)
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// TraceQuery says which trace to show: the one with ID, or else the latest
// whose root span is From's (any service's when From is empty) and that
// holds a span whose name contains Through (any, when it is empty).
type TraceQuery struct{ ID, From, Through string }

// WaitForTrace polls spans for the trace q asks for until it is complete,
// for up to timeout: spans are exported in batches, by several processes,
// each on its own schedule. After timeout it returns the trace as it
// stands.
func WaitForTrace(spans func() []*Span, q TraceQuery, timeout time.Duration) (*Trace, error) {
	deadline := time.Now().Add(timeout)
	for {
		t, err := FindTrace(spans(), q)
		if (err == nil && t.Complete()) || time.Now().After(deadline) {
			return t, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// holds reports whether a span of the trace has a name containing part.
func (t *Trace) holds(part string) bool {
	return slices.ContainsFunc(t.Spans, func(s *Span) bool { return strings.Contains(s.Name, part) })
}

// FindTrace returns the trace q asks for among spans.
func FindTrace(spans []*Span, q TraceQuery) (*Trace, error) {
	for _, t := range Traces(spans) {
		if (q.ID == "" || t.ID == q.ID) && (q.From == "" || t.root.Service() == q.From) && t.holds(q.Through) {
			return t, nil
		}
	}
	switch {
	case q.ID != "":
		return nil, fmt.Errorf("no trace %s with its root span among %d spans", q.ID, len(spans))
	case q.Through != "":
		return nil, fmt.Errorf("no trace with a span named ...%s... among %d spans", q.Through, len(spans))
	case q.From != "":
		return nil, fmt.Errorf("no trace that began at %s among %d spans: is OTEL_TRACES_EXPORTER=console set for every process?",
			q.From, len(spans))
	}
	return nil, fmt.Errorf("no trace among %d spans: is OTEL_TRACES_EXPORTER=console set for every process?", len(spans))
}
