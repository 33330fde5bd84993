package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// runProgress runs the check of every stage the learner has started, on
// their folder, quietly, and prints one line each: milestones reached and
// the next one to build.
func runProgress(root string, stdout io.Writer, tools *harness.Tools) error {
	mine := harness.MineRoot(root)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "stage\tmilestones\tnext\n")
	started := 0
	for _, c := range checks.All() {
		dir := filepath.Join(mine, c.Stage)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		started++
		reached, err := harness.RunCheckCounting(c, root, dir, harness.NewReporter(io.Discard), tools)
		next := "done: all reached"
		if err != nil {
			next = c.Milestones[reached].Name
		}
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\n", c.Stage, reached, len(c.Milestones), next)
	}
	if started == 0 {
		fmt.Fprintf(stdout, "No stage started yet in %s. Start one with: go tool lab start 02\n", mine)
		return nil
	}
	return tw.Flush()
}
