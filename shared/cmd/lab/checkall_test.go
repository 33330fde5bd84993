package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestNoBinaries(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	root := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("git", append([]string{"-C", root}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	write("05-auth/main.go", "package main\n")
	write("05-auth/server", "\x7fELF\x02\x01\x01 an untracked build") // never added, so not looked at
	git("add", "05-auth/main.go")

	t.Run("sources alone pass", func(t *testing.T) {
		if err := noBinaries(root); err != nil {
			t.Errorf("noBinaries = %v, want nil", err)
		}
	})
	t.Run("a committed program is named", func(t *testing.T) {
		write("05-auth/server.test", "\x7fELF\x02\x01\x01 a test binary")
		git("add", "05-auth/server.test")
		err := noBinaries(root)
		if err == nil || !strings.Contains(err.Error(), "05-auth/server.test") ||
			strings.Contains(err.Error(), "main.go") {
			t.Errorf("noBinaries = %v, want an error naming 05-auth/server.test alone", err)
		}
	})
}
