package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// runGen regenerates each stage's gen/ folder from its protos, and the
// README blocks generated from its check. The old gen/ folder is removed
// first, so code for a deleted .proto does not linger.
// Typed in a learner's folder, "gen NN" means that folder, as --mine does.
func runGen(args []string, root string, rep *harness.Reporter, tools *harness.Tools) error {
	if len(args) == 2 && args[1] == "--mine" || len(args) == 1 && insideMineOf(root, args[0]) {
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
	todo := checks.All()
	if len(args) > 0 {
		todo = todo[:0]
		for _, a := range args {
			c, err := checks.Find(a)
			if err != nil {
				return err
			}
			todo = append(todo, c)
		}
	}
	for _, c := range todo {
		dir := filepath.Join(root, c.Stage)
		if err := regenerate(dir, root, rep, tools); err != nil {
			return err
		}
		if err := writeReadmeBlocks(c, dir, rep); err != nil {
			return err
		}
	}
	return nil
}

// writeReadmeBlocks rewrites the parts of a stage's README that are
// generated: the files it changes, the milestone list and the milestones
// each step proves.
func writeReadmeBlocks(c *harness.Check, dir string, rep *harness.Reporter) error {
	path := filepath.Join(dir, "README.md")
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text, err := readmeBlocks(string(old), c, filepath.Dir(dir))
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(c.Stage, "README.md"), err)
	}
	if text == string(old) {
		return nil
	}
	rep.Checkf("rewrote the generated blocks of %s/README.md", c.Stage)
	return os.WriteFile(path, []byte(text), 0o644)
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

// readmeBlocks returns a stage README's text with its generated blocks
// written afresh from the lab at root.
func readmeBlocks(text string, c *harness.Check, root string) (string, error) {
	from := ""
	if before := checks.Before(c); before != nil {
		from = before.Stage
	}
	changes, err := harness.StageChanges(root, from, c.Stage)
	if err != nil {
		return "", err
	}
	if text, err = harness.RenderChanges(text, changes); err != nil {
		return "", err
	}
	return harness.RenderReadme(text, c)
}

// insideMineOf is insideMine for the stage that name finds, if any.
func insideMineOf(root, name string) bool {
	c, err := checks.Find(name)
	return err == nil && insideMine(root, c.Stage)
}
