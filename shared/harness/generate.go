package harness

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Generate runs buf generate for the stage into outDir, with the pinned
// plugins on PATH and the stage's own buf.gen.yaml.
func Generate(tools *Tools, root, stageDir, outDir string) (Result, error) {
	buf, err := tools.Buf(root)
	if err != nil {
		return Result{}, err
	}
	path, err := tools.PluginPath(root)
	if err != nil {
		return Result{}, err
	}
	return Run(context.Background(), stageDir, []string{"PATH=" + path}, 5*time.Minute, buf,
		"generate", ".", "--template", "buf.gen.yaml", "-o", outDir)
}

// genSection is the README section that teaches code generation (01's).
const genSection = "Generate the Go code"

// genCommand is the command that regenerates the folder's code, as typed
// from the lab's root: "go tool lab gen 03", or with --mine for a
// learner's folder outside the lab.
func (s *CheckRun) genCommand() string {
	cmd := "go tool lab gen " + stageNumber(filepath.Base(s.Dir))
	if rel, err := filepath.Rel(s.Root, s.Dir); err != nil || strings.HasPrefix(rel, "..") {
		cmd += " --mine"
	}
	return cmd
}

// stageNumber is a stage folder's number, "03" of "03-server-stream".
func stageNumber(folder string) string {
	n, _, _ := strings.Cut(folder, "-")
	return n
}

// GeneratedIsFresh generates the stage's code into a scratch folder and
// compares it, file by file, with the committed gen/ folder.
func (s *CheckRun) GeneratedIsFresh() error {
	out := filepath.Join(s.Tmp, "fresh")
	res, err := Generate(s.Tools, s.Root, s.Dir, out)
	if err != nil || res.ExitCode != 0 {
		return &Failure{Command: s.genCommand(), From: "the lab's root", Who: "buf",
			Why: "buf generate failed (" + orExit(err, res.ExitCode) + ")", Received: res.Output}
	}
	stale, err := DiffTrees(filepath.Join(out, "gen"), filepath.Join(s.Dir, "gen"))
	if err != nil {
		return err
	}
	// Plugins may also write outside gen/ (the OpenAPI document, next to
	// the hand-written code that embeds it): compare those files one by one.
	others, err := readTree(out)
	if err != nil {
		return err
	}
	for name, data := range others {
		if strings.HasPrefix(name, "gen/") {
			continue
		}
		committed, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(name)))
		switch {
		case err != nil:
			stale = append(stale, name+" (missing)")
		case !bytes.Equal(bytes.ReplaceAll(committed, []byte("\r\n"), []byte("\n")), data):
			stale = append(stale, name+" (differs)")
		}
	}
	slices.Sort(stale)
	if len(stale) > 0 {
		f := &Failure{
			Command: s.genCommand(), From: "the lab's root",
			Why: fmt.Sprintf("the committed generated code is stale: %s. Regenerate it with the command above and commit the result",
				strings.Join(stale, ", ")),
		}
		if rm, err := s.Readme(); err == nil && slices.Contains(rm.Headings, genSection) {
			f.Section = genSection
		}
		return f
	}
	return nil
}

// DiffTrees lists the files that differ between a fresh tree and a committed
// one: changed, missing from committed, or left over in committed.
func DiffTrees(fresh, committed string) ([]string, error) {
	a, err := readTree(fresh)
	if err != nil {
		return nil, err
	}
	b, err := readTree(committed)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var diffs []string
	for name, data := range a {
		switch old, ok := b[name]; {
		case !ok:
			diffs = append(diffs, "gen/"+name+" (missing)")
		case !bytes.Equal(data, old):
			diffs = append(diffs, "gen/"+name+" (differs)")
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			diffs = append(diffs, "gen/"+name+" (no longer generated)")
		}
	}
	slices.Sort(diffs)
	return diffs, nil
}

func readTree(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		// Git may check files out with CRLF on Windows; compare content only.
		files[filepath.ToSlash(rel)] = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		return nil
	})
	return files, err
}
