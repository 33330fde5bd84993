package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffShowsOnlyTheLesson builds a two-stage lab in a scratch git
// repository and checks what diff-stages leaves in and out.
func TestDiffShowsOnlyTheLesson(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("diff-stages needs git")
	}
	root := t.TempDir()
	files := map[string]string{
		".gitignore":                      ".dev/\n",
		"01-protobuf/go.mod":              "module github.com/learn-grpc/learn-grpc/01-protobuf\n",
		"01-protobuf/README.md":           "stage one\n",
		"01-protobuf/gen/x.pb.go":         "package x\n",
		"02-unary/go.mod":                 "module github.com/learn-grpc/learn-grpc/02-unary\n",
		"02-unary/README.md":              "stage two\n",
		"02-unary/gen/x.pb.go":            "package x // regenerated\n",
		"02-unary/cmd/server/main.go":     "package main\n",
		"02-unary/.dev/server.key":        "secret\n",
		"02-unary/openapi/a.swagger.json": "{}\n",
	}
	for name, body := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("git", "-C", root, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}

	diff := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		if err := runDiff(args, root, &stdout, &stderr); err != nil {
			t.Fatalf("diff-stages %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String()
	}
	plain := diff("01", "02")
	if !strings.Contains(plain, "cmd/server/main.go") {
		t.Errorf("the lesson's new file is missing:\n%s", plain)
	}
	if strings.Contains(plain, "go.mod") {
		t.Errorf("go.mod differs only in the stage folder, yet it is shown:\n%s", plain)
	}
	for _, hidden := range []string{".dev/", "server.key", "gen/x.pb.go", "swagger.json", "README.md"} {
		if strings.Contains(plain, hidden) {
			t.Errorf("diff-stages 01 02 shows %s:\n%s", hidden, plain)
		}
	}
	all := diff("01", "02", "-generated", "-readme")
	for _, shown := range []string{"gen/x.pb.go", "swagger.json", "README.md"} {
		if !strings.Contains(all, shown) {
			t.Errorf("diff-stages 01 02 -generated -readme lacks %s:\n%s", shown, all)
		}
	}
	if strings.Contains(all, "server.key") {
		t.Errorf("a git-ignored file is shown:\n%s", all)
	}
}
