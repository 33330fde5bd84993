package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// workspaceShape fails when go.work and the stage folders disagree: a stage
// missing from go.work escapes the workspace-wide tests, and anything extra
// (the tool modules, say) would let its dependencies move the stages' versions.
func workspaceShape(root string, stages []string) error {
	res, err := harness.Run(context.Background(), root, nil, time.Minute, "go", "work", "edit", "-json")
	if err != nil || res.ExitCode != 0 {
		return fmt.Errorf("go work edit -json: %v %s", err, res.Output)
	}
	var work struct{ Use []struct{ DiskPath string } }
	if err := json.Unmarshal([]byte(res.Output), &work); err != nil {
		return err
	}
	var listed []string
	for _, u := range work.Use {
		listed = append(listed, strings.TrimPrefix(filepath.ToSlash(filepath.Clean(u.DiskPath)), "./"))
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	want := []string{"shared"}
	for _, e := range entries {
		if e.IsDir() && stageDirRE.MatchString(e.Name()) {
			want = append(want, e.Name())
		}
	}
	slices.Sort(listed)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		return fmt.Errorf("go.work uses %v; it must use exactly the stage folders and shared: %v", listed, want)
	}
	withChecks := append(append([]string(nil), stages...), "shared")
	slices.Sort(withChecks)
	if !slices.Equal(withChecks, want) {
		return fmt.Errorf("stage folders %v and stage checks %v differ: every stage needs a check in shared/checks", want, stages)
	}
	return nil
}

func gofmtClean(root string, rep *harness.Reporter, dirs []string) error {
	res, err := harness.Run(context.Background(), root, nil, time.Minute, "gofmt", append([]string{"-l"}, dirs...)...)
	if err != nil || res.ExitCode != 0 {
		return fmt.Errorf("gofmt: %v %s", err, res.Output)
	}
	if out := strings.TrimSpace(res.Output); out != "" {
		rep.Program("gofmt", out)
		return fmt.Errorf("not gofmt-formatted (run gofmt -w on them)")
	}
	return nil
}

// executableMagic are the first bytes of ELF, Mach-O and Windows programs.
var executableMagic = [][]byte{{0x7f, 'E', 'L', 'F'}, {0xcf, 0xfa, 0xed, 0xfe}, {0xfe, 0xed, 0xfa, 0xcf}, {'M', 'Z'}}

// noBinaries fails when git tracks a compiled program: a hand build or a
// go test -c left in a stage folder, which every clone would then carry.
// Outside a git checkout there is nothing to check.
func noBinaries(root string) error {
	res, err := harness.Run(context.Background(), root, nil, time.Minute, "git", "ls-files", "-z")
	if err != nil || res.ExitCode != 0 {
		return nil
	}
	var found []string
	for _, name := range strings.Split(strings.TrimRight(res.Output, "\x00"), "\x00") {
		f, err := os.Open(filepath.Join(root, name))
		if err != nil {
			continue
		}
		head := make([]byte, 4)
		n, _ := io.ReadFull(f, head)
		f.Close()
		for _, magic := range executableMagic {
			if bytes.HasPrefix(head[:n], magic) {
				found = append(found, name)
				break
			}
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("compiled programs are committed (git rm them; .gitignore names the usual ones): %s",
			strings.Join(found, ", "))
	}
	return nil
}

// modTidy fails when a module's go.mod or go.sum is not what go mod tidy
// would write: a direct dependency marked indirect, say, or a stale sum.
func modTidy(rep *harness.Reporter, root string, modules []string) error {
	var untidy []string
	for _, m := range modules {
		rep.Checkf("in %s:", m)
		if err := goCmd(rep, filepath.Join(root, m), []string{"GOWORK=off"}, "mod", "tidy", "-diff"); err != nil {
			untidy = append(untidy, m)
		}
	}
	if len(untidy) > 0 {
		return fmt.Errorf("not tidy: %s (run go mod tidy there, with GOWORK=off)", strings.Join(untidy, ", "))
	}
	return nil
}
