package harness

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadProcfile(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) {
		if err := os.WriteFile(filepath.Join(dir, "Procfile"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("names and commands in order, comments and blank lines skipped", func(t *testing.T) {
		write("# a comment\n\ncatalog-1: go run ./cmd/catalog -addr=localhost:50061\norders:    go run ./cmd/orders\n")
		got, err := LoadProcfile(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := []Proc{
			{Name: "catalog-1", Words: []string{"go", "run", "./cmd/catalog", "-addr=localhost:50061"}},
			{Name: "orders", Words: []string{"go", "run", "./cmd/orders"}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("a line without a name is refused with its number", func(t *testing.T) {
		write("catalog: go run ./cmd/catalog\njust a command\n")
		if _, err := LoadProcfile(dir); err == nil || !strings.Contains(err.Error(), "Procfile:2") {
			t.Errorf("err = %v, want one naming Procfile:2", err)
		}
	})
}

func TestTopologyPorts(t *testing.T) {
	topo := &Topology{ports: map[string]string{"50051": "41001", "8443": "41002"}}
	tests := []struct{ readme, real string }{
		{"localhost:50051", "localhost:41001"},
		{"-catalog=127.0.0.1:50051,localhost:8443", "-catalog=127.0.0.1:41001,localhost:41002"},
		{"https://localhost:8443/v1/orders", "https://localhost:41002/v1/orders"},
		{"localhost:9999", "localhost:9999"}, // not the Procfile's: left alone
		{"example.com:50051", "example.com:50051"},
	}
	for _, tt := range tests {
		if got := topo.Map(tt.readme); got != tt.real {
			t.Errorf("Map(%q) = %q, want %q", tt.readme, got, tt.real)
		}
		if got := topo.Unmap(tt.real); got != tt.readme {
			t.Errorf("Unmap(%q) = %q, want %q", tt.real, got, tt.readme)
		}
	}
}
