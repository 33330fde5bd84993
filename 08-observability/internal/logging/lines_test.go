package logging

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// at is a record's time: lines differ in their millisecond digits and zone.
var at = time.Date(2026, 12, 1, 18, 28, 0, 120_456_789, time.UTC)

var lineCases = []struct {
	name  string
	fast  bool // written by appendLine, not by slog
	level slog.Level
	msg   string
	t     time.Time
	attrs []slog.Attr
}{
	{"an access line", true, slog.LevelInfo, "rpc", at, []slog.Attr{
		slog.String("method", "/ecommerce.catalog.v1.ProductCatalogService/GetProduct"),
		slog.String("code", "OK"), slog.Duration("duration", 32680*time.Nanosecond),
		slog.String("caller", "127.0.0.1:55278"),
	}},
	{"an IPv6 caller and a trace", true, slog.LevelInfo, "rpc", at, []slog.Attr{
		slog.String("caller", "[::1]:50051"), slog.String("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
	}},
	{"numbers and a bool", true, slog.LevelWarn, "held", at, []slog.Attr{
		slog.Int("units", -3), slog.Uint64("seq", 18446744073709551615), slog.Bool("released_now", false),
		slog.Duration("grace", 10*time.Second),
	}},
	{"whole milliseconds in another zone", true, slog.LevelError, "x",
		at.Truncate(time.Second).In(time.FixedZone("", 3600)), nil},
	{"the last nanosecond of a millisecond", true, slog.LevelDebug, "x",
		at.Add(879_210_999 * time.Nanosecond), nil},
	{"a year of five digits", false, slog.LevelInfo, "x", time.Date(10000, 1, 1, 0, 0, 0, 123e6, time.UTC), nil},
	{"a year before 0", false, slog.LevelInfo, "x", time.Date(-1, 1, 1, 0, 0, 0, 5e6, time.UTC), nil},
	{"a level between the named ones", true, slog.LevelInfo + 2, "x", at, nil},
	{"a message with spaces", false, slog.LevelInfo, "shutting down", at, nil},
	{"an empty message", false, slog.LevelInfo, "", at, nil},
	{"a value that must be quoted", false, slog.LevelInfo, "rpc", at,
		[]slog.Attr{slog.String("who", `a "b"=c`)}},
	{"an empty value", false, slog.LevelInfo, "rpc", at, []slog.Attr{slog.String("who", "")}},
	{"a value beyond ASCII", false, slog.LevelInfo, "rpc", at, []slog.Attr{slog.String("who", "café")}},
	{"a control character", false, slog.LevelInfo, "rpc", at, []slog.Attr{slog.String("who", "a\x00b\nc")}},
	{"an error", false, slog.LevelWarn, "rpc", at, []slog.Attr{slog.Any("err", errors.New("no such product"))}},
	{"a float", false, slog.LevelInfo, "rpc", at, []slog.Attr{slog.Float64("ratio", 0.5)}},
	{"a time", false, slog.LevelInfo, "rpc", at, []slog.Attr{slog.Time("at", at)}},
	{"a group", false, slog.LevelInfo, "rpc", at, []slog.Attr{slog.Group("g", slog.Int("a", 1))}},
	{"an empty key", false, slog.LevelInfo, "rpc", at, []slog.Attr{slog.Int("", 1)}},
	{"no time", false, slog.LevelInfo, "rpc", time.Time{}, []slog.Attr{slog.Int("a", 1)}},
}

func TestLinesMatchSlog(t *testing.T) {
	for _, tt := range lineCases {
		t.Run(tt.name+" is written as slog writes it", func(t *testing.T) {
			r := slog.NewRecord(tt.t, tt.level, tt.msg, 0)
			r.AddAttrs(tt.attrs...)
			var want, got bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			if err := slog.NewTextHandler(&want, opts).Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			w := NewWriter(&got)
			if err := Handler(w, slog.LevelDebug).Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			_ = w.Close()
			if got.String() != want.String() {
				t.Errorf("got  %q\nwant %q", got.String(), want.String())
			}
			if _, fast := appendLine(nil, r); fast != tt.fast {
				t.Errorf("written by the fast path: %v, want %v", fast, tt.fast)
			}
		})
	}
	t.Run("a logger made With attributes writes as slog does", func(t *testing.T) {
		var want, got bytes.Buffer
		slog.New(slog.NewTextHandler(&want, nil)).With("service", "catalog").Info("rpc", "code", "OK")
		w := NewWriter(&got)
		slog.New(Handler(w, slog.LevelInfo)).With("service", "catalog").Info("rpc", "code", "OK")
		_ = w.Close()
		// Both lines carry the time of their own call: compare what follows it.
		_, g, _ := bytes.Cut(got.Bytes(), []byte(" "))
		_, wt, _ := bytes.Cut(want.Bytes(), []byte(" "))
		if string(g) != string(wt) || string(g) != "level=INFO msg=rpc service=catalog code=OK\n" {
			t.Errorf("got  %q\nwant %q", got.String(), want.String())
		}
	})
}

// BenchmarkAccessLine formats an access line with slog's TextHandler and
// with this package's handler, both into a Writer that discards it.
func BenchmarkAccessLine(b *testing.B) {
	r := slog.NewRecord(at, slog.LevelInfo, "rpc", 0)
	r.AddAttrs(lineCases[0].attrs...)
	w := NewWriter(discard{})
	defer w.Close()
	for _, h := range []struct {
		name string
		h    slog.Handler
	}{{"slog TextHandler", slog.NewTextHandler(w, nil)}, {"lineHandler", Handler(w, slog.LevelInfo)}} {
		b.Run(h.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = h.h.Handle(context.Background(), r)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
