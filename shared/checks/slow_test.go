package checks

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// slowExamples are the README examples, stage/example, allowed to run
// longer than harness.CommandTime, each for a reason its check gives.
var slowExamples = []string{"07-microservices/kill-replica"}

// TestEveryExampleEndsSoonButTheFewSlowOnes holds the rule for every
// stage's examples: each command must end within harness.CommandTime,
// unless its check lists the example as slow. A slow example names one the
// README has, needs more than the default, and is one of slowExamples.
func TestEveryExampleEndsSoonButTheFewSlowOnes(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	var slow []string
	for _, c := range append(All(), Exercises()...) {
		rm, err := harness.LoadReadme(filepath.Join(root, c.Stage, "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		for name, d := range c.SlowExamples {
			if _, err := rm.Example(name); err != nil {
				t.Errorf("check %s: slow example %q: %v", cmpName(c), name, err)
			}
			if d <= harness.CommandTime || d > 5*time.Minute {
				t.Errorf("check %s: slow example %q may run %s: want more than %s, at most 5m", cmpName(c), name, d, harness.CommandTime)
			}
			slow = append(slow, c.Stage+"/"+name)
		}
	}
	slices.Sort(slow)
	if slow = slices.Compact(slow); !slices.Equal(slow, slowExamples) {
		t.Errorf("slow examples are %v, want %v: every other command must end within %s", slow, slowExamples, harness.CommandTime)
	}
}

func cmpName(c *harness.Check) string {
	if c.Name != "" {
		return c.Name
	}
	return c.Stage
}
