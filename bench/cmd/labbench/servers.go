package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// lab is the processes a run measures.
type lab struct {
	pki      string
	token    string // a valid token for the middleware runs
	stage06  *process
	stage05  *process
	bare     *process
	restAddr string
}

type process struct {
	cmd   *exec.Cmd
	addr  string
	lines []string
}

var (
	grpcLineRE = regexp.MustCompile(`^gRPC server listening on (\S+)$`)
	restLineRE = regexp.MustCompile(`^REST gateway listening on https://(\S+)$`)
)

// build compiles pkg of the module in dir into tmp.
func build(ctx context.Context, dir, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %v\n%s", pkg, filepath.Base(dir), err, b)
	}
	return nil
}

func startServers(ctx context.Context, root, tmp string, progress func(string, ...any)) (*lab, error) {
	progress("building the servers")
	bin := func(name string) string { return filepath.Join(tmp, name) }
	for _, b := range []struct{ dir, pkg, out string }{
		{"06-gateway", "./cmd/server", "server06"},
		{"06-gateway", "./cmd/devcerts", "devcerts"},
		{"06-gateway", "./cmd/token", "token"},
		{"05-auth", "./cmd/server", "server05"},
		{"bench", "./cmd/bareserver", "bareserver"},
	} {
		if err := build(ctx, filepath.Join(root, b.dir), b.pkg, bin(b.out)); err != nil {
			return nil, err
		}
	}
	l := &lab{pki: filepath.Join(tmp, "pki")}
	if out, err := exec.CommandContext(ctx, bin("devcerts"), "-dir", l.pki).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("devcerts: %v\n%s", err, out)
	}
	tok, err := exec.CommandContext(ctx, bin("token"), "-key", filepath.Join(l.pki, "jwt-signing.key"), "-subject", "bench").Output()
	if err != nil {
		return nil, fmt.Errorf("token: %v", err)
	}
	l.token = strings.TrimSpace(string(tok))
	pki := func(f string) string { return filepath.Join(l.pki, f) }
	common := []string{"-addr=127.0.0.1:0", "-tls-cert=" + pki("server.crt"), "-tls-key=" + pki("server.key")}
	auth := append(common, "-jwt-public-key="+pki("jwt-signing.pub"))
	// Server logs go to files, as they would to a log pipeline: writing
	// them is part of the cost being measured.
	if l.stage06, err = start(ctx, bin("server06"), filepath.Join(tmp, "server06.log"), 2,
		append(auth, "-http-addr=127.0.0.1:0", "-tls-ca="+pki("ca.crt"))...); err != nil {
		return nil, err
	}
	for _, line := range l.stage06.lines {
		if m := restLineRE.FindStringSubmatch(line); m != nil {
			l.restAddr = m[1]
		}
	}
	if l.stage05, err = start(ctx, bin("server05"), filepath.Join(tmp, "server05.log"), 1, auth...); err != nil {
		return nil, err
	}
	if l.bare, err = start(ctx, bin("bareserver"), filepath.Join(tmp, "bare.log"), 1, common...); err != nil {
		return nil, err
	}
	return l, nil
}

// start runs a server and waits for its first lines (where it says where
// it listens).
func start(ctx context.Context, bin, logFile string, lines int, args ...string) (*process, error) {
	log, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd}
	got := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for len(p.lines) < lines && sc.Scan() {
			p.lines = append(p.lines, sc.Text())
		}
		got <- sc.Err()
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case err := <-got:
		if err != nil || len(p.lines) < lines {
			return nil, fmt.Errorf("%s did not start: %v", filepath.Base(bin), err)
		}
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s did not start within a minute", filepath.Base(bin))
	}
	m := grpcLineRE.FindStringSubmatch(p.lines[0])
	if m == nil {
		return nil, fmt.Errorf("%s printed %q", filepath.Base(bin), p.lines[0])
	}
	p.addr = m[1]
	return p, nil
}

func (l *lab) stop() {
	for _, p := range []*process{l.stage06, l.stage05, l.bare} {
		if p != nil && p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = p.cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				_ = p.cmd.Process.Kill()
				<-done
			}
		}
	}
}
