package harness

import (
	"bytes"
	"errors"
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

// TestDuringRunsAnExampleWhileTheCommandWaits: the command waits for a file,
// and the example During names makes it, once the command says it waits.
func TestDuringRunsAnExampleWhileTheCommandWaits(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dev := filepath.Join("testdata", "broken", ".dev")
	if err := os.MkdirAll(dev, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dev) })
	check := &Check{Stage: "broken", Title: "a stage that fails on purpose", Milestones: []Milestone{
		{Name: "a change made elsewhere", Run: func(s *CheckRun) error {
			return s.RunExample("waits", ExampleOpts{When: "waiting for", During: "touch"})
		}},
	}}
	var out bytes.Buffer
	rep := NewReporter(&out)
	if err := RunCheck(check, root, filepath.Join("testdata", "broken"), rep, NewTools(rep)); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), `running <!-- check: touch --> while the command waits, after it printed "waiting for"`) {
		t.Errorf("the report does not say it ran the example during the command:\n%s", out.String())
	}
}

// TestASkippedMilestoneIsShownAndPasses: a milestone that cannot run on
// this machine says why, and the check goes on and passes, saying so.
func TestASkippedMilestoneIsShownAndPasses(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	check := &Check{Stage: "broken", Title: "a stage that fails on purpose", Milestones: []Milestone{
		{Name: "needs a browser", Run: func(*CheckRun) error { return &Skipped{Why: "no Chrome here"} }},
		{Name: "runs anyway", Run: func(*CheckRun) error { return nil }},
	}}
	var out bytes.Buffer
	rep := NewReporter(&out)
	if err := RunCheck(check, root, filepath.Join("testdata", "broken"), rep, NewTools(rep)); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"SKIPPED: no Chrome here", "1 of 2 milestones reached, 1 skipped on this machine"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report does not say %q:\n%s", want, out.String())
		}
	}
}

// TestAMilestoneThatNeedsASkippedOneIsSkippedToo: a milestone that reads
// what a skipped one would have done (the page's order, say) is not run,
// so it cannot fail for a reason that is not the learner's code.
func TestAMilestoneThatNeedsASkippedOneIsSkippedToo(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	check := &Check{Stage: "broken", Title: "a stage that fails on purpose", Milestones: []Milestone{
		{Name: "needs a browser", Run: func(*CheckRun) error { return &Skipped{Why: "no Chrome here"} }},
		{Name: "runs anyway", Run: func(*CheckRun) error { return nil }},
		{Name: "traces the browser's order", Needs: "needs a browser",
			Run: func(*CheckRun) error { ran = true; return errors.New("no such trace") }},
	}}
	var out bytes.Buffer
	rep := NewReporter(&out)
	if err := RunCheck(check, root, filepath.Join("testdata", "broken"), rep, NewTools(rep)); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if ran {
		t.Error("the milestone that needs the skipped one ran")
	}
	for _, want := range []string{"SKIPPED: it needs what milestone 1 does, which was skipped: not checked",
		"1 of 3 milestones reached, 2 skipped on this machine"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report does not say %q:\n%s", want, out.String())
		}
	}
}

// TestNoBrowserIsASkipButInCIAFailure: labbrowser's exit status 77 is a
// skip on a learner's machine, and a failure in CI, which installs Chromium.
func TestNoBrowserIsASkipButInCIAFailure(t *testing.T) {
	res := Result{Output: "skipped: no Chrome or Chromium found (set LAB_CHROME)\n", ExitCode: BrowserSkipped}
	c := Command{Text: "go tool lab browser https://localhost:8443/"}
	t.Setenv("CI", "")
	var skip *Skipped
	if err := browserSkip(c, "Run it", res); !errors.As(err, &skip) {
		t.Errorf("without CI: %v, want a skip", err)
	}
	t.Setenv("CI", "true")
	var f *Failure
	if err := browserSkip(c, "Run it", res); !errors.As(err, &f) || !strings.Contains(f.Why, "CI=true") {
		t.Errorf("with CI=true: %v, want a failure that names CI", err)
	}
}
