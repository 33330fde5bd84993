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
// want holding only "..." matches any number of lines, and "..." inside a
// line matches any text there. When they differ it
// says at which line, in words a learner can act on.
func Match(want, got string) (ok bool, why string) {
	w, g := normalize(want), normalize(got)
	if matchLines(w, g) {
		return true, ""
	}
	for i := range w {
		switch {
		case w[i] == "...":
			return false, tailMismatch(w[i+1:], g[i:])
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

// lineMatches compares one line. In a wanted line, "..." stands for any
// text (a timestamp, a quantity, the end of a message that varies); the rest
// must match exactly and in order. A literal "..." in output matches itself.
func lineMatches(want, got string) bool {
	parts := strings.Split(want, "...")
	if len(parts) == 1 {
		return want == got
	}
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	rest := got[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, mid)
		if i < 0 {
			return false
		}
		rest = rest[i+len(mid):]
	}
	return len(rest) >= len(last) && strings.HasSuffix(rest, last)
}

// tailMismatch explains a mismatch after a "..." line by lining up the
// expected lines after it with the end of the output.
func tailMismatch(want, got []string) string {
	if len(want) > len(got) {
		return fmt.Sprintf("after a \"...\" line, %d more lines were expected than came", len(want)-len(got))
	}
	got = got[len(got)-len(want):]
	for i := range want {
		if want[i] == "..." {
			break
		}
		if !lineMatches(want[i], got[i]) {
			return fmt.Sprintf("line %d from the end differs: expected %q, received %q", len(want)-i, want[i], got[i])
		}
	}
	return "the output differs after a \"...\" line"
}
