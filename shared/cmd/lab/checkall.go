package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// step is one verdict of check-all.
type step struct {
	name string
	run  func() error
}

// runCheckAll runs everything CI runs, in the order a learner would want to
// hear about problems: workspace shape, formatting, each module on its own,
// the protos, then each stage's milestones. It goes on after a failure so one
// run shows every problem, and ends with a "N passed, N failed" line.
func runCheckAll(root string, rep *harness.Reporter, tools *harness.Tools) error {
	all := checks.All()
	var stages []string
	for _, c := range all {
		stages = append(stages, c.Stage)
	}
	modules := append(append([]string(nil), stages...), "shared")
	var patterns []string
	for _, m := range modules {
		patterns = append(patterns, "./"+m+"/...")
	}

	browser := filepath.Join("tools", "browser")
	steps := []step{
		{"go.work lists exactly the stage folders and shared/", func() error { return workspaceShape(root, stages) }},
		{"no compiled program is committed", func() error { return noBinaries(root) }},
		{"gofmt: every Go file is formatted", func() error { return gofmtClean(root, rep, append(modules, "bench", browser)) }},
		{"go.mod and go.sum are tidy in every module", func() error {
			return modTidy(rep, root, append(modules, "bench", "tools", filepath.Join("tools", "buf"), browser))
		}},
		{"go vet over the whole workspace", func() error { return goCmd(rep, root, nil, append([]string{"vet"}, patterns...)...) }},
		// Learners use Windows and macOS too: every module must build there.
		{"go vet for Windows and macOS", func() error {
			for _, goos := range []string{"windows", "darwin"} {
				if err := goCmd(rep, root, []string{"GOOS=" + goos}, append([]string{"vet"}, patterns...)...); err != nil {
					return err
				}
			}
			return nil
		}},
		{"go test -race over the whole workspace", func() error {
			// The checks' own tests run every stage's check, twice for some:
			// past go test's 10 minutes on a busy 2-core machine.
			return goCmd(rep, root, nil, append([]string{"test", "-race", "-timeout=30m"}, patterns...)...)
		}},
	}
	for _, stage := range stages {
		dir := filepath.Join(root, stage)
		steps = append(steps, step{stage + " builds, vets and tests on its own (GOWORK=off)", func() error {
			for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}, {"test", "-race", "./..."}} {
				if err := goCmd(rep, dir, []string{"GOWORK=off"}, args...); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	// bench/ is a module of its own, outside the workspace like tools/: it
	// must build and pass its tests (which check the codecs it measures),
	// but its load runs are for scripts/bench, never for a test run. So is
	// tools/browser, the headless Chrome of stage 09's check: its tests
	// shop on a page of their own.
	for _, m := range []string{"bench", browser} {
		steps = append(steps, step{m + " builds, vets and tests on its own", func() error {
			for _, args := range [][]string{{"vet", "./..."}, {"test", "-race", "./..."}} {
				if err := goCmd(rep, filepath.Join(root, m), []string{"GOWORK=off"}, args...); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	for i, stage := range stages {
		steps = append(steps, step{"buf lint " + stage, func() error { return bufCmd(rep, tools, root, "lint", stage) }})
		if i > 0 {
			prev := stages[i-1]
			steps = append(steps, step{"buf breaking " + stage + " against " + prev, func() error {
				return bufCmd(rep, tools, root, "breaking", stage, "--against", prev)
			}})
		}
	}
	for _, c := range all {
		steps = append(steps, step{"check " + c.Stage, func() error {
			return harness.RunCheck(c, root, filepath.Join(root, c.Stage), rep, tools)
		}})
	}

	start := time.Now()
	var failed []string
	for i, s := range steps {
		rep.Checkf("")
		rep.Checkf("== %d/%d %s", i+1, len(steps), s.name)
		if err := s.run(); err != nil {
			rep.Checkf("FAILED: %s: %v", s.name, err)
			failed = append(failed, s.name)
			continue
		}
		rep.Checkf("passed: %s", s.name)
	}
	rep.Checkf("")
	rep.Checkf("check-all took %s", time.Since(start).Round(time.Second))
	for _, f := range failed {
		rep.Checkf("failed: %s", f)
	}
	// The closing line stands alone, unprefixed, so CI and people can read it.
	fmt.Printf("Result: %d passed, %d failed\n", len(steps)-len(failed), len(failed))
	if len(failed) > 0 {
		return errFailed
	}
	return nil
}

var stageDirRE = regexp.MustCompile(`^\d\d-[a-z0-9-]+$`)

// goCmd runs a go command, showing its output under [go].
func goCmd(rep *harness.Reporter, dir string, env []string, args ...string) error {
	rep.Checkf("$ %sgo %s", strings.Join(append(env, ""), " "), strings.Join(args, " "))
	res, err := harness.Run(context.Background(), dir, env, 20*time.Minute, "go", args...)
	if strings.TrimSpace(res.Output) != "" {
		rep.Program("go", res.Output)
	}
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("go %s exited with status %d", args[0], res.ExitCode)
	}
	return nil
}

// bufCmd runs the pinned buf from the lab root on stage folders.
func bufCmd(rep *harness.Reporter, tools *harness.Tools, root string, args ...string) error {
	buf, err := tools.Buf(root)
	if err != nil {
		return err
	}
	// Run from tools/buf, as a learner's "go -C tools/buf tool buf" does,
	// so the command shown is the command run.
	for i, a := range args {
		if stageDirRE.MatchString(a) {
			args[i] = "../../" + a
		}
	}
	rep.Checkf("$ go -C tools/buf tool buf %s", strings.Join(args, " "))
	res, err := harness.Run(context.Background(), filepath.Join(root, "tools", "buf"), nil, 5*time.Minute, buf, args...)
	if strings.TrimSpace(res.Output) != "" {
		rep.Program("buf", res.Output)
	}
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("buf %s exited with status %d", args[0], res.ExitCode)
	}
	return nil
}
