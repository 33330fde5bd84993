package harness

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Proc is one line of a Procfile, "NAME: COMMAND": a process of a topology.
type Proc struct {
	Name  string
	Words []string
}

// LoadProcfile reads dir/Procfile: one process a line, in start order;
// blank lines and lines starting with # are skipped.
func LoadProcfile(dir string) ([]Proc, error) {
	f, err := os.Open(filepath.Join(dir, "Procfile"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var procs []Proc
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, command, ok := strings.Cut(line, ":")
		words, err := SplitCommand(strings.TrimSpace(command))
		if !ok || strings.TrimSpace(name) == "" || err != nil || len(words) == 0 {
			return nil, fmt.Errorf("Procfile:%d: want NAME: COMMAND, got %q", n, line)
		}
		procs = append(procs, Proc{Name: strings.TrimSpace(name), Words: words})
	}
	return procs, sc.Err()
}
