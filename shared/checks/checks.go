// Package checks holds each stage's check: the milestones its lesson
// promises, each proved by running the stage's real programs.
package checks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// All returns every stage's check, in stage order.
func All() []*harness.Check {
	return []*harness.Check{stage01(), stage02(), stage03(), stage04(), stage05(), stage06(), stage07(), stage08(), stage09()}
}

// Find returns the check of the stage whose folder starts with prefix, for
// example "02" or "02-unary", or of an exercise, "02.1".
func Find(prefix string) (*harness.Check, error) {
	for _, c := range Exercises() {
		if c.Name == prefix {
			return c, nil
		}
	}
	var names []string
	for _, c := range All() {
		if c.Stage == prefix || strings.HasPrefix(c.Stage, prefix+"-") {
			return c, nil
		}
		names = append(names, c.Stage)
	}
	return nil, fmt.Errorf("no stage %q; the stages are %s", prefix, strings.Join(names, ", "))
}

// Before returns the check of the stage before c's, or nil for the first.
func Before(c *harness.Check) *harness.Check {
	all := All()
	for i, x := range all {
		if x.Stage == c.Stage && i > 0 {
			return all[i-1]
		}
	}
	return nil
}

// example is a milestone step that runs one README example.
func example(name string) func(*harness.CheckRun) error {
	return func(s *harness.CheckRun) error { return s.RunExample(name, harness.ExampleOpts{}) }
}

// failingExample runs a README example whose commands must all fail.
func failingExample(name string) func(*harness.CheckRun) error {
	return func(s *harness.CheckRun) error { return s.RunExample(name, harness.ExampleOpts{Fails: true}) }
}

// steps runs several steps as one milestone.
func steps(fns ...func(*harness.CheckRun) error) func(*harness.CheckRun) error {
	return func(s *harness.CheckRun) error {
		for _, fn := range fns {
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	}
}

func generatedIsFresh(s *harness.CheckRun) error { return s.GeneratedIsFresh() }

// freshDatabases removes the SQLite stores that an earlier run left in the
// stage's .dev/ folder, so that the README's stock and its fixed order ids
// meet the sample again, as they do for a learner who deletes them.
func freshDatabases(s *harness.CheckRun) error {
	files, err := filepath.Glob(filepath.Join(s.Dir, ".dev", "*.db*"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		s.Rep.Checkf("  removed %s, left by an earlier run", filepath.Join(".dev", filepath.Base(f)))
	}
	return nil
}

// clientCancelEndsHandler presses Ctrl+C on the client of a README example
// once it has printed when, then looks at the server's side: the handler
// must log endLine once more, ending with the client's cancellation, which
// it does only once it has returned.
func clientCancelEndsHandler(example, when, endLine string) func(*harness.CheckRun) error {
	return func(s *harness.CheckRun) error {
		before := s.ServerOutputCount(endLine)
		if err := s.RunExample(example, harness.ExampleOpts{Interrupt: "client", When: when}); err != nil {
			return err
		}
		if err := s.WaitForServerOutput(endLine, before+1, 10*time.Second); err != nil {
			return err
		}
		var last string
		for _, line := range strings.Split(s.MainServer().Output(), "\n") {
			if strings.Contains(line, endLine) {
				last = line
			}
		}
		if !strings.HasSuffix(strings.TrimSpace(last), "code=Canceled") {
			return &harness.Failure{Why: "the call ended, but not with the client's cancellation (code=Canceled)", Who: "server", Received: last}
		}
		return nil
	}
}
