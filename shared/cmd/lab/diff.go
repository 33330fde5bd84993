package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/learn-grpc/learn-grpc/shared/checks"
)

const modulePrefix = "github.com/learn-grpc/learn-grpc/"

// runDiff prints what stage B adds to stage A. Each stage is its own Go
// module, so import paths differ in the stage folder only; both copies have
// it replaced by "<stage>" so the diff shows the lesson, not the renaming.
// Generated code and go.sum are left out unless -generated is given, and
// the READMEs (each stage's is its own lesson, not an edit of the last one)
// unless -readme is.
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
		return errors.New("usage: diff-stages A B [-generated] [-readme], for example: diff-stages 01 02")
	}
	tmp, err := os.MkdirTemp("", "learn-grpc-diff-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var dirs []string
	for _, p := range positional {
		c, err := checks.Find(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(tmp, c.Stage)
		if err := copyForDiff(filepath.Join(root, c.Stage), dst, c.Stage, *generated, *readme); err != nil {
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

func copyForDiff(src, dst, stage string, generated, readme bool) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		rel = filepath.ToSlash(rel)
		if !generated && (rel == "gen" || rel == "go.sum") || !readme && rel == "README.md" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		data = bytes.ReplaceAll(data, []byte(modulePrefix+stage), []byte(modulePrefix+"<stage>"))
		if strings.HasSuffix(rel, ".md") {
			data = bytes.ReplaceAll(data, []byte("../../"+stage), []byte("../../<stage>"))
		}
		return os.WriteFile(target, data, 0o644)
	})
}
