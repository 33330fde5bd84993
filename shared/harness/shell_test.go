package harness

import (
	"slices"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{`go run ./cmd/client get --id=product-123`, []string{"go", "run", "./cmd/client", "get", "--id=product-123"}},
		{`grpcurl -d '{"id": "x"}' host m`, []string{"grpcurl", "-d", `{"id": "x"}`, "host", "m"}},
		{`buf breaking a --against "../../.git#subdir=a"`, []string{"buf", "breaking", "a", "--against", "../../.git#subdir=a"}},
		{`echo "say \"hi\"" it\ s`, []string{"echo", `say "hi"`, "it s"}},
		{`get --id=`, []string{"get", "--id="}},
		{`x ''`, []string{"x", ""}},
		{`curl -w "\nHTTP %{http_code}"`, []string{"curl", "-w", `\nHTTP %{http_code}`}},
	}
	for _, tt := range tests {
		got, err := SplitCommand(tt.line)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("SplitCommand(%s) = %q, %v; want %q", tt.line, got, err, tt.want)
		}
	}
	for _, bad := range []string{`a | b`, `a > f`, `echo $HOME`, `a 'open`, `a; b`, ``, `a \`} {
		if got, err := SplitCommand(bad); err == nil {
			t.Errorf("SplitCommand(%s) = %q, want an error", bad, got)
		}
	}
}

func TestSplitInput(t *testing.T) {
	for line, want := range map[string][2]string{
		"grpcurl -d @ host m < testdata/track.jsonl": {"grpcurl -d @ host m", "testdata/track.jsonl"},
		"grpcurl -d @ host m <testdata/x":            {"grpcurl -d @ host m", "testdata/x"},
		"echo 'a < b'":                               {"echo 'a < b'", ""},
		"plain command":                              {"plain command", ""},
	} {
		cmd, file := splitInput(line)
		if cmd != want[0] || file != want[1] {
			t.Errorf("splitInput(%q) = %q, %q; want %q, %q", line, cmd, file, want[0], want[1])
		}
	}
}

func TestAssignment(t *testing.T) {
	tests := []struct {
		line, name, inner string
		ok                bool
	}{
		{line: "ORDER=$(go run ./cmd/client add-order --id-only)", name: "ORDER", inner: "go run ./cmd/client add-order --id-only", ok: true},
		{line: "go run ./cmd/client get-order --id=$ORDER"},
		{line: "order=$(go run ./cmd/client x)"}, // the READMEs name variables in capitals
		{line: "ORDER=$(a) extra"},
	}
	for _, tt := range tests {
		name, inner, ok := assignment(tt.line)
		if ok != tt.ok || name != tt.name || inner != tt.inner {
			t.Errorf("assignment(%q) = %q, %q, %v; want %q, %q, %v", tt.line, name, inner, ok, tt.name, tt.inner, tt.ok)
		}
	}
}

func TestVariablesAreSubstituted(t *testing.T) {
	s := &CheckRun{vars: map[string]string{"ORDER": "order-abc"}}
	got, err := s.substitute(`get --id=$ORDER -d "{\"id\": \"${ORDER}\"}"`, nil)
	if want := `get --id=order-abc -d "{\"id\": \"order-abc\"}"`; err != nil || got != want {
		t.Errorf("substitute = %q, %v; want %q", got, err, want)
	}
	if _, err := s.substitute("get --id=$UNSET", nil); err == nil {
		t.Error("an unset variable was substituted without an error")
	}
}

func TestKnownVariablesAreExpandedInExpectedOutput(t *testing.T) {
	s := &CheckRun{vars: map[string]string{"FIRST": "order-abc"}}
	if got, want := s.expandKnownVars("$FIRST\nPrice: $25.99 $OTHER"), "order-abc\nPrice: $25.99 $OTHER"; got != want {
		t.Errorf("expandKnownVars = %q, want %q", got, want)
	}
}
