// Package testutil holds what the tests of several packages share. It is
// imported by tests only.
package testutil

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// LockedBuffer collects output (a server's logs, say) written from several
// goroutines while a test reads it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WaitFor polls cond until it holds. It observes a state change that has no
// event to wait on (a handler returning, a subscription going away); the
// bound only turns a hang into a failure, it asserts no speed.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
