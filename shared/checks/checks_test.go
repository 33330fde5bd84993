package checks

import (
	"bytes"
	"os"
	"path/filepath"
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

// TestEachNeedsNamesAnEarlierMilestone: a misspelt Needs would never match,
// and its milestone would fail wherever the one it needs is skipped. Needs
// is a name, so the names of one check's milestones must differ.
func TestEachNeedsNamesAnEarlierMilestone(t *testing.T) {
	for _, c := range append(All(), Exercises()...) {
		earlier := map[string]bool{}
		for _, m := range c.Milestones {
			if m.Needs != "" && !earlier[m.Needs] {
				t.Errorf("%s: %q needs %q, which is not an earlier milestone", c.Stage, m.Name, m.Needs)
			}
			if earlier[m.Name] {
				t.Errorf("%s: two milestones are named %q", c.Stage, m.Name)
			}
			earlier[m.Name] = true
		}
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
