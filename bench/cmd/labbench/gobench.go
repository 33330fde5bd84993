package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// benchLine is one result line of "go test -bench": the name and every
// "value unit" pair (ns/op, B/op, allocs/op and custom metrics).
type benchLine struct {
	name    string
	metrics map[string]float64
}

// goBench runs "go test -bench" in dir and parses its result lines.
func goBench(ctx context.Context, dir string, args ...string) ([]benchLine, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-run", "^$", "-benchmem"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test in %s: %v\n%s", filepath.Base(dir), err, out.String())
	}
	var lines []benchLine
	for _, line := range splitLines(out.String()) {
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		b := benchLine{name: trimProcs(fields[0]), metrics: map[string]float64{}}
		for i := 2; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				b.metrics[fields[i+1]] = v
			}
		}
		lines = append(lines, b)
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("no benchmark results in:\n%s", out.String())
	}
	return lines, nil
}

// trimProcs drops the "-2" GOMAXPROCS suffix from a benchmark name.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}

func splitLines(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") }

func cutPrefixTrim(line, key string) (string, bool) {
	if !strings.HasPrefix(line, key) {
		return "", false
	}
	_, v, ok := strings.Cut(line, ":")
	return strings.TrimSpace(v), ok
}

func measureEncoding(ctx context.Context, root string, rep *report) error {
	lines, err := goBench(ctx, filepath.Join(root, "bench"), "-bench", "Encoding", ".")
	if err != nil {
		return err
	}
	for _, l := range lines {
		rep.encoding = append(rep.encoding, l)
	}
	return nil
}

func measureFanOut(ctx context.Context, root string, watchers int, rep *report) error {
	lines, err := goBench(ctx, filepath.Join(root, "03-server-stream"), "-bench", "FanOut", "-benchtime", "20x",
		"./internal/server", "-watchers", strconv.Itoa(watchers))
	if err != nil {
		return err
	}
	rep.fanOut = lines[0]
	return nil
}
