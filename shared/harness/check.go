package harness

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Check is one stage's check: the milestones its lesson promises, in order.
type Check struct {
	Stage string // the stage's folder, e.g. "02-unary"
	// Name, if set, is what the check is called instead of its stage: an
	// exercise's check is "02.1", on the folder of stage 02.
	Name       string
	Title      string
	Milestones []Milestone
	// ServerCA, if set, is the CA certificate (relative to the stage) that
	// signed the server's TLS certificate: the health check trusts it
	// instead of talking plaintext.
	ServerCA string
	// HTTPAddrFlag, if set, is the server flag for its HTTP gateway's
	// address: the check gives it a free port too, and puts its address in
	// place of localhost:8443 in commands.
	HTTPAddrFlag string
	// SlowExamples are the few README examples whose commands may run
	// longer than CommandTime, with how long each may: a crash survived,
	// a hundred orders placed. Every other command must end soon.
	SlowExamples map[string]time.Duration
}

// CommandTime is how long a README command may run, or wait for the moment
// the check interrupts it, before the check stops it and fails: a command
// that should end soon fails soon, instead of hanging the check.
const CommandTime = 20 * time.Second

// Milestone is one thing the learner can now do, proved by running it. It
// is defined once, here: the README's milestone list and its build steps'
// references are generated from it (see RenderReadme).
type Milestone struct {
	Name string
	Run  func(*CheckRun) error
	// Hint names what to build next when the milestone fails, in one line,
	// for a learner checking their own code.
	Hint string
	// Step is the README's "Build it yourself" step that makes it pass,
	// from 1; 0 for a milestone the stage's starting copy already passes.
	Step int
	// Needs names an earlier milestone whose work this one reads: when that
	// one is skipped on this machine, this one is skipped too, not failed.
	Needs string
}

// CheckRun is the state of one check's run over one folder: the programs it
// built, the variables the README set, and the processes it started.
type CheckRun struct {
	Root         string // the lab root
	Dir          string // the folder being checked, absolute
	Rep          *Reporter
	Tools        *Tools
	Tmp          string // scratch folder, removed at the end
	readme       *Readme
	bins         map[string]string
	vars         map[string]string // set by "NAME=$(command)" lines
	main         *Server
	topo         *Topology // started by "go tool lab up"
	serverCA     string
	httpAddrFlag string
	slow         map[string]time.Duration
	shownTraces  map[string]bool // on a tour, the traces shown as trees
	allow        time.Duration   // the running example's CommandTime, or its own
}

// RunCheck runs c's milestones against dir, printing each, and stops at the
// first that fails: later milestones build on earlier ones.
func RunCheck(c *Check, root, dir string, rep *Reporter, tools *Tools) error {
	_, err := RunCheckCounting(c, root, dir, rep, tools)
	return err
}

// RunCheckCounting is RunCheck that also says how many milestones, from the
// first, were reached.
func RunCheckCounting(c *Check, root, dir string, rep *Reporter, tools *Tools) (reached int, err error) {
	errs, err := runMilestones(c, root, dir, rep, tools, false)
	if err != nil {
		return 0, err
	}
	return len(errs) - 1, errs[len(errs)-1]
}

// RunEachMilestone runs every milestone of c against dir, going on past a
// failure, and returns each one's error (nil if it passed): to learn which
// milestones a folder passes, not how far a learner got.
func RunEachMilestone(c *Check, root, dir string, rep *Reporter, tools *Tools) ([]error, error) {
	return runMilestones(c, root, dir, rep, tools, true)
}

// runMilestones runs c's milestones in order and returns their errors. It
// stops after the first that fails unless keepGoing; the last error is then
// the check's, naming the milestone.
func runMilestones(c *Check, root, dir string, rep *Reporter, tools *Tools, keepGoing bool) ([]error, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "learn-grpc-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	s := &CheckRun{Root: root, Dir: abs, Rep: rep, Tools: tools, Tmp: tmp, bins: map[string]string{}, vars: map[string]string{},
		shownTraces: map[string]bool{}}
	if c.ServerCA != "" {
		s.serverCA = filepath.Join(abs, filepath.FromSlash(c.ServerCA))
	}
	s.httpAddrFlag, s.slow = c.HTTPAddrFlag, c.SlowExamples
	defer s.stopMain()

	rel, _ := filepath.Rel(root, abs)
	name := cmp.Or(c.Name, c.Stage)
	if c.Name == "" {
		rep.Checkf("Checking stage %s: %s", c.Stage, c.Title)
	} else {
		rep.Checkf("Checking %s: %s", c.Name, c.Title)
	}
	if filepath.Base(abs) != c.Stage {
		rep.Checkf("(pointed at %s instead of %s)", filepath.ToSlash(rel), c.Stage)
	}
	var errs []error
	skipped := 0
	skippedAt := map[string]int{} // milestone name to its number
	for i, m := range c.Milestones {
		rep.Checkf("")
		rep.Checkf("Milestone %d/%d: %s", i+1, len(c.Milestones), m.Name)
		var err error
		if n, ok := skippedAt[m.Needs]; ok && m.Needs != "" {
			err = &Skipped{Why: fmt.Sprintf("it needs what milestone %d does, which was skipped: not checked", n)}
		} else {
			err = m.Run(s)
		}
		if rep.isTour() {
			s.showNewTraces()
		}
		var skip *Skipped
		switch {
		case errors.As(err, &skip):
			rep.Checkf("  SKIPPED: %s", skip.Why)
			skipped++
			skippedAt[m.Name] = i + 1
		case err != nil:
			s.explain(err)
			if m.Hint != "" {
				rep.Checkf("  hint: %s", m.Hint)
			}
			rep.Checkf("")
			rep.Checkf("FAIL %s: milestone %d/%d %q not reached", name, i+1, len(c.Milestones), m.Name)
			errs = append(errs, fmt.Errorf("%s: milestone %q: %s", name, m.Name, firstLine(err.Error())))
			if !keepGoing {
				return errs, nil
			}
			continue
		default:
			rep.Checkf("  ok")
		}
		errs = append(errs, nil)
	}
	if !keepGoing {
		rep.Checkf("")
		if skipped > 0 {
			rep.Checkf("PASS %s: %d of %d milestones reached, %d skipped on this machine",
				name, len(c.Milestones)-skipped, len(c.Milestones), skipped)
		} else {
			rep.Checkf("PASS %s: all %d milestones reached", name, len(c.Milestones))
		}
		errs = append(errs, nil)
	}
	return errs, nil
}

// Readme returns the stage's parsed README.
func (s *CheckRun) Readme() (*Readme, error) {
	if s.readme == nil {
		rm, err := LoadReadme(filepath.Join(s.Dir, "README.md"))
		if err != nil {
			return nil, err
		}
		s.readme = rm
	}
	return s.readme, nil
}

// Grpcurl returns the pinned grpcurl binary.
func (s *CheckRun) Grpcurl() (string, error) { return s.Tools.Grpcurl(s.Root) }

// Buf returns the pinned buf binary.
func (s *CheckRun) Buf() (string, error) { return s.Tools.Buf(s.Root) }

// grpcurlSecurity is grpcurl's transport flags for the check's servers:
// -cacert with the CA that signed their certificates, or -plaintext.
func (s *CheckRun) grpcurlSecurity() []string {
	if s.serverCA != "" {
		return []string{"-cacert", s.serverCA}
	}
	return []string{"-plaintext"}
}

// commandTime is how long a command of the running example may take.
func (s *CheckRun) commandTime() time.Duration { return cmp.Or(s.allow, CommandTime) }
