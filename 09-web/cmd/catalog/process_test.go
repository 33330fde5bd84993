package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/learn-grpc/learn-grpc/09-web/internal/testutil"
)

// replicaEnv makes the test binary run as the catalog command itself, so a
// test can start real catalog processes and kill them as a crash would.
const replicaEnv = "LAB_CATALOG_REPLICA"

// runAsReplica runs the catalog if this process was started as a replica;
// it reports false otherwise.
func runAsReplica() bool {
	if os.Getenv(replicaEnv) != "1" {
		return false
	}
	main()
	return true
}

// replica is a catalog process of a test.
type replica struct {
	addr   string
	logs   *testutil.LockedBuffer
	cmd    *exec.Cmd
	exited chan struct{}
}

var listening = regexp.MustCompile(`listening on (\S+)$`)

// startReplicas starts n catalog processes with args at once, then waits
// for each one's listening line. The test's end stops those still running
// with SIGTERM.
func startReplicas(t *testing.T, n int, args ...string) []*replica {
	t.Helper()
	rs := make([]*replica, n)
	firsts := make([]chan string, n)
	for i := range rs {
		r := &replica{logs: &testutil.LockedBuffer{}, exited: make(chan struct{})}
		r.cmd = exec.Command(os.Args[0], args...)
		r.cmd.Env = append(os.Environ(), replicaEnv+"=1")
		r.cmd.Stderr = r.logs
		out, err := r.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		first := make(chan string, 1)
		go func() {
			lines := bufio.NewReader(out)
			line, _ := lines.ReadString('\n')
			first <- line
			_, _ = io.Copy(io.Discard, lines)
			_ = r.cmd.Wait()
			close(r.exited)
		}()
		t.Cleanup(func() { r.stop(t) })
		rs[i], firsts[i] = r, first
	}
	for i, r := range rs {
		line := <-firsts[i]
		m := listening.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			<-r.exited // its log is complete
			t.Fatalf("catalog printed %q; want its listening line; its log:\n%s", line, r.logs)
		}
		r.addr = m[1]
	}
	return rs
}

// startReplica starts one catalog process; see startReplicas.
func startReplica(t *testing.T, args ...string) *replica {
	t.Helper()
	return startReplicas(t, 1, args...)[0]
}

// kill ends the process at once, with no graceful stop: SIGKILL, a crash.
func (r *replica) kill(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-r.exited
}

// stop asks the process to stop as SIGTERM does, and waits for it.
func (r *replica) stop(t *testing.T) {
	select {
	case <-r.exited:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(30 * time.Second): // a hang detector, not a speed limit
		_ = r.cmd.Process.Kill()
		<-r.exited
		t.Errorf("catalog still running 30s after SIGTERM; its log:\n%s", r.logs)
	}
}
