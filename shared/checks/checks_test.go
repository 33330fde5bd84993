package checks

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// TestEachCheckFailsOnTheStageBefore points every stage's check at the
// previous stage's folder (stage 01's at an empty folder): a stage's
// milestones are what it adds, so the stage before must not pass them.
func TestEachCheckFailsOnTheStageBefore(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	all := All()
	for i, c := range all {
		before := t.TempDir()
		if i > 0 {
			before = filepath.Join(root, all[i-1].Stage)
		}
		t.Run(c.Stage, func(t *testing.T) {
			var out bytes.Buffer
			rep := harness.NewReporter(&out)
			err := harness.RunCheck(c, root, before, rep, harness.NewTools(rep))
			if err == nil {
				t.Fatalf("check %s passed on %s:\n%s", c.Stage, before, out.String())
			}
			if !strings.Contains(out.String(), "FAIL "+c.Stage) {
				t.Errorf("check %s failed without saying so:\n%s", c.Stage, out.String())
			}
			t.Logf("check %s on the stage before: %v", c.Stage, err)
		})
	}
}

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
var stepsAwaitingAMerge = map[string][]int{
	"04-bidi-stream":   {1},
	"06-gateway":       {1},
	"07-microservices": {1},
	"08-observability": {1, 5},
}

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

// TestEachSolutionPassesAsTheLearnersOwn puts the lab's solution of each
// stage in a learner's folder, under the learner's module path, as a learner
// who finished the lesson would have it: the check must pass there, so it
// relies on nothing of ours but what the README says.
func TestEachSolutionPassesAsTheLearnersOwn(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range All() {
		t.Run(c.Stage, func(t *testing.T) {
			var out bytes.Buffer
			rep := harness.NewReporter(&out)
			tools := harness.NewTools(rep)
			dest := learnerCopy(t, tools, root, c.Stage)
			if err := harness.RunCheck(c, root, dest, rep, tools); err != nil {
				t.Fatalf("check %s failed on the solution in a learner's folder: %v\n%s", c.Stage, err, out.String())
			}
		})
	}
}

func TestFind(t *testing.T) {
	for _, name := range []string{"01", "01-protobuf", "02", "02-unary"} {
		if c, err := Find(name); err != nil || !strings.HasPrefix(c.Stage, name[:2]) {
			t.Errorf("Find(%q) = %v, %v", name, c, err)
		}
	}
	if _, err := Find("99"); err == nil {
		t.Error("Find(99) found a stage")
	}
}

func TestEnumPrefix(t *testing.T) {
	if got := enumPrefix("OrderStatus"); got != "ORDER_STATUS" {
		t.Errorf("enumPrefix(OrderStatus) = %q", got)
	}
}

// TestEachExerciseCheckFailsOnTheStage runs every exercise's check on the
// lab's stage, which does not do the exercise: it must fail, at a milestone
// the exercise adds, with a hint.
func TestEachExerciseCheckFailsOnTheStage(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Exercises() {
		t.Run(c.Name, func(t *testing.T) {
			var out bytes.Buffer
			rep := harness.NewReporter(&out)
			if err := harness.RunCheck(c, root, filepath.Join(root, c.Stage), rep, harness.NewTools(rep)); err == nil {
				t.Fatalf("exercise %s passed on the stage that does not do it:\n%s", c.Name, out.String())
			}
			if !strings.Contains(out.String(), "hint: ") {
				t.Errorf("exercise %s failed without a hint:\n%s", c.Name, out.String())
			}
		})
	}
}

// TestEachExerciseCheckPassesWithASolution applies a solution of each
// exercise (testdata/solutions/NN.1.patch) to the stage in a learner's
// folder, regenerates its code, and runs the exercise's check: it passes.
func TestEachExerciseCheckPassesWithASolution(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Exercises() {
		t.Run(c.Name, func(t *testing.T) {
			var out bytes.Buffer
			rep := harness.NewReporter(&out)
			tools := harness.NewTools(rep)
			dest := learnerCopy(t, tools, root, c.Stage)
			patch, err := filepath.Abs(filepath.Join("testdata", "solutions", c.Name+".patch"))
			if err != nil {
				t.Fatal(err)
			}
			if res, err := harness.Run(t.Context(), dest, nil, time.Minute, "git", "apply", patch); err != nil || res.ExitCode != 0 {
				t.Fatalf("applying %s: %v\n%s", patch, err, res.Output)
			}
			if res, err := harness.Generate(tools, root, dest, "."); err != nil || res.ExitCode != 0 {
				t.Fatalf("generating: %v\n%s", err, res.Output)
			}
			if err := harness.RunCheck(c, root, dest, rep, tools); err != nil {
				t.Fatalf("exercise %s failed with its solution: %v\n%s", c.Name, err, out.String())
			}
		})
	}
}

// learnerCopy puts the lab's stage in a learner's folder, under the
// learner's module path, with the pinned tools beside it, and returns it.
func learnerCopy(t *testing.T, tools *harness.Tools, root, stage string) string {
	t.Helper()
	mine := filepath.Join(t.TempDir(), "learn-grpc-mine")
	dest := filepath.Join(mine, stage)
	if err := harness.CopyTools(root, mine); err != nil {
		t.Fatal(err)
	}
	if err := harness.CopyAs(tools, root, filepath.Join(root, stage), dest, harness.MineModulePrefix+stage); err != nil {
		t.Fatal(err)
	}
	return dest
}

// TestEachReadmesGeneratedBlocksAreFresh holds each README to what it is
// generated from: its change list to the diff with the stage before, its
// milestone list and step table to the check. A milestone renamed in the
// check, or a file changed in a stage, and not regenerated, fails.
func TestEachReadmesGeneratedBlocksAreFresh(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range All() {
		t.Run(c.Stage, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, c.Stage, "README.md"))
			if err != nil {
				t.Fatal(err)
			}
			from := ""
			if before := Before(c); before != nil {
				from = before.Stage
			}
			changes, err := harness.StageChanges(root, from, c.Stage)
			if err != nil {
				t.Fatal(err)
			}
			want, err := harness.RenderChanges(string(data), changes)
			if err == nil {
				want, err = harness.RenderReadme(want, c)
			}
			if err != nil {
				t.Fatal(err)
			}
			if want != string(data) {
				t.Errorf("%s/README.md's generated blocks are stale: run go tool lab gen %s", c.Stage, c.Stage[:2])
			}
		})
	}
}

// slowExamples are the README examples, stage/example, allowed to run
// longer than harness.CommandTime, each for a reason its check gives.
var slowExamples = []string{"07-microservices/kill-replica"}

// TestEveryExampleEndsSoonButTheFewSlowOnes holds the rule for every
// stage's examples: each command must end within harness.CommandTime,
// unless its check lists the example as slow. A slow example names one the
// README has, needs more than the default, and is one of slowExamples.
func TestEveryExampleEndsSoonButTheFewSlowOnes(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	var slow []string
	for _, c := range append(All(), Exercises()...) {
		rm, err := harness.LoadReadme(filepath.Join(root, c.Stage, "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		for name, d := range c.SlowExamples {
			if _, err := rm.Example(name); err != nil {
				t.Errorf("check %s: slow example %q: %v", cmpName(c), name, err)
			}
			if d <= harness.CommandTime || d > 5*time.Minute {
				t.Errorf("check %s: slow example %q may run %s: want more than %s, at most 5m", cmpName(c), name, d, harness.CommandTime)
			}
			slow = append(slow, c.Stage+"/"+name)
		}
	}
	slices.Sort(slow)
	if slow = slices.Compact(slow); !slices.Equal(slow, slowExamples) {
		t.Errorf("slow examples are %v, want %v: every other command must end within %s", slow, slowExamples, harness.CommandTime)
	}
}

func cmpName(c *harness.Check) string {
	if c.Name != "" {
		return c.Name
	}
	return c.Stage
}
