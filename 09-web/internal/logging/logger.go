package logging

import (
	"context"
	"flag"
	"io"
	"log/slog"
)

// New returns a logger of text lines at level and above, written to w
// through a Writer, and close, which writes what is left: call it when
// the program ends. A warning or an error is written at once, with the
// lines before it, so that the lines that matter most are never waiting.
func New(w io.Writer, level slog.Leveler) (log *slog.Logger, close func() error) {
	buf := NewWriter(w)
	return slog.New(Handler(buf, level)), buf.Close
}

// Handler is New's handler, for a program that wraps it in its own: slog's
// text lines, with the common ones written by a faster path (lines.go).
func Handler(w *Writer, level slog.Leveler) slog.Handler {
	text := slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})
	return flushing{lineHandler{text: text, w: w}, w}
}

// flushing flushes w after each record at WARN or above.
type flushing struct {
	slog.Handler
	w *Writer
}

func (h flushing) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := h.w.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushing) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushing{h.Handler.WithAttrs(attrs), h.w}
}

func (h flushing) WithGroup(name string) slog.Handler {
	return flushing{h.Handler.WithGroup(name), h.w}
}

// LevelFlag registers -log-level on fs: the least level logged.
func LevelFlag(fs *flag.FlagSet) *slog.Level {
	level := new(slog.Level)
	fs.TextVar(level, "log-level", slog.LevelInfo,
		"least `level` logged: debug, info, warn or error (debug adds health checks and reflection)")
	return level
}
