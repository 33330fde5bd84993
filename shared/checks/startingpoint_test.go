package checks

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// TestEachStartingPointFailsAtAMilestone lays out each stage's starting
// point as "go tool lab start" does (the code of the stage before, this
// stage's README, the learner's module path) and runs the check on it. The
// README and the setup are sound, so the check must fail at a milestone:
// because the programs do not yet do what the lesson adds.
func TestEachStartingPointFailsAtAMilestone(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range All() {
		t.Run(c.Stage, func(t *testing.T) {
			var out bytes.Buffer
			rep := harness.NewReporter(&out)
			tools := harness.NewTools(rep)
			dest := startingPoint(t, tools, root, c)
			reached, err := harness.RunCheckCounting(c, root, dest, rep, tools)
			if err == nil {
				t.Fatalf("check %s passed on its starting point:\n%s", c.Stage, out.String())
			}
			if strings.Contains(err.Error(), "README") {
				t.Errorf("check %s failed on the README, not on behaviour: %v", c.Stage, err)
			}
			if !strings.Contains(out.String(), "hint: ") {
				t.Errorf("check %s failed without a hint:\n%s", c.Stage, out.String())
			}
			for _, p := range adviceProblems(out.String(), dest) {
				t.Errorf("advice under --mine: %s", p)
			}
			t.Logf("check %s on its starting point: %d milestones reached, then %v", c.Stage, reached, err)
		})
	}
}

// startingPoint lays out c's starting point as "go tool lab start" does and
// returns its folder.
func startingPoint(t *testing.T, tools *harness.Tools, root string, c *harness.Check) string {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "learn-grpc-mine", c.Stage)
	prev := ""
	if before := Before(c); before != nil {
		prev = filepath.Join(root, before.Stage)
	}
	if err := harness.LayOut(tools, root, c.Stage, prev, dest); err != nil {
		t.Fatal(err)
	}
	return dest
}

// stepsAwaitingAMerge are build steps that no milestone tells apart on the
// stage's starting point, whose README tables are still to be merged. The
// test fails once one of them is told apart, so the list only shrinks.
var stepsAwaitingAMerge = map[string][]int{}

// TestEachStepIsToldApartOnTheStartingPoint runs every milestone of each
// check on its starting point, past failures. Each build step must have a
// milestone that fails there: else no milestone tells the step apart, and
// it belongs merged into the next. A milestone of Step 0 must pass there
// when all before it did: the starting copy does it already. Every failure
// on the way must give advice that works in the learner's folder.
func TestEachStepIsToldApartOnTheStartingPoint(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range All() {
		t.Run(c.Stage, func(t *testing.T) {
			var out bytes.Buffer
			rep := harness.NewReporter(&out)
			tools := harness.NewTools(rep)
			dest := startingPoint(t, tools, root, c)
			errs, err := harness.RunEachMilestone(c, root, dest, rep, tools)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range adviceProblems(out.String(), dest) {
				t.Errorf("advice under --mine: %s", p)
			}
			if got := untoldSteps(t, c, errs); !slices.Equal(got, stepsAwaitingAMerge[c.Stage]) {
				t.Errorf("steps no milestone tells apart on the starting point: %v, want %v: "+
					"merge such a step into the next", got, stepsAwaitingAMerge[c.Stage])
			}
			if t.Failed() {
				t.Log(out.String())
			}
		})
	}
}

// untoldSteps lists, in order, the build steps whose milestones all passed
// on a starting point, and fails a Step 0 milestone that did not.
func untoldSteps(t *testing.T, c *harness.Check, errs []error) []int {
	toldApart, allPassed := map[int]bool{}, true
	for i, m := range c.Milestones {
		passed := errs[i] == nil
		t.Logf("step %d, milestone %d %q: passes on the starting point: %v", m.Step, i+1, m.Name, passed)
		switch {
		case m.Step == 0 && !passed && allPassed:
			t.Errorf("milestone %d %q is Step 0, but the starting point fails it: %v", i+1, m.Name, errs[i])
		case m.Step > 0 && !passed:
			toldApart[m.Step] = true
		}
		allPassed = allPassed && passed
	}
	var untold []int
	for _, m := range c.Milestones {
		if m.Step > 0 && !toldApart[m.Step] && !slices.Contains(untold, m.Step) {
			untold = append(untold, m.Step)
		}
	}
	return untold
}
