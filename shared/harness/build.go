package harness

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"time"
)

// Binary builds ./cmd/name of the stage, once, with the workspace off: the
// stage must build from its own go.mod, as it does when copied out alone.
func (s *CheckRun) Binary(name string) (string, error) {
	if p, ok := s.bins[name]; ok {
		return p, nil
	}
	s.Rep.Checkf("  building ./cmd/%s", name)
	out, err := BuildCmd(s.Dir, filepath.Join(s.Tmp, "bin"), name)
	if err != nil {
		return "", err
	}
	s.bins[name] = out
	return out, nil
}

// BuildCmd builds ./cmd/name of dir into binDir, with the workspace off: a
// stage must build from its own go.mod, as it does when copied out alone.
func BuildCmd(dir, binDir, name string) (string, error) {
	out := filepath.Join(binDir, name)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	pkg := "./cmd/" + name
	res, err := Run(context.Background(), dir, []string{"GOWORK=off"}, 5*time.Minute, "go", "build", "-o", out, pkg)
	if err != nil || res.ExitCode != 0 {
		return "", &Failure{
			Command:  "go build " + pkg,
			Who:      "go",
			Why:      fmt.Sprintf("%s does not build (%v)", pkg, orExit(err, res.ExitCode)),
			Received: res.Output,
		}
	}
	return out, nil
}

func orExit(err error, code int) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("exit status %d", code)
}
