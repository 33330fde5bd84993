package checks

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

var (
	readRE       = regexp.MustCompile(`^\[check\]\s+read: (\S+)/README\.md#(\S+) \(section`)
	transcriptRE = regexp.MustCompile(`^\[check\]\s+transcript: <!-- check: (\S+) --> at (\S+)/README\.md:(\d+)$`)
	fromRE       = regexp.MustCompile(`^\[check\]\s+command \(run it yourself from (.+)\):$`)
	commandRE    = regexp.MustCompile(`^\[check\]\s+\$ (.*)$`)
	goCRE        = regexp.MustCompile(`^go -C (\S+) `)
)

// adviceProblems reads a check's report on a learner's folder, dir, and
// lists the advice in it that would not work there: a section or transcript
// the folder's README does not have, a command to type from the lab's root
// that would not act on the learner's folder, a "go -C DIR" whose DIR is
// missing, or a script of the lab's.
func adviceProblems(report, dir string) []string {
	rm, err := harness.LoadReadme(filepath.Join(dir, "README.md"))
	if err != nil {
		return []string{err.Error()}
	}
	var anchors []string
	for _, h := range rm.Headings {
		anchors = append(anchors, harness.Anchor(h))
	}
	folder := filepath.Base(dir)
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	from := ""
	for _, line := range strings.Split(report, "\n") {
		if !strings.HasPrefix(line, "[check]") {
			continue
		}
		if strings.Contains(line, "scripts/") {
			bad("names a script of the lab's, which a learner's folder has not: %s", line)
		}
		if m := readRE.FindStringSubmatch(line); m != nil {
			if m[1] != folder || !slices.Contains(anchors, m[2]) {
				bad("links a section %s/README.md has not: %s", folder, line)
			}
		}
		if m := transcriptRE.FindStringSubmatch(line); m != nil {
			ex, err := rm.Example(m[1])
			if n, _ := strconv.Atoi(m[3]); err != nil || m[2] != folder || ex.Line != n {
				bad("names a transcript %s/README.md has not there: %s", folder, line)
			}
		}
		if m := fromRE.FindStringSubmatch(line); m != nil {
			from = m[1]
			if from != folder+"/" && from != "the lab's root" {
				bad("says to type a command from %q, neither the folder nor the lab's root", from)
			}
			continue
		}
		if m := commandRE.FindStringSubmatch(line); m != nil && from != "" {
			cmd := m[1]
			if from == "the lab's root" && !(strings.HasPrefix(cmd, "go tool lab ") && strings.Contains(cmd, " --mine")) {
				bad("from the lab's root, %q would not act on the learner's folder (it needs go tool lab ... --mine)", cmd)
			}
			if g := goCRE.FindStringSubmatch(cmd); g != nil && from == folder+"/" {
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(g[1]))); err != nil {
					bad("%q runs in %s, which the learner's folder has not beside it", cmd, g[1])
				}
			}
		}
		from = ""
	}
	return problems
}

// TestAdviceProblemsFindsAdviceThatWouldNotWork feeds adviceProblems a report
// of each kind of wrong advice, and one of right advice.
func TestAdviceProblemsFindsAdviceThatWouldNotWork(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "learn-grpc-mine", "03-server-stream")
	readme := "# Stage\n\n## Run it\n\n<!-- check: run-server -->\n```console\n$ go run ./cmd/server\n```\n"
	for _, d := range []string{dir, filepath.Join(dir, "..", "tools")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte(readme), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, report string
		problems     int
	}{
		{"right advice", "[check]   command (run it yourself from the lab's root):\n[check]     $ go tool lab gen 03 --mine\n" +
			"[check]   command (run it yourself from 03-server-stream/):\n[check]     $ go -C ../tools tool grpcurl x\n" +
			"[check]   transcript: <!-- check: run-server --> at 03-server-stream/README.md:6\n" +
			"[check]   read: 03-server-stream/README.md#run-it (section \"Run it\")\n", 0},
		{"a script", "[check]   regenerate with scripts/gen\n", 1},
		{"a section only 01 has", "[check]   read: 03-server-stream/README.md#generate-the-go-code (section \"Generate the Go code\")\n", 1},
		{"a transcript elsewhere", "[check]   transcript: <!-- check: run-server --> at 03-server-stream/README.md:9\n", 1},
		{"the lab's stage from its root", "[check]   command (run it yourself from the lab's root):\n[check]     $ go tool lab gen 03\n", 1},
		{"a -C folder that is not there", "[check]   command (run it yourself from 03-server-stream/):\n[check]     $ go -C ../nothing tool buf x\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := adviceProblems(tt.report, dir); len(got) != tt.problems {
				t.Errorf("adviceProblems found %d problems, want %d: %q", len(got), tt.problems, got)
			}
		})
	}
}
