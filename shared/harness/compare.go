package harness

import (
	"fmt"
	"strings"
)

// normalize makes output comparable across platforms and editors: Windows
// line ends become "\n", trailing spaces and trailing blank lines go.
func normalize(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// Match reports whether got matches the transcript want, where a line of
// want holding only "..." matches any number of lines, and a line ending in
// " ..." matches any line starting with the same text. When they differ it
// says at which line, in words a learner can act on.
func Match(want, got string) (ok bool, why string) {
	w, g := normalize(want), normalize(got)
	if matchLines(w, g) {
		return true, ""
	}
	for i := range w {
		switch {
		case w[i] == "...":
			return false, "the output differs after a \"...\" line"
		case i >= len(g):
			return false, fmt.Sprintf("output ended before expected line %d: %q", i+1, w[i])
		case !lineMatches(w[i], g[i]):
			return false, fmt.Sprintf("line %d differs: expected %q, received %q", i+1, w[i], g[i])
		}
	}
	return false, fmt.Sprintf("unexpected extra output from line %d: %q", len(w)+1, g[len(w)])
}

func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for skip := 0; skip <= len(got); skip++ {
			if matchLines(want[1:], got[skip:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && lineMatches(want[0], got[0]) && matchLines(want[1:], got[1:])
}

// lineMatches compares one line. A wanted line ending in " ..." matches any
// line that starts with the text before it, for output whose end varies.
func lineMatches(want, got string) bool {
	if prefix, ok := strings.CutSuffix(want, " ..."); ok {
		return strings.HasPrefix(got, prefix+" ")
	}
	return want == got
}
