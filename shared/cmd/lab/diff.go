package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// runDiff prints what stage B adds to stage A. Each stage is its own Go
// module, so import paths differ in the stage folder only; both copies have
// it replaced by "<stage>" so the diff shows the lesson, not the renaming.
// Generated code (gen/, the OpenAPI document) and go.sum are left out unless
// -generated is given, the READMEs (each stage's is its own lesson, not an
// edit of the last one) unless -readme is, and git-ignored files always.
func runDiff(args []string, root string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diff-stages", flag.ContinueOnError)
	fs.SetOutput(stderr)
	generated := fs.Bool("generated", false, "include generated code and go.sum")
	readme := fs.Bool("readme", false, "include the READMEs")
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) != 2 {
		return errors.New("usage: diff-stages A B [-generated] [-readme], for example: diff-stages 01 02, or diff-stages 03 mine")
	}
	tmp, err := os.MkdirTemp("", "learn-grpc-diff-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var dirs []string
	for i, p := range positional {
		if p == "mine" {
			// "diff-stages 03 mine": the lab's stage 03 against yours.
			c, err := checks.Find(positional[1-i])
			if err != nil {
				return err
			}
			dir, err := mineDir(root, c.Stage)
			if err != nil {
				return err
			}
			if err := copyMineForDiff(dir, filepath.Join(tmp, "mine"), c.Stage, *generated, *readme); err != nil {
				return err
			}
			dirs = append(dirs, "mine")
			continue
		}
		c, err := checks.Find(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(tmp, c.Stage)
		if err := copyForDiff(root, dst, c.Stage, *generated, *readme); err != nil {
			return err
		}
		dirs = append(dirs, c.Stage)
	}
	cmd := exec.Command("git", "--no-pager", "diff", "--no-index", "--stat", "--patch", dirs[0], dirs[1])
	cmd.Dir = tmp
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		// git diff exits 1 when there are differences, which is the answer;
		// anything else git has already explained on stderr.
		return nil
	}
	if err != nil {
		return fmt.Errorf("git diff (git is needed for diff-stages): %w", err)
	}
	return nil
}

// copyForDiff copies the stage's files that git would commit: tracked ones
// and new ones not ignored, so the development keys in .dev/ and built
// binaries never show up as part of a lesson.
func copyForDiff(root, dst, stage string, generated, readme bool) error {
	files, err := harness.StageFiles(root, stage)
	if err != nil {
		return err
	}
	for rel, data := range files {
		if !generated && harness.IsGenerated(rel) || !readme && rel == "README.md" {
			continue
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// copyMineForDiff copies a learner's folder for the stage as copyForDiff
// copies the lab's: their module path shown as the lab's, "<stage>" for the
// folder.
func copyMineForDiff(dir, dst, stage string, generated, readme bool) error {
	files, err := harness.SourceFiles(dir)
	if err != nil {
		return err
	}
	for _, rel := range files {
		if !generated && harness.IsGenerated(rel) || !readme && rel == "README.md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		data = bytes.ReplaceAll(data, []byte(harness.MineModulePrefix+stage), []byte(harness.ModulePrefix+"<stage>"))
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
