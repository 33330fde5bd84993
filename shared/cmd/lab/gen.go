package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// runGen regenerates each stage's gen/ folder from its protos. The old
// folder is removed first, so code for a deleted .proto does not linger.
func runGen(args []string, root string, rep *harness.Reporter, tools *harness.Tools) error {
	if len(args) == 2 && args[1] == "--mine" {
		c, err := checks.Find(args[0])
		if err != nil {
			return err
		}
		dir, err := mineDir(root, c.Stage)
		if err != nil {
			return err
		}
		return regenerate(dir, root, rep, tools)
	}
	var stages []string
	for _, c := range checks.All() {
		stages = append(stages, c.Stage)
	}
	if len(args) > 0 {
		stages = stages[:0]
		for _, a := range args {
			c, err := checks.Find(a)
			if err != nil {
				return err
			}
			stages = append(stages, c.Stage)
		}
	}
	for _, stage := range stages {
		if err := regenerate(filepath.Join(root, stage), root, rep, tools); err != nil {
			return err
		}
	}
	return nil
}

// regenerate makes dir's gen/ folder anew from its protos.
func regenerate(dir, root string, rep *harness.Reporter, tools *harness.Tools) error {
	if err := os.RemoveAll(filepath.Join(dir, "gen")); err != nil {
		return err
	}
	res, err := harness.Generate(tools, root, dir, ".")
	if err != nil || res.ExitCode != 0 {
		rep.Program("buf", res.Output)
		return fmt.Errorf("generating %s: %v (exit %d)", filepath.Base(dir), err, res.ExitCode)
	}
	rep.Checkf("generated %s/gen", filepath.Base(dir))
	return nil
}
