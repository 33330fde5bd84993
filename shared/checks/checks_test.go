package checks

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// TestEachCheckFailsOnTheCodeBefore gives the previous stage's code this
// stage's README, so the README cannot be what fails: the check must fail
// because the programs do not do what the lesson adds.
func TestEachCheckFailsOnTheCodeBefore(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	all := All()
	for i, c := range all[1:] {
		prev := all[i].Stage
		t.Run(c.Stage, func(t *testing.T) {
			// Beside the stages, so "go -C ../tools" in the README resolves.
			dir, err := os.MkdirTemp(root, ".check-before-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, prev))); err != nil {
				t.Fatal(err)
			}
			readme, err := os.ReadFile(filepath.Join(root, c.Stage, "README.md"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "README.md"), readme, 0o644); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			rep := harness.NewReporter(&out)
			err = harness.RunCheck(c, root, dir, rep, harness.NewTools(rep))
			if err == nil {
				t.Fatalf("check %s passed on %s's code:\n%s", c.Stage, prev, out.String())
			}
			if strings.Contains(err.Error(), "README") {
				t.Errorf("check %s failed on the README, not on behaviour: %v", c.Stage, err)
			}
			t.Logf("check %s on %s's code: %v", c.Stage, prev, err)
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
