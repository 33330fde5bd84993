package testutil

import (
	"runtime"
	"strings"
	"testing"
)

// StreamWorker is in the stack of each of grpc-go's stream workers, and of
// each call one of them runs.
const StreamWorker = "google.golang.org/grpc.(*Server).serverWorker("

// Stacks are the stacks of the goroutines with fn among their calls: what a
// test checks to see where a call runs, or what a server left behind.
func Stacks(fn string) []string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			var stacks []string
			for _, g := range strings.Split(string(buf[:n]), "\n\n") {
				if strings.Contains(g, fn) {
					stacks = append(stacks, g)
				}
			}
			return stacks
		}
		buf = make([]byte, 2*len(buf))
	}
}

// NoStreamWorkersLeft waits until no stream worker runs in the whole
// process: whatever started them has stopped them. It holds only while no
// other server lives, so not beside parallel tests.
func NoStreamWorkersLeft(t testing.TB) {
	t.Helper()
	WaitFor(t, "every stream worker to stop", func() bool { return len(Stacks(StreamWorker)) == 0 })
}
