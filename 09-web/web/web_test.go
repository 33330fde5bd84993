package web

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite src/gen/ and dist/ with a fresh build (go generate ./web does this)")

// TestPageIsFresh builds the page into a scratch folder, as a developer
// does after changing src/ or a proto, and compares the result with the
// committed src/gen/ and dist/. It needs Node (20 or later) and the npm
// packages: without them it skips, except in CI, where a skip would let a
// stale page through.
func TestPageIsFresh(t *testing.T) {
	// In CI, and when asked to rewrite the page, not building is a failure.
	must := os.Getenv("CI") == "true" || *update
	skip := t.Skipf
	if must {
		skip = t.Fatalf
	}
	if err := checkNode(); err != nil {
		skip("%v: the committed page is not rebuilt", err)
	}
	modules, err := filepath.Abs("node_modules")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(modules); err != nil {
		if !must && os.Getenv("LAB_WEB_REBUILD") != "1" {
			t.Skip("web/node_modules is missing: run npm ci in web/, or set LAB_WEB_REBUILD=1 to let the test run it")
		}
		modules = npmCI(t)
	}
	root := labRoot(t)
	scratch := t.TempDir()
	web := layOut(t, scratch, modules)
	buf := goTool(t, filepath.Join(root, "tools", "buf"), "buf")
	esbuild := goTool(t, filepath.Join(root, "tools"), "esbuild")
	for _, step := range buildSteps(buf, esbuild) {
		run(t, web, step...)
	}

	if *update {
		rewrite(t, web)
		return
	}
	var stale []string
	for _, dir := range []string{"src/gen", "dist"} {
		stale = append(stale, compareTrees(t, filepath.Join(web, dir), dir)...)
	}
	if len(stale) > 0 {
		t.Errorf("the committed page is stale: %s\nrebuild it from 09-web with: go generate ./web\n"+
			"(with node_modules from npm ci in web/, so that the versions are package-lock.json's)",
			strings.Join(stale, ", "))
	}
}

// buildSteps are the commands that build the page, run in web/: generate
// the TypeScript, check its types, bundle the script and the style sheet.
func buildSteps(buf, esbuild string) [][]string {
	return [][]string{
		{buf, "generate"},
		{"node", "node_modules/typescript/bin/tsc", "-p", "."},
		{esbuild, "src/app.ts", "--bundle", "--minify", "--format=esm", "--target=es2022",
			"--log-level=warning", "--outfile=dist/app.js"},
		{esbuild, "src/style.css", "--minify", "--log-level=warning", "--outfile=dist/style.css"},
		{esbuild, "src/index.html", "--loader:.html=copy", "--log-level=warning", "--outfile=dist/index.html"},
	}
}

// checkNode returns why node cannot build the page, or nil.
func checkNode() error {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return fmt.Errorf("node is not on PATH (%v)", err)
	}
	v := strings.TrimSpace(string(out))
	major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	if n, err := strconv.Atoi(major); err != nil || n < 20 {
		return fmt.Errorf("node %s is older than 20, which protoc-gen-es 2.13 needs", v)
	}
	return nil
}

// npmCI installs package-lock.json's packages into a scratch folder, leaving
// web/ as it was, and returns its node_modules.
func npmCI(t *testing.T) string {
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json"} {
		copyFile(t, name, filepath.Join(dir, name))
	}
	run(t, dir, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	return filepath.Join(dir, "node_modules")
}

// labRoot is the nearest folder above holding the pinned tools.
func labRoot(t *testing.T) string {
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "tools", "buf", "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no folder above holds tools/buf/go.mod: the pinned buf and esbuild cannot be found")
		}
		dir = parent
	}
}

// goTool returns the path of a tool that the module in dir pins.
func goTool(t *testing.T, dir, name string) string {
	cmd := exec.Command("go", "tool", "-n", name)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool -n %s in %s: %v", name, dir, err)
	}
	return strings.TrimSpace(string(out))
}

// layOut copies what a build reads into scratch, as the stage holds it
// (proto/ beside web/), links node_modules, and returns the scratch web/.
func layOut(t *testing.T, scratch, modules string) string {
	web := filepath.Join(scratch, "web")
	copyTree(t, filepath.Join("..", "proto"), filepath.Join(scratch, "proto"))
	copyTree(t, "proto", filepath.Join(web, "proto"))
	copyTree(t, "src", filepath.Join(web, "src"))
	if err := os.RemoveAll(filepath.Join(web, "src", "gen")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"buf.gen.yaml", "tsconfig.json", "package.json"} {
		copyFile(t, name, filepath.Join(web, name))
	}
	if err := os.Symlink(modules, filepath.Join(web, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return web
}

func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t.Logf("$ %s", strings.Join(append([]string{filepath.Base(args[0])}, args[1:]...), " "))
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(args[0]), err, out.String())
	}
}

// compareTrees names each file that differs between the fresh tree and the
// committed one, or is in only one of them.
func compareTrees(t *testing.T, fresh, committed string) []string {
	want, got := readTree(t, fresh), readTree(t, committed)
	var stale []string
	for name, data := range want {
		switch old, ok := got[name]; {
		case !ok:
			stale = append(stale, committed+"/"+name+" (missing)")
		case !bytes.Equal(bytes.ReplaceAll(old, []byte("\r\n"), []byte("\n")), data):
			stale = append(stale, committed+"/"+name+" (differs)")
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			stale = append(stale, committed+"/"+name+" (not built: remove it)")
		}
	}
	slices.Sort(stale)
	return stale
}

// rewrite replaces the committed src/gen/ and dist/ with the fresh ones.
func rewrite(t *testing.T, web string) {
	for _, dir := range []string{"src/gen", "dist"} {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		copyTree(t, filepath.Join(web, dir), dir)
		t.Logf("rewrote web/%s", dir)
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}

func copyTree(t *testing.T, from, to string) {
	for name, data := range readTree(t, from) {
		writeFile(t, filepath.Join(to, filepath.FromSlash(name)), data)
	}
}

func copyFile(t *testing.T, from, to string) {
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, data)
}

func writeFile(t *testing.T, name string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
