package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var updateLine = `\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Inventory Update: `

func TestWatchWithCount(t *testing.T) {
	addr := startServer(t, 0)
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"watch", "--ids=product-123,product-456", "--count=2", "--addr=" + addr}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("watch: %v\n%s", err, stderr.String())
	}
	want := regexp.MustCompile(`^Watching products\.\.\.\n` +
		updateLine + `product-123 has 100 units\.\n` +
		updateLine + `product-456 has 25 units\.\n` +
		`Stopped after 2 updates\.\n$`)
	if !want.MatchString(stdout.String()) {
		t.Errorf("stdout:\n%s\nwant it to match %s", stdout.String(), want)
	}
}

func TestWatchErrors(t *testing.T) {
	addr := startServer(t, 0)
	tests := []struct{ args, wantStderr string }{
		{"--ids=", "Error watching products: rpc error: code = InvalidArgument desc = at least one product id is required\n" +
			"  field product_ids: at least one product id is required\n"},
		{"--ids=product-123,product-999", "Error watching products: rpc error: code = NotFound desc = product \"product-999\" not found\n" +
			"  resource ecommerce.catalog.v1.Product \"product-999\"\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), []string{"watch", tt.args, "--addr=" + addr}, &stdout, &stderr)
		if !errors.Is(err, errReported) {
			t.Errorf("watch %s: err = %v, want a reported failure", tt.args, err)
		}
		if stderr.String() != tt.wantStderr {
			t.Errorf("watch %s: stderr = %q, want %q", tt.args, stderr.String(), tt.wantStderr)
		}
		if want := "Watching products...\nServer stream ended.\n"; stdout.String() != want {
			t.Errorf("watch %s: stdout = %q, want %q", tt.args, stdout.String(), want)
		}
	}
}

// TestWatchCtrlC cancels the command's context, as Ctrl+C does through
// signal.NotifyContext, once the first update is printed: a normal end.
func TestWatchCtrlC(t *testing.T) {
	addr := startServer(t, 0)
	ctx, cancel := context.WithCancel(t.Context())
	out := &notifyingBuffer{want: "Inventory Update", seen: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"watch", "--ids=product-123", "--addr=" + addr}, out, io.Discard) }()
	<-out.seen
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("watch after Ctrl+C = %v, want nil (exit status 0)", err)
	}
	if !strings.HasSuffix(out.String(), "Server stream ended.\n") {
		t.Errorf("stdout = %q, want it to end with the stream's end", out.String())
	}
}

// TestWatchServerStops stops the server under an open watch, for good:
// the client must try to resume a bounded number of times, then report the
// failure.
func TestWatchServerStops(t *testing.T) {
	addr, stopServer := startStoppableServer(t, 0)
	out := &notifyingBuffer{want: "Inventory Update", seen: make(chan struct{})}
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(t.Context(), []string{"watch", "--ids=product-123", "--addr=" + addr}, out, &stderr)
	}()
	<-out.seen
	stopServer()
	err := <-done
	if !errors.Is(err, errReported) {
		t.Fatalf("watch after the server stopped = %v, want a reported failure", err)
	}
	got := stderr.String()
	if want := "Watch interrupted (server is shutting down; call again to resume); resuming in 1s.\n"; !strings.HasPrefix(got, want) {
		t.Errorf("stderr = %q, want it to start with %q", got, want)
	}
	if n := strings.Count(got, "Watch interrupted"); n != maxResumes {
		t.Errorf("watch resumed %d times, want %d", n, maxResumes)
	}
	if !strings.Contains(got, "Error watching products: rpc error: code = Unavailable") {
		t.Errorf("stderr = %q, want the last Unavailable reported", got)
	}
}

// TestWatchResumes stops the server under an open watch and starts another
// on the same address: the watch goes on there by itself.
func TestWatchResumes(t *testing.T) {
	addr, stopServer := startStoppableServer(t, 0)
	out := &notifyingBuffer{want: "Inventory Update", seen: make(chan struct{})}
	stderr := &notifyingBuffer{want: "resuming in", seen: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- run(t.Context(), []string{"watch", "--ids=product-123", "--count=2", "--addr=" + addr}, out, stderr)
	}()
	<-out.seen
	stopServer()
	<-stderr.seen
	serveAt(t, addr, 0)
	if err := <-done; err != nil {
		t.Fatalf("watch = %v, want it to resume and stop after 2 updates; stderr:\n%s", err, stderr.String())
	}
	if got := strings.Count(out.String(), "Watching products..."); got != 2 {
		t.Errorf("stdout = %q, want two streams", out.String())
	}
}

func TestWatchRejectsNegativeCount(t *testing.T) {
	var stderr bytes.Buffer
	if err := run(t.Context(), []string{"watch", "--ids=product-123", "--count=-1"}, io.Discard, &stderr); err == nil {
		t.Error("--count=-1 accepted")
	}
}

// notifyingBuffer closes seen the first time what is written contains want.
type notifyingBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (n *notifyingBuffer) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.b.Write(p)
	if strings.Contains(n.b.String(), n.want) {
		n.once.Do(func() { close(n.seen) })
	}
	return len(p), nil
}

func (n *notifyingBuffer) String() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.b.String()
}
