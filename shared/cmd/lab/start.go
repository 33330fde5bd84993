package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// runStart lays out a learner's starting point for a stage: the stage
// before it (the lab's, or with --from the learner's own), with this
// stage's README as the lesson, in ../learn-grpc-mine/.
func runStart(args []string, root string, rep *harness.Reporter, tools *harness.Tools, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: start NN [--from DIR]")
	}
	c, err := checks.Find(args[0])
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "start from this `folder` (your own previous stage) instead of the lab's")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	prev := ""
	if before := checks.Before(c); before != nil {
		prev = filepath.Join(root, before.Stage)
	}
	if *from != "" {
		if prev, err = filepath.Abs(*from); err != nil {
			return err
		}
	}
	dest := filepath.Join(harness.MineRoot(root), c.Stage)
	if err := harness.LayOut(tools, root, c.Stage, prev, dest); err != nil {
		return err
	}
	shown, _ := filepath.Rel(root, dest)
	if prev == "" {
		rep.Checkf("Started stage %s in %s: an empty module with the lesson, README.md.", c.Stage, shown)
	} else {
		rep.Checkf("Started stage %s in %s: the code of %s, with %s's README.md as the lesson.", c.Stage, shown, filepath.Base(prev), c.Stage)
	}
	rep.Checkf("Its module is %s%s; it is yours, outside the lab's clone (see the README's \"Build it yourself\").", harness.MineModulePrefix, c.Stage)
	rep.Checkf("Next, see what to build first, from here (the lab's root) or from %s:", shown)
	rep.Checkf("  go tool lab check %s --mine", c.Stage[:2])
	rep.Checkf("(Its go.mod names the lab's command as a tool, so go tool lab works in the folder too.)")
	return nil
}

// stageFolder is the folder a command works on: the stage's own, the
// learner's (--mine, or by default when typed inside it), or any other (-dir).
func stageFolder(root, stage string, mine bool, dir string) (string, error) {
	switch {
	case mine && dir != "":
		return "", fmt.Errorf("give --mine or -dir, not both")
	case dir != "":
		return dir, nil
	case mine || insideMine(root, stage):
		return mineDir(root, stage)
	}
	return filepath.Join(root, stage), nil
}

// insideMine reports whether the command was typed in the learner's folder
// for stage, where the README's commands, --mine left out, mean that folder.
func insideMine(root, stage string) bool {
	cwd, err := os.Getwd()
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(filepath.Join(harness.MineRoot(root), stage), cwd)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// mineDir is the learner's folder for a stage, which must exist. A folder
// started by an older lab gets the lab's command as a tool, and a line says so.
func mineDir(root, stage string) (string, error) {
	dir := filepath.Join(harness.MineRoot(root), stage)
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("no %s yet: start it with go tool lab start %s", dir, stage[:2])
	}
	added, err := harness.EnsureLabTool(root, dir)
	if err != nil {
		return "", err
	}
	if added {
		harness.NewReporter(os.Stderr).Checkf("added the lab's command to %s as a tool: go tool lab now works there too",
			filepath.Join(dir, "go.mod"))
	}
	return dir, nil
}
