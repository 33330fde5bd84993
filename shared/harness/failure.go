package harness

import (
	"errors"
	"path/filepath"
	"strings"
)

// Failure is a failed milestone told the way a learner can act on it: what
// ran, what the README promised, what came back, and where to read.
type Failure struct {
	Command  string // the command as the README shows it, to rerun by hand
	From     string // where to type Command, if not the folder being checked
	Note     string // how the check's run differed from the README's, if at all
	Who      string // the program whose output was received
	Expected string
	Received string
	Why      string
	Section  string // README heading to read
	Example  string // the README transcript that ran, "upload" for <!-- check: upload -->
	Line     int    // the line of its code fence in the README
}

func (f *Failure) Error() string { return f.Why }

// explain prints a failed milestone's error: a Failure in full, anything
// else as its message.
func (s *CheckRun) explain(err error) {
	var f *Failure
	if !errors.As(err, &f) {
		s.Rep.Checkf("  %v", err)
		return
	}
	if f.Command != "" {
		from := f.From
		if from == "" {
			from = filepath.Base(s.Dir) + "/"
		}
		s.Rep.Checkf("  command (run it yourself from %s):", from)
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
	if f.Example != "" {
		s.Rep.Checkf("  transcript: <!-- check: %s --> at %s/README.md:%d", f.Example, filepath.Base(s.Dir), f.Line)
	}
	if f.Section != "" {
		s.Rep.Checkf("  read: %s/README.md#%s (section %q)", filepath.Base(s.Dir), Anchor(f.Section), f.Section)
	}
}

// inSection returns err as a Failure that points at section: a Failure
// keeps what it says, anything else becomes its Why.
func inSection(err error, command, section string) error {
	var f *Failure
	if errors.As(err, &f) {
		f.Section = section
		return f
	}
	return &Failure{Command: command, Why: err.Error(), Section: section}
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
