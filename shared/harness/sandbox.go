package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Edit is a change the check makes to a copy of the stage's protos, as the
// README asks the learner to make by hand.
type Edit struct {
	File string // path inside the stage, slash-separated
	Old  string
	New  string
}

// InGitSandbox lays out a scratch copy of the lab's shape (the stage's protos
// and buf.yaml committed in a fresh git repository, tools/buf beside them),
// applies edit to the working copy, and runs the README example name from
// tools/buf there, so that a command comparing against "../../.git" runs
// exactly as printed without touching the learner's own files.
func (s *CheckRun) InGitSandbox(name string, edit Edit, opts ExampleOpts) error {
	if _, err := lookPath("git"); err != nil {
		return fmt.Errorf("this milestone needs git, which the lab is cloned with: %v", err)
	}
	stage := filepath.Base(s.Dir)
	sandbox := filepath.Join(s.Tmp, "sandbox")
	if err := os.CopyFS(filepath.Join(sandbox, stage, "proto"), os.DirFS(filepath.Join(s.Dir, "proto"))); err != nil {
		return &Failure{Why: fmt.Sprintf("%s has no proto/ folder to copy: %v", stage, err)}
	}
	if err := copyFile(filepath.Join(s.Dir, "buf.yaml"), filepath.Join(sandbox, stage, "buf.yaml")); err != nil {
		return err
	}
	// The sandbox's tools/buf is the lab's pinned module, so "go tool buf"
	// there finds the same cached binary.
	for _, f := range []string{"go.mod", "go.sum", "go.work"} {
		if err := copyFile(filepath.Join(s.Root, "tools", "buf", f), filepath.Join(sandbox, "tools", "buf", f)); err != nil {
			return err
		}
	}
	git := [][]string{
		{"init", "-q"},
		{"add", stage},
		{"-c", "user.name=learn-grpc check", "-c", "user.email=check@learn-grpc.invalid", "commit", "-q", "-m", "released contract"},
	}
	for _, args := range git {
		if res, err := Run(context.Background(), sandbox, nil, time.Minute, "git", args...); err != nil || res.ExitCode != 0 {
			return fmt.Errorf("git %s in the sandbox: %s %s", strings.Join(args, " "), orExit(err, res.ExitCode), res.Output)
		}
	}
	target := filepath.Join(sandbox, stage, filepath.FromSlash(edit.File))
	data, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	if !bytes.Contains(data, []byte(edit.Old)) {
		return &Failure{Why: fmt.Sprintf("%s no longer contains %q, the line the lesson asks you to edit", edit.File, edit.Old)}
	}
	if err := os.WriteFile(target, bytes.Replace(data, []byte(edit.Old), []byte(edit.New), 1), 0o644); err != nil {
		return err
	}
	s.Rep.Checkf("  in a scratch copy, edited %s: %q -> %q", edit.File, strings.TrimSpace(edit.Old), strings.TrimSpace(edit.New))
	sandboxStage := &CheckRun{Root: s.Root, Dir: filepath.Join(sandbox, stage), Rep: s.Rep, Tools: s.Tools, Tmp: s.Tmp, readme: s.readme, bins: s.bins}
	if sandboxStage.readme == nil {
		rm, err := s.Readme()
		if err != nil {
			return err
		}
		sandboxStage.readme = rm
	}
	return sandboxStage.RunExample(name, opts)
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}
