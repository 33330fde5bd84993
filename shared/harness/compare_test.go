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
		{name: "dots then mismatch", want: "a\n...\nz\n", got: "a\nb\n", why: `the output differs after a "..." line`},
		{name: "line prefix", want: "code = X desc = ...\n", got: "code = X desc = anything at all\n", ok: true},
		{name: "line prefix needs the prefix", want: "code = X desc = ...\n", got: "code = Y desc = x\n", why: "line 1 differs"},
		{name: "dots inside a word are literal", want: "Watching products...\n", got: "Watching products...!\n", why: "line 1 differs"},
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
