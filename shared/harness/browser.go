package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// BrowserSkipped is the exit status of tools/browser's labbrowser when the
// machine has no Chrome or Chromium: the status test runners give a test
// that could not run. The check shows it as a skip, not a failure.
const BrowserSkipped = 77

// Skipped is a milestone that could not run on this machine, for a reason
// that is not the learner's code. The check says so and goes on. In CI
// (CI=true) browserSkip fails instead, since CI must prove every milestone;
// so no milestone is skipped there, nor any that needs one (Milestone.Needs).
type Skipped struct{ Why string }

func (s *Skipped) Error() string { return "skipped: " + s.Why }

// Browser returns the labbrowser binary of tools/browser, a module of its
// own so that chromedp moves no stage's dependencies, nor shared/'s.
func (t *Tools) Browser(root string) (string, error) {
	return t.Binary(filepath.Join(root, "tools", "browser"), "labbrowser")
}

// resolveBrowser resolves "go tool lab browser ARGS": labbrowser, run from
// the stage folder so that its paths (--ca=.dev/ca.crt) are the README's.
func (s *CheckRun) resolveBrowser(args []string) (command, error) {
	prog, err := s.Tools.Browser(s.Root)
	return command{kind: labBrowser, prog: prog, who: "browser", dir: s.Dir, args: args}, err
}

// browserSkip turns labbrowser's "no browser here" into a Skipped, or, in
// CI, into a Failure: CI installs Chromium (.ci/run), so none is a setup bug.
func browserSkip(c Command, section string, res Result) error {
	why := strings.TrimPrefix(strings.TrimSpace(res.Output), "skipped: ")
	if os.Getenv("CI") == "true" {
		return &Failure{Command: c.Text, Who: "browser", Received: res.Output, Section: section,
			Why: fmt.Sprintf("%s, and CI=true: CI must run every milestone, so install Chromium there", why)}
	}
	return &Skipped{Why: why + "; install Chrome or Chromium to run this milestone"}
}
