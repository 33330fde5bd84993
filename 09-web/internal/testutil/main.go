package testutil

import (
	"bufio"
	"context"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
)

// Main is a command's run function.
type Main func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// Running is a command started in-process by Start.
type Running struct {
	Addr string        // from its first line, "... listening on [https://]ADDR"
	Logs *LockedBuffer // what it wrote to stderr
	stop context.CancelFunc
	done chan error
}

var listeningRE = regexp.MustCompile(`listening on (?:https://)?(\S+)$`)

// Start runs main with args as a command would run, waits for its
// listening line, and stops it when the test ends if the test did not.
func Start(t testing.TB, main Main, args ...string) *Running {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	r := &Running{Logs: &LockedBuffer{}, stop: stop, done: make(chan error, 1)}
	out, outW := io.Pipe()
	go func() {
		err := main(ctx, args, outW, r.Logs)
		outW.Close() // a run that fails early must not leave the reader waiting
		r.done <- err
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	m := listeningRE.FindStringSubmatch(strings.TrimSpace(line))
	if err != nil || m == nil {
		stop()
		t.Fatalf("first line %q, %v; want a listening line; run: %v\n%s", line, err, <-r.done, r.Logs)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }() // never block it on its output
	r.Addr = m[1]
	t.Cleanup(func() {
		if r.done != nil {
			stop()
			<-r.done
		}
	})
	return r
}

// Stop cancels the command's context, as SIGINT does, and returns what run
// returned.
func (r *Running) Stop() error {
	r.stop()
	err := <-r.done
	r.done = nil
	return err
}

// BusyAddr is a loopback address taken until the test ends: one a main
// must fail to listen on.
func BusyAddr(t testing.TB) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lis.Close() })
	return lis.Addr().String()
}
