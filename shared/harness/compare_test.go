package harness

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, want, got string
		ok              bool
		why             string
	}{
		{name: "same", want: "a\nb\n", got: "a\nb\n", ok: true},
		{name: "CRLF and trailing space", want: "a\nb\n", got: "a \r\nb\r\n\r\n", ok: true},
		{name: "one line differs", want: "a\nb\n", got: "a\nc\n", why: `line 2 differs: expected "b", received "c"`},
		{name: "output too short", want: "a\nb\n", got: "a\n", why: `output ended before expected line 2: "b"`},
		{name: "extra output", want: "a\n", got: "a\nb\n", why: `unexpected extra output from line 2: "b"`},
		{name: "nothing expected", want: "", got: "", ok: true},
		{name: "nothing expected, something printed", want: "", got: "oops\n", why: `unexpected extra output from line 1: "oops"`},
		{name: "dots skip lines", want: "a\n...\nz\n", got: "a\nb\nc\nz\n", ok: true},
		{name: "dots skip none", want: "a\n...\nz\n", got: "a\nz\n", ok: true},
		{name: "dots then mismatch", want: "a\n...\nz\n", got: "a\nb\n", why: `line 1 from the end differs: expected "z", received "b"`},
		{name: "dots then too little", want: "a\n...\ny\nz\n", got: "a\nz\n", why: `after a "..." line, 1 more lines were expected`},
		{name: "line prefix", want: "code = X desc = ...\n", got: "code = X desc = anything at all\n", ok: true},
		{name: "line prefix needs the prefix", want: "code = X desc = ...\n", got: "code = Y desc = x\n", why: "line 1 differs"},
		{name: "dots in a line", want: "[...] product-123 has ... units.\n", got: "[2025-12-20 14:30:00] product-123 has 97 units.\n", ok: true},
		{name: "dots in a line, rest must match", want: "[...] product-123 has ... units.\n", got: "[2025] product-456 has 97 units.\n", why: "line 1 differs"},
		{name: "dots match empty text", want: "a...b\n", got: "ab\n", ok: true},
		{name: "prefix and suffix may not overlap", want: "ab...ba\n", got: "aba\n", why: "line 1 differs"},
		{name: "literal dots in output", want: "Watching products...\n", got: "Watching products...\n", ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := Match(tt.want, tt.got)
			if ok != tt.ok {
				t.Fatalf("Match = %v (%s), want %v", ok, why, tt.ok)
			}
			if !strings.HasPrefix(why, tt.why) {
				t.Errorf("why = %q, want it to start with %q", why, tt.why)
			}
		})
	}
}
