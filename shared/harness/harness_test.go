package harness

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestBrokenPrograms runs the harness against deliberately broken programs
// and compares everything it prints with a golden file: what a learner sees
// when a milestone fails is part of the product.
func TestBrokenPrograms(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		golden string
		opts   ExampleOpts
		name   string
	}{
		{golden: "wrong-output", name: "hello"},
		{golden: "succeeds-when-it-must-fail", name: "must-fail", opts: ExampleOpts{Fails: true}},
		{golden: "server-crashes", name: "run-server"},
		{golden: "does-not-build", name: "no-such-program"},
		// A command that never ends is stopped at its allowance (the
		// check's SlowExamples shorten it here), and says so.
		{golden: "hangs", name: "hangs"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var out bytes.Buffer
			rep := NewReporter(&out)
			check := &Check{Stage: "broken", Title: "a stage that fails on purpose",
				SlowExamples: map[string]time.Duration{"hangs": time.Second}, Milestones: []Milestone{
					{Name: "first milestone passes", Run: func(*CheckRun) error { return nil }},
					{Name: "the broken one", Run: func(s *CheckRun) error { return s.RunExample(tt.name, tt.opts) }},
					{Name: "never reached", Run: func(*CheckRun) error { t.Error("ran a milestone after a failure"); return nil }},
				}}
			if err := RunCheck(check, root, filepath.Join("testdata", "broken"), rep, NewTools(rep)); err == nil {
				t.Fatal("RunCheck passed a broken stage")
			}
			compareGolden(t, filepath.Join("testdata", tt.golden+".golden"), scrub(out.String()))
		})
	}
}

// scrub replaces what changes from run to run (ports, temporary folders,
// timestamps) with fixed words, so the golden files stay stable.
func scrub(s string) string {
	for _, r := range []struct{ re, with string }{
		{`127\.0\.0\.1:\d+`, "127.0.0.1:PORT"},
		{`\S*learn-grpc-check-\d+\S*`, "TMPDIR"},
		{`(?m)^\[go\] .*\n`, ""}, // compiler messages differ between Go versions
		{`(?m)^\[check\] built tool .*\n`, ""},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.with)
	}
	return s
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if w := strings.ReplaceAll(string(want), "\r\n", "\n"); w != got {
		t.Errorf("harness output differs from %s (go test -update rewrites it):\n--- got ---\n%s--- want ---\n%s", path, got, w)
	}
}

// TestOutputsReceivesWhatEachCommandPrinted: a check that reads numbers from
// an example's output gets exactly what was compared with the transcript.
func TestOutputsReceivesWhatEachCommandPrinted(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	var outputs []string
	check := &Check{Stage: "broken", Title: "a stage that fails on purpose", Milestones: []Milestone{
		{Name: "two commands", Run: func(s *CheckRun) error {
			return s.RunExample("two-commands", ExampleOpts{Outputs: &outputs})
		}},
	}}
	rep := NewReporter(&bytes.Buffer{})
	if err := RunCheck(check, root, filepath.Join("testdata", "broken"), rep, NewTools(rep)); err != nil {
		t.Fatal(err)
	}
	if len(outputs) != 2 || strings.TrimSpace(outputs[0]) != "everything is fine" ||
		strings.TrimSpace(outputs[1]) != "Hello, wrold" {
		t.Errorf("Outputs = %q, want each command's output in order", outputs)
	}
}

// TestACommandEndsSoonUnlessItsExampleIsSlow holds the rule of every
// check: a command is stopped after CommandTime, about 20 s, unless its
// example is one of the check's SlowExamples.
func TestACommandEndsSoonUnlessItsExampleIsSlow(t *testing.T) {
	if CommandTime > 20*time.Second {
		t.Errorf("CommandTime is %s; a command that should end soon must fail within about 20s", CommandTime)
	}
	s := &CheckRun{slow: map[string]time.Duration{"kill-replica": 2 * time.Minute}}
	for _, tt := range []struct {
		example string
		want    time.Duration
	}{{"watch-errors", CommandTime}, {"kill-replica", 2 * time.Minute}} {
		s.allow = s.slow[tt.example]
		if got := s.commandTime(); got != tt.want {
			t.Errorf("a command of example %q may run %s, want %s", tt.example, got, tt.want)
		}
	}
}
