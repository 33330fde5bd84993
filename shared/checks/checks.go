// Package checks holds each stage's check: the milestones its lesson
// promises, each proved by running the stage's real programs.
package checks

import (
	"fmt"
	"strings"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// All returns every stage's check, in stage order.
func All() []*harness.Check {
	return []*harness.Check{stage01(), stage02(), stage03()}
}

// Find returns the check of the stage whose folder starts with prefix, for
// example "02" or "02-unary".
func Find(prefix string) (*harness.Check, error) {
	var names []string
	for _, c := range All() {
		if c.Stage == prefix || strings.HasPrefix(c.Stage, prefix+"-") {
			return c, nil
		}
		names = append(names, c.Stage)
	}
	return nil, fmt.Errorf("no stage %q; the stages are %s", prefix, strings.Join(names, ", "))
}

// example is a milestone step that runs one README example.
func example(name string) func(*harness.Stage) error {
	return func(s *harness.Stage) error { return s.RunExample(name, harness.ExampleOpts{}) }
}

// failingExample runs a README example whose commands must all fail.
func failingExample(name string) func(*harness.Stage) error {
	return func(s *harness.Stage) error { return s.RunExample(name, harness.ExampleOpts{Fails: true}) }
}

// steps runs several steps as one milestone.
func steps(fns ...func(*harness.Stage) error) func(*harness.Stage) error {
	return func(s *harness.Stage) error {
		for _, fn := range fns {
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	}
}

func generatedIsFresh(s *harness.Stage) error { return s.GeneratedIsFresh() }
