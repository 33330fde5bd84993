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
	pki        string
	tmp        string // where the binaries are
	token      string // a valid token for the middleware runs
	writeToken string // one with the orders:write scope
	stage06    *process
	stage05    *process
	bare       *process
	restAddr   string // stage 06's gateway
	bareREST   string // bareserver's direct REST
	bareEcho   string // bareserver's TLS echo
}

type process struct {
	cmd   *exec.Cmd
	log   *os.File // its stderr
	addr  string
	lines []string
}

var (
	grpcLineRE = regexp.MustCompile(`^gRPC server listening on (\S+)$`)
	restLineRE = regexp.MustCompile(`^REST gateway listening on https://(\S+)$`)
	bareRESTRE = regexp.MustCompile(`^REST listening on (\S+)$`)
	echoLineRE = regexp.MustCompile(`^echo listening on (\S+)$`)
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
	l := &lab{pki: filepath.Join(tmp, "pki"), tmp: tmp}
	if out, err := exec.CommandContext(ctx, bin("devcerts"), "-dir", l.pki).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("devcerts: %v\n%s", err, out)
	}
	tok, err := exec.CommandContext(ctx, bin("token"), "-key", filepath.Join(l.pki, "jwt-signing.key"), "-subject", "bench").Output()
	if err != nil {
		return nil, fmt.Errorf("token: %v", err)
	}
	l.token = strings.TrimSpace(string(tok))
	tok, err = exec.CommandContext(ctx, bin("token"), "-key", filepath.Join(l.pki, "jwt-signing.key"), "-subject", "bench",
		"-scopes", "orders:write").Output()
	if err != nil {
		return nil, fmt.Errorf("token: %v", err)
	}
	l.writeToken = strings.TrimSpace(string(tok))
	if l.stage06, l.restAddr, err = l.fresh06("server06.log"); err != nil {
		return nil, err
	}
	if l.stage05, err = start(ctx, bin("server05"), filepath.Join(tmp, "server05.log"), 1, l.authArgs()...); err != nil {
		l.stop() // the servers already started; stopProcess skips the others
		return nil, err
	}
	if l.bare, err = l.freshBare("bare.log"); err != nil {
		l.stop()
		return nil, err
	}
	l.bareREST, l.bareEcho = l.bare.bareAddrs()
	return l, nil
}

func (l *lab) commonArgs() []string {
	return []string{"-addr=127.0.0.1:0", "-tls-cert=" + filepath.Join(l.pki, "server.crt"),
		"-tls-key=" + filepath.Join(l.pki, "server.key")}
}

func (l *lab) authArgs() []string {
	return append(l.commonArgs(), "-jwt-public-key="+filepath.Join(l.pki, "jwt-signing.pub"))
}

// fresh06 starts a new stage-06 server and returns it with its REST
// address. Server logs go to files, as they would to a log pipeline:
// writing them is part of the cost being measured.
func (l *lab) fresh06(logName string, extra ...string) (*process, string, error) {
	args := append(l.authArgs(), "-http-addr=127.0.0.1:0", "-tls-ca="+filepath.Join(l.pki, "ca.crt"))
	p, err := start(context.Background(), filepath.Join(l.tmp, "server06"), filepath.Join(l.tmp, logName), 2,
		append(args, extra...)...)
	if err != nil {
		return nil, "", err
	}
	for _, line := range p.lines {
		if m := restLineRE.FindStringSubmatch(line); m != nil {
			return p, m[1], nil
		}
	}
	stopProcess(p)
	return nil, "", fmt.Errorf("stage 06 printed no REST address: %q", p.lines)
}

// freshBare starts a new bareserver, with extra flags (such as its knobs).
func (l *lab) freshBare(logName string, extra ...string) (*process, error) {
	args := append(l.commonArgs(), "-http-addr=127.0.0.1:0", "-echo-addr=127.0.0.1:0")
	return start(context.Background(), filepath.Join(l.tmp, "bareserver"), filepath.Join(l.tmp, logName), 3,
		append(args, extra...)...)
}

// bareAddrs reads where a bareserver serves REST and its TLS echo.
func (p *process) bareAddrs() (rest, echo string) {
	for _, line := range p.lines {
		if m := bareRESTRE.FindStringSubmatch(line); m != nil {
			rest = m[1]
		}
		if m := echoLineRE.FindStringSubmatch(line); m != nil {
			echo = m[1]
		}
	}
	return rest, echo
}

// start runs a server and waits for its first lines (where it says where
// it listens).
func start(ctx context.Context, bin, logFile string, lines int, args ...string) (*process, error) {
	return startEnv(ctx, bin, logFile, lines, nil, args...)
}

// startEnv is start with env added to the server's environment.
func startEnv(ctx context.Context, bin, logFile string, lines int, env []string, args ...string) (*process, error) {
	log, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		log.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, err
	}
	p := &process{cmd: cmd, log: log}
	// A server that did not start as expected is killed, not left running
	// through the steps after.
	fail := func(err error) (*process, error) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		log.Close()
		return nil, err
	}
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
			return fail(fmt.Errorf("%s did not start: %v", filepath.Base(bin), err))
		}
	case <-time.After(time.Minute):
		return fail(fmt.Errorf("%s did not start within a minute", filepath.Base(bin)))
	}
	m := grpcLineRE.FindStringSubmatch(p.lines[0])
	if m == nil {
		m = restLineRE.FindStringSubmatch(p.lines[0])
	}
	if m == nil {
		return fail(fmt.Errorf("%s printed %q", filepath.Base(bin), p.lines[0]))
	}
	p.addr = m[1]
	return p, nil
}

func (l *lab) stop() {
	for _, p := range []*process{l.stage06, l.stage05, l.bare} {
		stopProcess(p)
	}
}

// stopProcess stops p with Ctrl+C's signal, or kills it after 15 s.
func stopProcess(p *process) {
	if p == nil {
		return
	}
	defer p.log.Close()
	if p.cmd.ProcessState != nil {
		return
	}
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
