package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// TestTheLabCommandWorksFromALearnersFolder lays out a learner's folder as
// "go tool lab start" does and types "go tool lab" there: it must run (not
// answer `no such tool "lab"`), find the lab, and mean that folder when a
// command's --mine is left out.
func TestTheLabCommandWorksFromALearnersFolder(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	rep := harness.NewReporter(&strings.Builder{})
	dest := filepath.Join(t.TempDir(), "learn-grpc-mine", "01-protobuf")
	if err := harness.LayOut(harness.NewTools(rep), root, "01-protobuf", "", dest); err != nil {
		t.Fatal(err)
	}
	res, err := harness.Run(context.Background(), dest, []string{"GOWORK=off"}, 5*time.Minute, "go", "tool", "lab", "help")
	if err != nil || res.ExitCode != 0 || !strings.Contains(res.Output, "Usage: go tool lab") {
		t.Fatalf("go tool lab help in %s: %v, exit %d:\n%s", dest, err, res.ExitCode, res.Output)
	}
	if got, err := harness.FindRootFrom(dest); err != nil || got != root {
		t.Errorf("FindRootFrom(the learner's folder) = %q, %v; want the lab at %q", got, err, root)
	}

	t.Run("a folder started by an older lab gets the lab as a tool", func(t *testing.T) {
		res, err := harness.Run(context.Background(), dest, []string{"GOWORK=off"}, time.Minute,
			"go", "mod", "edit", "-droptool=github.com/learn-grpc/learn-grpc/shared/cmd/lab")
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("go mod edit: %v\n%s", err, res.Output)
		}
		if added, err := harness.EnsureLabTool(root, dest); err != nil || !added {
			t.Fatalf("EnsureLabTool = %v, %v; want it added", added, err)
		}
		if added, err := harness.EnsureLabTool(root, dest); err != nil || added {
			t.Errorf("EnsureLabTool again = %v, %v; want nothing to add", added, err)
		}
		res, err = harness.Run(context.Background(), dest, []string{"GOWORK=off"}, 5*time.Minute, "go", "tool", "lab", "help")
		if err != nil || res.ExitCode != 0 {
			t.Errorf("go tool lab help after EnsureLabTool: %v, exit %d:\n%s", err, res.ExitCode, res.Output)
		}
	})

	t.Run("inside the folder, a command means it", func(t *testing.T) {
		tmp, err := filepath.EvalSymlinks(t.TempDir()) // as os.Getwd will name it
		if err != nil {
			t.Fatal(err)
		}
		mineRoot := filepath.Join(tmp, "learn-grpc-mine")
		labRoot := filepath.Join(filepath.Dir(mineRoot), "learn-grpc")
		here := filepath.Join(mineRoot, "03-server-stream", "cmd")
		for _, dir := range []string{here, labRoot} {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		t.Chdir(here)
		got, err := stageFolder(labRoot, "03-server-stream", false, "")
		if want := filepath.Join(mineRoot, "03-server-stream"); err != nil || got != want {
			t.Errorf("stageFolder(03) typed in %s = %q, %v; want %q", here, got, err, want)
		}
		if got, _ := stageFolder(labRoot, "04-bidi-stream", false, ""); got != filepath.Join(labRoot, "04-bidi-stream") {
			t.Errorf("stageFolder(04) typed in the learner's 03 = %q, want the lab's 04", got)
		}
	})
}
