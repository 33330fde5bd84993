package harness

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// Reporter prints every line with the name of whoever said it: "[check]" for
// the harness, "[server]", "[client]", "[grpcurl]" ... for the programs it
// runs, so a learner can always tell a verdict from a program's own output.
type Reporter struct {
	mu    sync.Mutex
	w     io.Writer
	tour  bool              // print as a tour does (tour.go)
	ports map[string]string // on a tour, the port shown for each real one
	spans int               // on a tour, span lines hidden
}

// NewReporter returns a Reporter writing to w. It is safe for concurrent use.
func NewReporter(w io.Writer) *Reporter { return &Reporter{w: w} }

// Checkf prints one or more lines as the check's own.
func (r *Reporter) Checkf(format string, args ...any) {
	r.lines("check", fmt.Sprintf(format, args...), "")
}

// Program prints a program's output, each line under the program's name.
func (r *Reporter) Program(who, text string) { r.lines(who, text, "") }

// Quoted prints text under who, each line behind a bar, so that blank lines
// and leading spaces in expected or received output stay visible.
func (r *Reporter) Quoted(who, text string) { r.lines(who, text, "  | ") }

func (r *Reporter) lines(who, text, bar string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for _, line := range strings.Split(text, "\n") {
		if r.tour {
			var show bool
			if line, show = r.tourLine(who, line); !show {
				continue
			}
		}
		fmt.Fprintf(r.w, "[%s] %s%s\n", who, bar, line)
	}
}

// lineWriter is an io.Writer that hands complete lines to a Reporter as a
// program writes them, so a running server's logs appear as they happen.
type lineWriter struct {
	r       *Reporter
	who     string
	mu      sync.Mutex
	pending []byte
	all     strings.Builder
	onLine  func(string)
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.all.Write(p)
	lw.pending = append(lw.pending, p...)
	for {
		i := strings.IndexByte(string(lw.pending), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := strings.TrimRight(string(lw.pending[:i]), "\r")
		lw.pending = lw.pending[i+1:]
		if lw.r != nil {
			lw.r.Program(lw.who, line)
		}
		if lw.onLine != nil {
			lw.onLine(line)
		}
	}
}

// String returns everything written so far.
func (lw *lineWriter) String() string {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.all.String()
}
