package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/learn-grpc/learn-grpc/shared/checks"
	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// runUp starts the processes of a stage's Procfile, each once the one before
// it listens, shows their output under their names, and stops them all on
// Ctrl+C. Typed lines "kill NAME" and "start NAME" crash or restart one.
func runUp(args []string, root string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: up NN [--mine | -dir DIR] [--add NAME=FLAG]...")
	}
	c, err := checks.Find(args[0])
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	fs.SetOutput(stderr)
	up := harness.NewUpFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	target, err := stageFolder(root, c.Stage, up.Mine, up.Dir)
	if err != nil {
		return err
	}
	procs, err := harness.LoadProcfile(target)
	if err != nil {
		return fmt.Errorf("%w (stages from 07 on have a Procfile)", err)
	}
	bin, err := os.MkdirTemp("", "learn-grpc-up-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)

	width := 0
	for _, p := range procs {
		width = max(width, len(p.Name))
	}
	logs, err := openLogs(target, procs)
	if err != nil {
		return err
	}
	defer closeLogs(logs)
	var mu sync.Mutex
	say := func(name, line string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, "%-*s | %s\n", width, name, line)
		if f := logs[name]; f != nil {
			fmt.Fprintln(f, line)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	topo, err := harness.StartTopology(target, procs, harness.TopologyOpts{
		FreePorts: up.FreePorts, Add: up.Add, Out: say, Env: up.Env,
		Resolve: func(words []string) (string, []string, error) {
			name, args, ok := harness.GoRunCmd(words)
			if !ok {
				return "", nil, fmt.Errorf("the Procfile runs \"go run ./cmd/NAME ...\" commands, not %q", strings.Join(words, " "))
			}
			prog, err := harness.BuildCmd(target, bin, name)
			if f := (*harness.Failure)(nil); errors.As(err, &f) {
				return "", nil, fmt.Errorf("%s:\n%s", f.Why, f.Received)
			}
			return prog, args, err
		},
	})
	if err != nil {
		return err
	}
	summary := strings.Split(strings.TrimSpace(topo.Summary()), "\n")
	fmt.Fprintln(stdout, summary[len(summary)-1])
	for _, p := range topo.Procs {
		go watchExit(ctx, p, say)
	}
	go readCommands(ctx, topo, say)
	<-ctx.Done()
	say("up", "stopping every process, last started first")
	if err := topo.Stop(20 * time.Second); err != nil {
		return err
	}
	return nil
}

// logsDir is where lab up keeps each process's output, for lab trace.
func logsDir(stage string) string { return filepath.Join(stage, ".dev", "logs") }

// openLogs starts a fresh log file per process.
func openLogs(stage string, procs []harness.Proc) (map[string]*os.File, error) {
	if err := os.MkdirAll(logsDir(stage), 0o755); err != nil {
		return nil, err
	}
	logs := map[string]*os.File{}
	for _, p := range procs {
		f, err := os.Create(filepath.Join(logsDir(stage), p.Name+".log"))
		if err != nil {
			closeLogs(logs)
			return nil, err
		}
		logs[p.Name] = f
	}
	return logs, nil
}

func closeLogs(logs map[string]*os.File) {
	for _, f := range logs {
		_ = f.Close()
	}
}

// watchExit says when a process ends before Ctrl+C.
func watchExit(ctx context.Context, p *harness.Server, say func(name, line string)) {
	select {
	case <-p.Done():
		if ctx.Err() == nil {
			say(p.Name, fmt.Sprintf("exited (%v)", p.Err()))
		}
	case <-ctx.Done():
	}
}

// readCommands runs "kill NAME" and "start NAME" typed on stdin.
func readCommands(ctx context.Context, topo *harness.Topology, say func(name, line string)) {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		verb, name, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		var err error
		switch verb {
		case "kill":
			err = topo.Kill(name)
		case "start":
			if err = topo.Start(name); err == nil {
				go watchExit(ctx, topo.Process(name), say)
			}
		case "":
			continue
		default:
			err = fmt.Errorf("unknown command %q: type kill NAME or start NAME", verb)
		}
		if err != nil {
			say("up", err.Error())
		}
	}
}
