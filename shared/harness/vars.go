package harness

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// assignRE finds "NAME=$(command)": a shell variable set from a command's
// output, as in ORDER=$(go run ./cmd/client add-order ... --id-only). Later
// commands of the same check read it as $NAME. bash and zsh take the line
// as it is; PowerShell spells it $NAME = (command).
var assignRE = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=\$\(([^()]*)\)$`)

func assignment(line string) (name, inner string, ok bool) {
	m := assignRE.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// varRE finds "$NAME" or "${NAME}", a variable an earlier line set.
var varRE = regexp.MustCompile(`\$\{?([A-Z][A-Z0-9_]*)\}?`)

// substRE finds "$(command)", the one shell expansion the check performs,
// so that a README can pass one program's output to another as learners
// do: --token=$(go run ./cmd/token --subject=alice). bash, zsh and
// PowerShell all read it the same way.
var substRE = regexp.MustCompile(`\$\(([^()]*)\)`)

// Var is the value a "NAME=$(command)" line of the README set, or "".
func (s *CheckRun) Var(name string) string { return s.vars[name] }

// substitute puts in line the values of the variables earlier lines set,
// then runs each "$(command)" from the stage folder, against target, and
// puts its output, trimmed, in its place.
func (s *CheckRun) substitute(line string, target *Server) (string, error) {
	line, failed := s.expandVars(line)
	if failed != nil {
		return line, failed
	}
	out := substRE.ReplaceAllStringFunc(line, func(m string) string {
		inner := substRE.FindStringSubmatch(m)[1]
		value, err := s.runSubstitution(inner, target)
		if err != nil && failed == nil {
			failed = err
		}
		return value
	})
	return out, failed
}

// expandVars puts in line the values of the variables earlier lines set.
func (s *CheckRun) expandVars(line string) (string, error) {
	var failed error
	line = varRE.ReplaceAllStringFunc(line, func(m string) string {
		name := varRE.FindStringSubmatch(m)[1]
		v, ok := s.vars[name]
		if !ok && failed == nil {
			failed = fmt.Errorf("$%s is not set: an earlier command of this README sets it", name)
		}
		return v
	})
	return line, failed
}

// expandKnownVars puts in a transcript's expected output the values of the
// variables set so far, so that a README can promise "the same id as
// before" by writing $ORDER. Anything else that looks like one stays.
func (s *CheckRun) expandKnownVars(text string) string {
	return varRE.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := s.vars[varRE.FindStringSubmatch(m)[1]]; ok {
			return v
		}
		return m
	})
}

// runSubstitution runs the command of a "$(command)" and returns its
// output, trimmed.
func (s *CheckRun) runSubstitution(inner string, target *Server) (string, error) {
	inner, err := s.expandVars(inner)
	if err != nil {
		return "", err
	}
	out, err := s.substitutionOutput(inner, target)
	if err != nil {
		return "", fmt.Errorf("running $(%s): %v", inner, err)
	}
	return strings.TrimSpace(out), nil
}

func (s *CheckRun) substitutionOutput(inner string, target *Server) (string, error) {
	words, err := SplitCommand(inner)
	if err != nil {
		return "", err
	}
	c, err := s.resolve(words)
	if err != nil {
		return "", err
	}
	if c.kind == labTrace {
		return s.labTrace(c.args)
	}
	args, _, err := s.retarget(c.who, c.args, target)
	if err != nil {
		return "", err
	}
	res, err := Run(context.Background(), c.dir, nil, s.commandTime(), c.prog, args...)
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("exit status %d: %s", res.ExitCode, strings.TrimSpace(res.Output))
	}
	return res.Output, err
}
