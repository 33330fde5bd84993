package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// FindRoot returns the lab's root folder: the nearest folder at or above dir
// holding both go.work and tools/go.mod.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if isRoot(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the learn-grpc lab: no folder above holds go.work and tools/go.mod")
		}
		dir = parent
	}
}

// FindRootFrom is FindRoot, or else the lab that the module in dir names as
// a tool: a learner's folder outside the lab finds the lab from there.
func FindRootFrom(dir string) (string, error) {
	root, err := FindRoot(dir)
	if err == nil {
		return root, nil
	}
	if root, merr := RootOfModule(dir); merr == nil {
		return root, nil
	}
	return "", fmt.Errorf("%w. Run go tool lab from the lab's root, or from a folder that "+
		"go tool lab start laid out (its go.mod names the lab as a tool)", err)
}

// isRoot reports whether dir is the lab's root.
func isRoot(dir string) bool {
	return fileExists(filepath.Join(dir, "go.work")) && fileExists(filepath.Join(dir, "tools", "go.mod"))
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Tools finds the pinned tool binaries (grpcurl, buf, the protoc plugins).
// "go tool -n NAME" builds a tool once into Go's build cache and prints its
// path; running that binary directly then costs nothing per call.
type Tools struct {
	rep   *Reporter
	mu    sync.Mutex
	paths map[string]string
}

// NewTools returns a tool finder that reports first-time builds to rep.
func NewTools(rep *Reporter) *Tools { return &Tools{rep: rep, paths: map[string]string{}} }

// Binary returns the path of tool name, as pinned by the module in dir.
func (t *Tools) Binary(dir, name string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := dir + "\x00" + name
	if p, ok := t.paths[key]; ok {
		return p, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", name)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("finding tool %s with \"go tool -n %s\" in %s: %v\n%s", name, name, dir, err, errOut.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.rep.Checkf("built tool %s in %s (once; Go caches it)", name, d.Round(time.Second))
	}
	p := strings.TrimSpace(out.String())
	t.paths[key] = p
	return p, nil
}

// PluginPath returns a PATH value with the pinned protoc plugins first, so
// that buf finds protoc-gen-go and protoc-gen-go-grpc by name, as the
// buf.gen.yaml files say, without anything installed on the machine.
func (t *Tools) PluginPath(root string) (string, error) {
	plugins, err := pinnedPlugins(filepath.Join(root, "tools"))
	if err != nil {
		return "", err
	}
	dirs := []string{}
	for _, plugin := range plugins {
		p, err := t.Binary(filepath.Join(root, "tools"), plugin)
		if err != nil {
			return "", err
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	return strings.Join(append(dirs, os.Getenv("PATH")), string(os.PathListSeparator)), nil
}

// Buf returns the pinned buf binary.
func (t *Tools) Buf(root string) (string, error) {
	return t.Binary(filepath.Join(root, "tools", "buf"), "buf")
}

// Grpcurl returns the pinned grpcurl binary.
func (t *Tools) Grpcurl(root string) (string, error) {
	return t.Binary(filepath.Join(root, "tools"), "grpcurl")
}

// pinnedPlugins lists the protoc plugins (tools named protoc-gen-*) that the
// module in dir pins, so a plugin added to tools/go.mod is found without
// editing the harness.
func pinnedPlugins(dir string) ([]string, error) {
	var out bytes.Buffer
	cmd := exec.Command("go", "mod", "edit", "-json")
	cmd.Dir = dir
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("reading %s/go.mod: %w", dir, err)
	}
	var mod struct{ Tool []struct{ Path string } }
	if err := json.Unmarshal(out.Bytes(), &mod); err != nil {
		return nil, err
	}
	var plugins []string
	for _, tool := range mod.Tool {
		if name := path.Base(tool.Path); strings.HasPrefix(name, "protoc-gen-") {
			plugins = append(plugins, name)
		}
	}
	return plugins, nil
}
