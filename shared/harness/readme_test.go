package harness

import (
	"strings"
	"testing"
)

const sampleReadme = "# Stage\n\n## Run it\n\nText.\n\n<!-- check: get -->\n```console\n$ go run ./cmd/client get\nline one\n\nline three\n$ go run ./cmd/client other\n```\n\n## Errors are statuses\n\n<!-- check: empty -->\n```console\n$ go -C ../tools tool buf lint\n```\n"

func TestParseReadme(t *testing.T) {
	rm, err := ParseReadme("README.md", sampleReadme)
	if err != nil {
		t.Fatal(err)
	}
	get, err := rm.Example("get")
	if err != nil {
		t.Fatal(err)
	}
	if get.Section != "Run it" || len(get.Commands) != 2 {
		t.Fatalf("get = %+v", get)
	}
	if c := get.Commands[0]; c.Text != "go run ./cmd/client get" || c.Output != "line one\n\nline three\n" {
		t.Errorf("first command = %+v", c)
	}
	if c := get.Commands[1]; c.Output != "" {
		t.Errorf("second command output = %q, want none", c.Output)
	}
	empty, _ := rm.Example("empty")
	if empty == nil || empty.Section != "Errors are statuses" || empty.Commands[0].Output != "" {
		t.Errorf("empty = %+v", empty)
	}
	if _, err := rm.Example("missing"); err == nil || !strings.Contains(err.Error(), "<!-- check: missing -->") {
		t.Errorf("missing example: err = %v", err)
	}
	if got := strings.Join(rm.Names(), ","); got != "get,empty" {
		t.Errorf("Names = %s", got)
	}
}

func TestParseReadmeErrors(t *testing.T) {
	for name, text := range map[string]string{
		"marker without fence":  "<!-- check: a -->\nplain text\n",
		"marker at end":         "<!-- check: a -->\n",
		"unclosed fence":        "<!-- check: a -->\n```\n$ x\n",
		"output before command": "<!-- check: a -->\n```\nout\n$ x\n```\n",
		"no command":            "<!-- check: a -->\n```\n```\n",
		"duplicate name":        "<!-- check: a -->\n```\n$ x\n```\n<!-- check: a -->\n```\n$ y\n```\n",
	} {
		if _, err := ParseReadme("README.md", text); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}

func TestAnchor(t *testing.T) {
	for heading, want := range map[string]string{
		"Run it":                          "run-it",
		"Explore it with grpcurl":         "explore-it-with-grpcurl",
		"Stage 02 — Unary RPCs: the wire": "stage-02--unary-rpcs-the-wire",
		"Enums start at UNSPECIFIED":      "enums-start-at-unspecified",
	} {
		if got := Anchor(heading); got != want {
			t.Errorf("Anchor(%q) = %q, want %q", heading, got, want)
		}
	}
}
