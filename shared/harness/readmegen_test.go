package harness

import (
	"strings"
	"testing"
)

func TestRenderReadme(t *testing.T) {
	check := &Check{Milestones: []Milestone{
		{Name: "the server starts", Step: 1},
		{Name: "a product is read", Step: 2},
		{Name: "the server stops"},
	}}
	readme := func(list, row1, row2 string) string {
		return "intro\n" + stepsStart + "\n| step | proves it |\n|---|---|\n" +
			"| 1. Serve | " + row1 + " |\n| 2. Read | " + row2 + " |\n" + stepsEnd + "\n" +
			"## Milestones\n\n" + milestonesStart + "\n" + list + milestonesEnd + "\nafter\n"
	}
	fresh := readme("1. the server starts;\n2. a product is read;\n3. the server stops.\n",
		"*the server starts*", "*a product is read*")
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "a fresh README stays as it is", in: fresh, want: fresh},
		{name: "a stale list and stale references are rewritten",
			in: readme("1. old name;\n", "milestone 1", "milestones 2-3"), want: fresh},
		{name: "a step that proves nothing is refused",
			in: strings.Replace(fresh, "| 2. Read |", "| 3. Read |", 1), wantErr: "step 3 makes no milestone pass"},
		{name: "a README without the markers is refused", in: "no blocks\n", wantErr: "has no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RenderReadme(tt.in, check)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case got != tt.want:
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
