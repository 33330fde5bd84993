package harness

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// commandKind is what a README command runs.
type commandKind int

const (
	stageProgram commandKind = iota // go run ./cmd/NAME: the stage's own program
	pinnedTool                      // go -C DIR tool NAME: a tool pinned in DIR
	labUp                           // go tool lab up: the stage's Procfile
	labTrace                        // go tool lab trace: a trace of the running processes
	curlCommand                     // curl, the one program taken from the machine
	labBrowser                      // go tool lab browser: headless Chrome on the page
)

// command is a README command resolved to what the check runs.
type command struct {
	kind commandKind
	prog string   // the binary to run; empty for labUp and labTrace
	who  string   // how its output is labelled: "server", "client", "grpcurl", "lab up"...
	dir  string   // where it runs
	args []string // its arguments, after the program's name
}

// isServer reports whether c starts the stage's server.
func (c command) isServer() bool { return c.kind == stageProgram && c.who == "server" }

// GoRunCmd recognises "go run ./cmd/NAME ARGS", the form every stage program
// takes in a README or a Procfile.
func GoRunCmd(words []string) (name string, args []string, ok bool) {
	if len(words) < 3 || words[0] != "go" || words[1] != "run" || !strings.HasPrefix(words[2], "./cmd/") {
		return "", nil, false
	}
	return strings.TrimPrefix(words[2], "./cmd/"), words[3:], true
}

// resolve maps a README command to the program to run:
// "go run ./cmd/NAME ARGS" runs the stage's built NAME binary, and
// "go -C DIR tool NAME ARGS" runs the tool pinned in DIR, from DIR.
func (s *CheckRun) resolve(words []string) (command, error) {
	if name, args, ok := GoRunCmd(words); ok {
		prog, err := s.Binary(name)
		return command{kind: stageProgram, prog: prog, who: name, dir: s.Dir, args: args}, err
	}
	switch {
	case len(words) >= 5 && words[0] == "go" && words[1] == "-C" && words[3] == "tool":
		dir := filepath.Join(s.Dir, filepath.FromSlash(words[2]))
		prog, err := s.Tools.Binary(dir, words[4])
		return command{kind: pinnedTool, prog: prog, who: words[4], dir: dir, args: words[5:]}, err
	case len(words) >= 4 && words[0] == "go" && words[1] == "tool" && words[2] == "lab" && words[3] == "up":
		return command{kind: labUp, who: "lab up", dir: s.Dir, args: words[4:]}, nil
	case len(words) >= 4 && words[0] == "go" && words[1] == "tool" && words[2] == "lab" && words[3] == "trace":
		return command{kind: labTrace, who: "lab trace", dir: s.Dir, args: words[4:]}, nil
	case len(words) >= 4 && words[0] == "go" && words[1] == "tool" && words[2] == "lab" && words[3] == "browser":
		return s.resolveBrowser(words[4:])
	case words[0] == "curl":
		// curl is the one program the check takes from the machine: it
		// ships with Windows 10 and later, macOS and most Linux systems.
		prog, err := lookPath("curl")
		if err != nil {
			return command{}, fmt.Errorf("this example runs curl, which was not found on your PATH: install curl, or read the example instead (%v)", err)
		}
		return command{kind: curlCommand, prog: prog, who: "curl", dir: s.Dir, args: words[1:]}, nil
	}
	return command{}, fmt.Errorf("the check knows how to run \"go run ./cmd/NAME\", \"go -C DIR tool NAME\", \"go tool lab up|trace|browser\" and curl commands, not %q", strings.Join(words, " "))
}

// lookPath is exec.LookPath, named so that checks say what they look for.
var lookPath = exec.LookPath

// inputRE finds a trailing "< FILE": the one redirection the check allows,
// for commands that read messages from stdin (grpcurl -d @).
var inputRE = regexp.MustCompile(`^(.*\S)\s+<\s*(\S+)$`)

// splitInput splits "cmd args < file" into "cmd args" and "file".
func splitInput(line string) (string, string) {
	if m := inputRE.FindStringSubmatch(line); m != nil && !strings.ContainsAny(m[2], "'\"") {
		return m[1], m[2]
	}
	return line, ""
}

// readmeAddr and readmeHTTPAddr are the addresses the READMEs use for the
// gRPC port and the REST gateway; the check swaps in the real ones.
const (
	readmeAddr     = "localhost:50051"
	readmeHTTPAddr = "localhost:8443"
)

// retarget points a command at the check's own processes instead of the
// README's addresses, and says how in a note: the running topology's, or
// else target, the server the command talks to.
func (s *CheckRun) retarget(who string, args []string, target *Server) ([]string, string, error) {
	note := ""
	if s.topo != nil {
		for i, a := range args {
			if m := s.topo.Map(a); m != a {
				args[i] = m
				note = "(the check ran it against its own processes, on free ports)"
			}
		}
		if who == "client" && note == "" && !hasAddrFlag(args) {
			// Lab clients default to localhost:50051, the orders service.
			addr := s.topo.Map(readmeAddr)
			args = append(args, "--addr="+addr)
			note = fmt.Sprintf("(the check added --addr=%s, its own orders service)", addr)
		}
		return args, note, nil
	}
	for i, a := range args {
		if strings.Contains(a, readmeHTTPAddr) && target != nil && target.HTTPAddr != "" {
			args[i] = strings.ReplaceAll(a, readmeHTTPAddr, target.HTTPAddr)
			note = fmt.Sprintf("(the check ran it against its own gateway at %s instead of %s)", target.HTTPAddr, readmeHTTPAddr)
		}
		if strings.Contains(a, readmeAddr) {
			if target == nil {
				return nil, "", errors.New("this command needs a running server, and none was started")
			}
			args[i] = strings.ReplaceAll(a, readmeAddr, target.Addr)
			note = fmt.Sprintf("(the check ran it against its own server at %s instead of %s)", target.Addr, readmeAddr)
		}
	}
	if who == "client" && note == "" && target != nil && !hasAddrFlag(args) {
		// Lab clients default to localhost:50051; point them at the
		// check's server the way a learner would, with --addr.
		args = append(args, "--addr="+target.Addr)
		note = fmt.Sprintf("(the check added --addr=%s, its own server)", target.Addr)
	}
	return args, note, nil
}

// hasAddrFlag reports whether a client's arguments name its server already
// with an --addr the check has no reason to change: a README that points a
// client where nothing listens means it.
func hasAddrFlag(args []string) bool {
	for _, a := range args {
		if a == "--addr" || a == "-addr" || strings.HasPrefix(a, "--addr=") || strings.HasPrefix(a, "-addr=") {
			return true
		}
	}
	return false
}
