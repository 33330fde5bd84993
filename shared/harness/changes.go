package harness

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// ModulePrefix is the start of every lab stage's module path.
const ModulePrefix = "github.com/learn-grpc/learn-grpc/"

// StageFiles returns the files git would commit in a stage folder (tracked,
// or new and not ignored), by slash path inside it. In each, the stage's
// module path reads "<stage>", so that two stages compare by their lesson,
// not by their names.
func StageFiles(root, stage string) (map[string][]byte, error) {
	ls := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", stage)
	ls.Dir = root
	out, err := ls.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files (git is needed to compare stages): %w", err)
	}
	files := map[string][]byte{}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		rel, ok := strings.CutPrefix(name, stage+"/")
		if !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree, not yet committed
		}
		if err != nil {
			return nil, err
		}
		data = bytes.ReplaceAll(data, []byte(ModulePrefix+stage), []byte(ModulePrefix+"<stage>"))
		if strings.HasSuffix(rel, ".md") {
			data = bytes.ReplaceAll(data, []byte("../../"+stage), []byte("../../<stage>"))
		}
		files[rel] = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	return files, nil
}

// IsGenerated tells the files protoc plugins write (gen/, the OpenAPI
// document, 09's TypeScript), 09's page bundle and the lock files, which a
// lesson never edits by hand.
func IsGenerated(rel string) bool {
	return strings.HasPrefix(rel, "gen/") || rel == "go.sum" || strings.HasSuffix(rel, ".swagger.json") ||
		// 09's page: the TypeScript from the protos, the bundle, npm's lock file.
		strings.HasPrefix(rel, "web/src/gen/") || strings.HasPrefix(rel, "web/dist/") ||
		rel == "web/package-lock.json"
}

// Changes is what a stage adds to, changes in and removes from the stage
// before it, by hand: generated code and the README are left out.
type Changes struct {
	Stage, From             string // the stage, and the one before it ("" for the first)
	Added, Changed, Removed []string
}

// StageChanges compares stage with from (which may be "", for none).
func StageChanges(root, from, stage string) (*Changes, error) {
	now, err := StageFiles(root, stage)
	if err != nil {
		return nil, err
	}
	before := map[string][]byte{}
	if from != "" {
		if before, err = StageFiles(root, from); err != nil {
			return nil, err
		}
	}
	c := &Changes{Stage: stage, From: from}
	for name, data := range now {
		if IsGenerated(name) || name == "README.md" {
			continue
		}
		switch old, ok := before[name]; {
		case !ok:
			c.Added = append(c.Added, name)
		case !bytes.Equal(old, data):
			c.Changed = append(c.Changed, name)
		}
	}
	for name := range before {
		if _, ok := now[name]; !ok && !IsGenerated(name) && name != "README.md" {
			c.Removed = append(c.Removed, name)
		}
	}
	slices.Sort(c.Added)
	slices.Sort(c.Changed)
	slices.Sort(c.Removed)
	return c, nil
}

const (
	changesStart = "<!-- changes: generated from the diff with the stage before by go tool lab gen -->"
	changesEnd   = "<!-- end changes -->"
)

// RenderChanges returns text with its change list written afresh from c.
func RenderChanges(text string, c *Changes) (string, error) {
	return replaceBlock(text, changesStart, changesEnd, func(string) (string, error) {
		var b strings.Builder
		if c.From == "" {
			fmt.Fprintf(&b, "This stage starts the lab: every file is new.\n")
		} else {
			fmt.Fprintf(&b, "The files this stage adds to [%s](../%s) or changes, generated code left out.\n"+
				"`go tool lab diff-stages %s %s` shows every line.\n", c.From, c.From, stageNumber(c.From), stageNumber(c.Stage))
		}
		b.WriteString("\n")
		for _, group := range []struct {
			what  string
			names []string
		}{{"new", c.Added}, {"changed", c.Changed}, {"removed", c.Removed}} {
			if len(group.names) == 0 {
				continue
			}
			quoted := make([]string, len(group.names))
			for i, n := range group.names {
				quoted[i] = "`" + n + "`"
			}
			b.WriteString(wrap(fmt.Sprintf("- **%s** (%d): %s", group.what, len(group.names), strings.Join(quoted, ", ")), 90, "  "))
		}
		return b.String(), nil
	})
}

// wrap breaks text at spaces into lines of at most width characters, the
// lines after the first starting with indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent + word
			continue
		}
		if line == "" {
			line = word
		} else {
			line += " " + word
		}
	}
	b.WriteString(line + "\n")
	return b.String()
}
