package logging

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// lineHandler writes the records a server logs most, a short message and a
// few plain attributes such as an access line's, itself, and hands every
// other record to slog's TextHandler. The lines are the same, byte for byte
// (TestLinesMatchSlog); the fast path costs a third as much, which matters
// at a line per call (bench/README.md, "The middleware"). It knows no
// HandlerOptions but the level: Handler sets no ReplaceAttr or AddSource.
type lineHandler struct {
	text slog.Handler // slog.NewTextHandler(w, ...), for all the rest
	w    *Writer
}

// lines holds the buffers records are formatted in; a buffer grown past
// 4 KiB by a long line is left to the garbage collector.
var lines = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

func (h lineHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.text.Enabled(ctx, level)
}

func (h lineHandler) Handle(ctx context.Context, r slog.Record) error {
	bp := lines.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= 4<<10 {
			lines.Put(bp)
		}
	}()
	b, ok := appendLine((*bp)[:0], r)
	*bp = b
	if !ok {
		return h.text.Handle(ctx, r)
	}
	_, err := h.w.Write(b)
	return err
}

// A logger made by With or WithGroup uses slog's handler alone.
func (h lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler { return h.text.WithAttrs(attrs) }
func (h lineHandler) WithGroup(name string) slog.Handler       { return h.text.WithGroup(name) }

// appendLine appends r as TextHandler writes it, and reports false, leaving
// the rest to TextHandler, at the first part it would quote or format in a
// way of its own.
func appendLine(b []byte, r slog.Record) ([]byte, bool) {
	if r.Time.IsZero() || !plain(r.Message) {
		return b, false
	}
	b = append(b, "time="...)
	b, ok := appendTime(b, r.Time)
	if !ok {
		return b, false
	}
	b = append(b, " level="...)
	b = append(b, r.Level.String()...)
	b = append(b, " msg="...)
	b = append(b, r.Message...)
	r.Attrs(func(a slog.Attr) bool {
		b, ok = appendAttr(b, a)
		return ok
	})
	return append(b, '\n'), ok
}

// appendAttr appends " key=value" for the kinds of value that TextHandler
// writes as they are.
func appendAttr(b []byte, a slog.Attr) ([]byte, bool) {
	if !plain(a.Key) {
		return b, false
	}
	b = append(b, ' ')
	b = append(b, a.Key...)
	b = append(b, '=')
	switch v := a.Value; v.Kind() {
	case slog.KindString:
		if !plain(v.String()) {
			return b, false
		}
		return append(b, v.String()...), true
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10), true
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10), true
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool()), true
	case slog.KindDuration:
		return append(b, v.Duration().String()...), true
	}
	return b, false
}

// plain reports whether s is in a set that TextHandler never quotes: it is
// not empty, and holds only letters, digits and punctuation that no quoting
// rule touches.
func plain(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !plainByte[s[i]] {
			return false
		}
	}
	return true
}

var plainByte = func() (set [256]bool) {
	for _, c := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-:[]+@," {
		set[c] = true
	}
	return set
}()

// second is a record time's text up to its milliseconds, and its zone, for
// the second that the last record fell in: most lines share one.
type second struct {
	unix       int64
	loc        *time.Location
	date, zone []byte // "2006-01-02T15:04:05." and "Z07:00"
	fourDigits bool   // a year of 0 to 9999, the only ones TextHandler writes whole
}

var lastSecond atomic.Pointer[second]

// appendTime appends t as TextHandler does, RFC 3339 with milliseconds, and
// reports false for a year TextHandler does not write as RFC 3339 does.
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	s := lastSecond.Load()
	if s == nil || s.unix != t.Unix() || s.loc != t.Location() {
		s = &second{unix: t.Unix(), loc: t.Location(), fourDigits: 0 <= t.Year() && t.Year() <= 9999,
			date: t.AppendFormat(nil, "2006-01-02T15:04:05."), zone: t.AppendFormat(nil, "Z07:00")}
		lastSecond.Store(s)
	}
	if !s.fourDigits {
		return b, false
	}
	ms := t.Nanosecond() / 1e6
	b = append(b, s.date...)
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, s.zone...), true
}
