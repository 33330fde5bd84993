// Command labbench measures the lab's claims side by side, in one run, and
// prints one table of results and ratios:
//
//  1. encoding: protobuf, protojson and encoding/json on the lab's messages;
//  2. the protocols alone: GetProduct over gRPC and as REST/JSON served
//     directly by net/http (HTTP/1.1 and HTTP/2), same store, same TLS;
//  3. GetProduct over gRPC and over REST through the lab's gateway;
//  4. the loopback floor: a TLS ping-pong of the same sizes;
//  5. a bidirectional stream used like unary, against unary;
//  6. what the lab's middleware costs: stage 05's server (recovery, logging,
//     authentication with a real token, authorization, every limit) against
//     a bare grpc-go server answering the same GetProduct;
//  7. server memory per open watch stream, against a bare stream;
//  8. fan-out: stage 03's feed with 10,000 watchers;
//  9. hostile clients: a stream flood, oversized bodies, a stop with streams open;
//  10. the price of the split: CreateOrder in one process (06) against stage
//     07's orders calling a catalog replica over mTLS, and a replica killed;
//  11. the cost of tracing: stage 08 traced and exported over OTLP, or not;
//  12. the browser's protocols through stage 09's gateway, and memory per viewer;
//  13. grpc-go's knobs, each alone and the chosen set, against JSON over
//     HTTP/1.1 and the TLS floor; allocations, memory per connection, profiles.
//
// Every server is a real process on loopback TLS; load is bounded in time
// and count. Run it from the lab root with scripts/bench, or:
//
//	go -C bench run ./cmd/labbench
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/learn-grpc/learn-grpc/bench/internal/cli"
)

func main() {
	cli.Exit("labbench", run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("labbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	window := fs.Duration("duration", 3*time.Second, "how long each load run measures, after a short warm-up")
	watchers := fs.Int("watchers", 10_000, "watchers in the fan-out benchmark")
	streams := fs.Int("streams", 5_000, "open streams for the memory per stream")
	viewers := fs.Int("viewers", 5_000, "storefront viewers watching through stage 09's gateway")
	baseline := fs.String("baseline", "", "a lab checkout at another commit (`dir`, say from git worktree add) whose "+
		"stage 05 step 6, stage 07 step 10 and stage 09 step 12 measure beside this one")
	rounds := fs.Int("rounds", 3, "interleaved rounds of step 13, each a share of -duration; the median is kept")
	conns := fs.Int("conns", 500, "connections for step 13's server memory per connection")
	profile := fs.String("profile", "", "write step 13's CPU profiles of one caller, client and server, to `dir`")
	only := fs.String("only", "", "run only these `steps`, by number, comma-separated (for example 6 or 2,3); the table shows them alone")
	if err := fs.Parse(args); err != nil {
		return cli.ParseError(err)
	}
	if fs.NArg() > 0 || *rounds < 1 {
		fmt.Fprintf(stderr, "labbench: want no arguments (steps go in -only) and -rounds of 1 or more\n")
		fs.Usage()
		return cli.ErrUsage
	}
	root, err := findRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "labbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	progress := func(format string, a ...any) { fmt.Fprintf(stderr, "labbench: "+format+"\n", a...) }
	rep := &report{}
	wanted := func(step string) bool {
		return *only == "" || slices.Contains(strings.Split(*only, ","), step)
	}
	// A virtual machine whose hypervisor steals CPU time is not quiet: the
	// report says how much was stolen, and each step's progress line too.
	steal := newStealMeter()
	stepDone := func(number string) {
		if pct, ok := steal.endStep(number); ok {
			progress("step %s: steal %.1f%% of the CPU time%s", number, pct, notQuiet(pct))
		}
	}
	if wanted("1") {
		progress("1/13 encoding benchmarks")
		steal.startStep()
		if err := measureEncoding(ctx, root, rep); err != nil {
			return fmt.Errorf("encoding: %w", err)
		}
		stepDone("1")
	}
	lab, err := startServers(ctx, root, tmp, progress)
	if err != nil {
		return err
	}
	defer lab.stop()
	steps := []struct {
		what string
		run  func() error
	}{
		{"2/13 the protocols alone: gRPC against REST/JSON from net/http", func() error { return measureDirect(ctx, lab, *window, rep) }},
		{"3/13 gRPC against REST through the gateway", func() error { return measureProtocols(ctx, lab, *window, rep) }},
		{"4/13 the loopback floor", func() error { return measureFloor(ctx, lab, *window, rep) }},
		{"5/13 a bidirectional stream used like unary", func() error { return measureStreamVsUnary(ctx, lab, *window, rep) }},
		{"6/13 the middleware's cost", func() error { return measureMiddleware(ctx, *baseline, lab, *window, rep) }},
		{"7/13 server memory per open stream", func() error { lab.stop(); return measureStreamMemory(ctx, lab, *streams, rep) }},
		{fmt.Sprintf("8/13 fan-out to %d watchers", *watchers), func() error { return measureFanOut(ctx, root, *watchers, rep) }},
		{"9/13 hostile clients", func() error { return measureHostile(ctx, lab, rep) }},
		{"10/13 the price of the split, and a replica killed", func() error { return measureSplit(ctx, root, *baseline, lab, *window, rep) }},
		{"11/13 the cost of tracing", func() error { return measureTracing(ctx, root, lab, *window, rep) }},
		{fmt.Sprintf("12/13 the browser's protocols, and %d viewers", *viewers), func() error {
			return measureWeb(ctx, root, *baseline, lab, *window, *viewers, rep)
		}},
		{"13/13 grpc-go's knobs against JSON over HTTP/1.1 and the floor", func() error {
			return measureKnobs(ctx, root, lab, *window, *rounds, *conns, *profile, rep)
		}},
	}
	for _, step := range steps {
		number, _, _ := strings.Cut(step.what, "/")
		if !wanted(number) {
			continue
		}
		progress("%s", step.what)
		steal.startStep()
		if err := step.run(); err != nil {
			_, what, _ := strings.Cut(step.what, " ")
			return fmt.Errorf("%s: %w", what, err)
		}
		stepDone(number)
	}
	rep.print(stdout, machine()+steal.summary())
	return nil
}

// findRoot finds the lab root from the working folder: the folder with
// go.work and bench/.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "bench", "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run labbench from inside the learn-grpc lab")
		}
		dir = parent
	}
}

// machine describes where the figures were measured.
func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range splitLines(string(data)) {
			if name, ok := cutPrefixTrim(line, "model name"); ok {
				cpu = name
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s %s/%s, %s", cpu, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02"))
}
