package harness

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
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

func TestFreePort(t *testing.T) {
	t.Run("it stays out of the range outgoing connections take ports from", func(t *testing.T) {
		lo, hi := ephemeralPorts()
		if lo <= 10000 && hi >= 59999 {
			t.Skipf("every port freePort picks from is ephemeral here (%d-%d)", lo, hi)
		}
		for range 50 {
			port, err := freePort()
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := strconv.Atoi(port); n >= lo && n <= hi {
				t.Fatalf("freePort() = %s, inside the ephemeral range %d-%d", port, lo, hi)
			}
		}
	})
	t.Run("a port taken before the process binds it is picked again", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		_, takenPort, _ := net.SplitHostPort(taken.Addr().String())
		pick, calls := freePort, 0
		freePort = func() (string, error) {
			if calls++; calls == 1 {
				return takenPort, nil
			}
			return pick()
		}
		defer func() { freePort = pick }()

		procs := []Proc{{Name: "server", Words: []string{"listen", "127.0.0.1:50051"}}}
		topo, err := StartTopology(t.TempDir(), procs, TopologyOpts{
			FreePorts: true,
			Env:       []string{"LAB_TEST_LISTENER=1"},
			Resolve: func(words []string) (string, []string, error) {
				return os.Args[0], append([]string{"-test.run=^TestListenerProcess$"}, words[1:]...), nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer topo.Stop(10 * time.Second)
		if got, want := topo.Process("server").Addr, topo.Map("127.0.0.1:50051"); got != want {
			t.Errorf("the server listens on %s, but the topology maps its port to %s", got, want)
		}
		if got := topo.Map("127.0.0.1:50051"); got == "127.0.0.1:"+takenPort {
			t.Errorf("the topology kept the taken port %s", takenPort)
		}
	})
}

// TestListenerProcess is not a test: TestFreePort runs the test binary
// through it as a server that listens on its argument until Ctrl+C.
func TestListenerProcess(t *testing.T) {
	if os.Getenv("LAB_TEST_LISTENER") == "" {
		t.Skip("a helper process for TestFreePort")
	}
	l, err := net.Listen("tcp", flag.Arg(0))
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	fmt.Printf("gRPC server listening on %s\n", l.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
	os.Exit(0)
}
