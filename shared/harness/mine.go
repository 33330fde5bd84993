package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// MineModulePrefix starts the module path of every folder a learner builds:
// learn-grpc-mine/03-server-stream.
const MineModulePrefix = "learn-grpc-mine/"

// MineRoot is where a learner's own stages live: a folder beside the lab's
// clone, so that nothing done to the clone (git pull, git clean, git stash)
// touches it, and its go commands are not caught by the lab's go.work.
func MineRoot(root string) string {
	return filepath.Join(filepath.Dir(root), "learn-grpc-mine")
}

// LayOut makes dest the starting point for stage: the code of from (the
// previous stage, the lab's or the learner's; empty for the first stage)
// under the module path learn-grpc-mine/<stage>, with the stage's README as
// the lesson to follow, generated code regenerated for the new path, and
// the lab's pinned tools beside it so that the README's "go -C ../tools"
// commands work there too, and the lab command as a tool of the module so
// that "go tool lab" works from the folder as from the lab's root.
func LayOut(tools *Tools, root, stage, from, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists: keep working there, or move it away to start again", dest)
	}
	if err := CopyTools(root, filepath.Dir(dest)); err != nil {
		return err
	}
	if err := writeIfMissing(filepath.Join(filepath.Dir(dest), ".gitignore"), mineGitignore); err != nil {
		return err
	}
	module := MineModulePrefix + stage
	if from == "" {
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dest, "go.mod"), []byte("module "+module+"\n\ngo 1.26.0\n"), 0o644); err != nil {
			return err
		}
	} else if err := CopyAs(tools, root, from, dest, module); err != nil {
		return err
	}
	if err := AddLabTool(root, dest); err != nil {
		return err
	}
	readme, err := os.ReadFile(filepath.Join(root, stage, "README.md"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dest, "README.md"), readme, 0o644)
}

// The lab command's module and package, which a learner's module names as
// a tool: it uses only the standard library, so it moves none of their
// dependencies.
const (
	labModule = "github.com/learn-grpc/learn-grpc/shared"
	labTool   = labModule + "/cmd/lab"
)

// AddLabTool makes "go tool lab" work in the module in dir: it requires the
// lab's shared module, replaced by the folder in the lab at root, and names
// cmd/lab as a tool.
func AddLabTool(root, dir string) error {
	shared := filepath.Join(root, "shared")
	if rel, err := filepath.Rel(dir, shared); err == nil {
		shared = rel // the clone and the folder beside it move together
	}
	res, err := Run(context.Background(), dir, []string{"GOWORK=off"}, time.Minute, "go", "mod", "edit",
		"-require="+labModule+"@v0.0.0", "-replace="+labModule+"="+filepath.ToSlash(shared), "-tool="+labTool)
	if err != nil || res.ExitCode != 0 {
		return fmt.Errorf("adding the lab command to %s/go.mod: %v\n%s", dir, orExit(err, res.ExitCode), res.Output)
	}
	return nil
}

// EnsureLabTool adds the lab's command to the go.mod in dir when it does
// not name it yet, as in a folder started by an older lab, and reports
// whether it did.
func EnsureLabTool(root, dir string) (bool, error) {
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || bytes.Contains(mod, []byte(labTool)) {
		// No go.mod is no module: the check says so, in its first milestone.
		return false, nil
	}
	return true, AddLabTool(root, dir)
}

// RootOfModule finds the lab from a module that names it as a tool, as a
// learner's folder does: the lab's root holds the replaced shared folder.
func RootOfModule(dir string) (string, error) {
	res, err := Run(context.Background(), dir, nil, time.Minute, "go", "list", "-m", "-f", "{{.Dir}}", labModule)
	if err != nil || res.ExitCode != 0 {
		return "", fmt.Errorf("%s does not name the lab as a tool", dir)
	}
	root := filepath.Dir(strings.TrimSpace(res.Output))
	if !isRoot(root) {
		return "", fmt.Errorf("%s names the lab at %s, which is not the lab's root", dir, root)
	}
	return root, nil
}

// CopyAs copies the stage folder from to dest as module: every import of
// from's module path is rewritten, buf's go_package prefix with it, and the
// generated code is made anew (its descriptors hold the path too). Only
// what git would commit is copied from the lab; a learner's folder is
// copied whole but for .dev/ and bin/.
func CopyAs(tools *Tools, root, from, dest, module string) error {
	old, err := modulePath(from)
	if err != nil {
		return err
	}
	files, err := SourceFiles(from)
	if err != nil {
		return err
	}
	for _, rel := range files {
		if strings.HasPrefix(rel, "gen/") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, rel))
		if err != nil {
			return err
		}
		if ext := filepath.Ext(rel); ext == ".go" || ext == ".mod" || ext == ".yaml" {
			data = bytes.ReplaceAll(data, []byte(old), []byte(module))
		}
		out := filepath.Join(dest, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(dest, "buf.gen.yaml")); err != nil {
		return nil
	}
	res, err := Generate(tools, root, dest, ".")
	if err != nil || res.ExitCode != 0 {
		return fmt.Errorf("generating the code for %s: %v\n%s", module, orExit(err, res.ExitCode), res.Output)
	}
	return nil
}

// modulePath reads the module line of dir's go.mod.
func modulePath(dir string) (string, error) {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`), nil
		}
	}
	return "", fmt.Errorf("%s has no module line", filepath.Join(dir, "go.mod"))
}

// SourceFiles lists dir's files, slash-separated: what git tracks when dir
// is in a git checkout, everything but .dev/, bin/ and .git/ otherwise.
func SourceFiles(dir string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", ".")
	cmd.Dir = dir
	if out, err := cmd.Output(); err == nil && len(out) > 0 {
		var files []string
		for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil { // deleted but not committed: gone
				files = append(files, f)
			}
		}
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() && (d.Name() == ".dev" || d.Name() == "bin" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

// CopyTools puts the lab's tools/ and tools/buf/ module files into mine,
// once: the READMEs run grpcurl and buf as "go -C ../tools ...".
func CopyTools(root, mine string) error {
	for _, dir := range []string{"tools", filepath.Join("tools", "buf")} {
		for _, name := range []string{"go.mod", "go.sum", "go.work", "go.work.sum"} {
			data, err := os.ReadFile(filepath.Join(root, dir, name))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			out := filepath.Join(mine, dir, name)
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// mineGitignore keeps a learner's development keys, made by stage 05's
// devcerts, out of the repository they may keep their stages in.
const mineGitignore = `# Development keys and certificates: made by go run ./cmd/devcerts, never committed.
.dev/
bin/
`

func writeIfMissing(path, text string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
