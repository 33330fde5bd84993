package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// stageProgress is how far a learner's folder for one stage has got.
type stageProgress struct {
	check    *harness.Check
	started  bool
	reached  int    // milestones reached, from the first
	exercise string // the exercise check's result, "" if none was run
}

func (p stageProgress) done() bool { return p.started && p.reached == len(p.check.Milestones) }

// runProgress runs the check of every stage the learner has started, on
// their folder, quietly: one line each with the milestones reached, the next
// one to build, and, once all are, the first exercise's check. Then it says
// what to do next.
func runProgress(root string, stdout io.Writer, tools *harness.Tools) error {
	mine := harness.MineRoot(root)
	quiet := harness.NewReporter(io.Discard)
	var all []stageProgress
	for _, c := range checks.All() {
		p := stageProgress{check: c}
		dir := filepath.Join(mine, c.Stage)
		if _, err := os.Stat(dir); err == nil {
			p.started = true
			p.reached, _ = harness.RunCheckCounting(c, root, dir, quiet, tools)
			if ex := exerciseOf(c); ex != nil && p.done() {
				p.exercise = ex.Name + " not yet"
				if reached, err := harness.RunCheckCounting(ex, root, dir, quiet, tools); err == nil {
					p.exercise = ex.Name + " passes"
				} else {
					p.exercise += fmt.Sprintf(" (%d/%d)", reached, len(ex.Milestones))
				}
			}
		}
		all = append(all, p)
	}
	if !slices.ContainsFunc(all, func(p stageProgress) bool { return p.started }) {
		fmt.Fprintf(stdout, "No stage started yet in %s.\nNext, from the lab's root: %s\n", mine, nextStep(all))
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "stage\tmilestones\tnext\texercise\n")
	for _, p := range all {
		if !p.started {
			continue
		}
		next, exercise := "done: all reached", p.exercise
		if !p.done() {
			next, exercise = p.check.Milestones[p.reached].Name, "after the milestones"
		}
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%s\n", p.check.Stage, p.reached, len(p.check.Milestones), next, exercise)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nNext, from the lab's root: %s\n", nextStep(all))
	return nil
}

// nextStep says what to do next: go on with the first started stage not yet
// done, or start the stage after the last one done, from the learner's own.
func nextStep(all []stageProgress) string {
	last := -1
	for i, p := range all {
		if p.started && !p.done() {
			return fmt.Sprintf("go tool lab check %s --mine, and build what it asks for next", p.check.Stage[:2])
		}
		if p.done() {
			last = i
		}
	}
	switch {
	case last < 0:
		return "go tool lab start 01, to build the first stage yourself"
	case last == len(all)-1:
		return "nothing: every stage is done. Try each README's exercises"
	}
	from := filepath.ToSlash(filepath.Join("..", "learn-grpc-mine", all[last].check.Stage))
	return fmt.Sprintf("go tool lab start %s --from %s", all[last+1].check.Stage[:2], from)
}

// exerciseOf returns the check of c's first exercise, if it has one.
func exerciseOf(c *harness.Check) *harness.Check {
	for _, ex := range checks.Exercises() {
		if ex.Stage == c.Stage {
			return ex
		}
	}
	return nil
}
