package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/09-web/internal/catalog"
)

// TestWatchStreams opens many watch streams on one connection of a real
// server: up to the server's cap they all open, and the one beyond it is
// refused with the cap's status and details.
func TestWatchStreams(t *testing.T) {
	addr := startServer(t, 0)
	streams := func(n int) []string {
		return []string{"watch", "--ids=product-123", fmt.Sprintf("--streams=%d", n), "--addr=" + addr}
	}
	capped := catalog.MaxWatchersPerConn

	t.Run("streams up to the cap all open", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), streams(capped), &stdout, &stderr); err != nil {
			t.Fatalf("watch --streams=%d = %v, want nil; stderr:\n%s", capped, err, stderr.String())
		}
		if got, want := stdout.String(), fmt.Sprintf("Opened %d watch streams on one connection.\n", capped); got != want {
			t.Errorf("stdout = %q, want %q", got, want)
		}
	})

	t.Run("the stream beyond the cap is refused, and the command fails", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), streams(capped+1), &stdout, &stderr)
		if !errors.Is(err, errReported) {
			t.Fatalf("watch --streams=%d = %v, want a reported failure", capped+1, err)
		}
		if got, want := stdout.String(), fmt.Sprintf("Opened %d watch streams on one connection.\n", capped); got != want {
			t.Errorf("stdout = %q, want %q", got, want)
		}
		msg := fmt.Sprintf("a connection may hold at most %d watch streams", capped)
		want := fmt.Sprintf("Error opening stream %d: rpc error: code = ResourceExhausted desc = %s\n", capped+1, msg) +
			"  quota watchers per connection: " + msg + "\n" +
			"  retry after 5s\n"
		if got := stderr.String(); got != want {
			t.Errorf("stderr = %q, want %q", got, want)
		}
	})

	t.Run("a bad request fails the first stream", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), []string{"watch", "--ids=product-999", "--streams=3", "--addr=" + addr}, &stdout, &stderr)
		if !errors.Is(err, errReported) {
			t.Fatalf("watch = %v, want a reported failure", err)
		}
		if got, want := stdout.String(), "Opened 0 watch streams on one connection.\n"; got != want {
			t.Errorf("stdout = %q, want %q", got, want)
		}
		if want := "Error opening stream 1: rpc error: code = NotFound"; !strings.HasPrefix(stderr.String(), want) {
			t.Errorf("stderr = %q, want it to start with %q", stderr.String(), want)
		}
	})
}

func TestWatchRejectsBadStreams(t *testing.T) {
	for _, args := range [][]string{{"--streams=0"}, {"--streams=2", "--count=1"}} {
		var stderr bytes.Buffer
		err := run(t.Context(), append([]string{"watch", "--ids=product-123"}, args...), io.Discard, &stderr)
		if err == nil || errors.Is(err, errReported) {
			t.Errorf("watch %q = %v, want a usage error", args, err)
		}
		if !strings.Contains(stderr.String(), "Usage: client watch") {
			t.Errorf("watch %q printed no usage:\n%s", args, stderr.String())
		}
	}
}
