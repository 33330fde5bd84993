package logging_test

import (
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/learn-grpc/learn-grpc/06-gateway/internal/logging"
	"github.com/learn-grpc/learn-grpc/06-gateway/internal/testutil"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestWriter(t *testing.T) {
	t.Run("a line waits in the buffer, then is written without being asked", func(t *testing.T) {
		var out testutil.LockedBuffer
		w := logging.NewWriter(&out)
		defer w.Close()
		if _, err := io.WriteString(w, "one\n"); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != "" {
			t.Errorf("written at once: %q; want it buffered", got)
		}
		testutil.WaitFor(t, "the line to be flushed", func() bool { return out.String() == "one\n" })
	})
	t.Run("nothing is dropped when the buffer fills", func(t *testing.T) {
		var out testutil.LockedBuffer
		w := logging.NewWriter(&out)
		line := strings.Repeat("x", 99) + "\n"
		var want strings.Builder
		for range 2000 {
			_, _ = io.WriteString(w, line)
			want.WriteString(line)
		}
		_, _ = io.WriteString(w, strings.Repeat("y", 100<<10)+"\n") // larger than the buffer
		want.WriteString(strings.Repeat("y", 100<<10) + "\n")
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != want.String() {
			t.Errorf("wrote %d bytes, want %d, in order", len(got), want.Len())
		}
	})
	t.Run("a line written after Close goes straight through", func(t *testing.T) {
		var out testutil.LockedBuffer
		w := logging.NewWriter(&out)
		_, _ = io.WriteString(w, "before\n")
		_ = w.Close()
		_, _ = io.WriteString(w, "after\n")
		if got := out.String(); got != "before\nafter\n" {
			t.Errorf("got %q, want both lines", got)
		}
	})
}

func TestLogger(t *testing.T) {
	t.Run("a warning is written at once, with the lines before it", func(t *testing.T) {
		var out testutil.LockedBuffer
		log, closeLog := logging.New(&out, slog.LevelInfo)
		defer closeLog()
		log.Info("first")
		log.Warn("second")
		got := out.String()
		if !strings.Contains(got, "msg=first") || !strings.Contains(got, "msg=second") {
			t.Errorf("after a warning the log holds:\n%s\nwant both lines", got)
		}
	})
	t.Run("lines below the level are not logged", func(t *testing.T) {
		var out testutil.LockedBuffer
		log, closeLog := logging.New(&out, slog.LevelWarn)
		log.Info("hidden")
		log.Warn("shown")
		_ = closeLog()
		if got := out.String(); strings.Contains(got, "hidden") || !strings.Contains(got, "shown") {
			t.Errorf("at WARN the log holds:\n%s", got)
		}
	})
}

func TestLevelFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want slog.Level
	}{
		{nil, slog.LevelInfo},
		{[]string{"-log-level=debug"}, slog.LevelDebug},
		{[]string{"-log-level=warn"}, slog.LevelWarn},
		{[]string{"-log-level=ERROR"}, slog.LevelError},
	} {
		fs := flag.NewFlagSet("server", flag.ContinueOnError)
		level := logging.LevelFlag(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		if *level != tt.want {
			t.Errorf("%q: level %v, want %v", tt.args, *level, tt.want)
		}
	}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	logging.LevelFlag(fs)
	if err := fs.Parse([]string{"-log-level=loud"}); err == nil {
		t.Error("-log-level=loud was accepted")
	}
}
