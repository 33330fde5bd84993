// Command labbench measures the lab's claims side by side, in one run, and
// prints one table of results and ratios:
//
//  1. encoding: protobuf, protojson and encoding/json on the lab's messages;
//  2. GetProduct over gRPC and over REST/JSON through the gateway, on the
//     same stage-06 server, at 1, 16 and 64 concurrent callers;
//  3. what the lab's middleware costs: stage 05's server (recovery, logging,
//     authentication with a real token, authorization) against a bare
//     grpc-go server answering the same GetProduct;
//  4. fan-out: stage 03's feed with 10,000 watchers.
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
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "labbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("labbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	window := fs.Duration("duration", 3*time.Second, "how long each load run measures, after a short warm-up")
	watchers := fs.Int("watchers", 10_000, "watchers in the fan-out benchmark")
	if err := fs.Parse(args); err != nil {
		return err
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
	progress("1/4 encoding benchmarks")
	if err := measureEncoding(ctx, root, rep); err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	lab, err := startServers(ctx, root, tmp, progress)
	if err != nil {
		return err
	}
	defer lab.stop()
	progress("2/4 gRPC against REST through the gateway")
	if err := measureProtocols(ctx, lab, *window, rep); err != nil {
		return fmt.Errorf("protocols: %w", err)
	}
	progress("3/4 the middleware's cost")
	if err := measureMiddleware(ctx, lab, *window, rep); err != nil {
		return fmt.Errorf("middleware: %w", err)
	}
	lab.stop()
	progress("4/4 fan-out to %d watchers", *watchers)
	if err := measureFanOut(ctx, root, *watchers, rep); err != nil {
		return fmt.Errorf("fan-out: %w", err)
	}
	rep.print(stdout, machine())
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
