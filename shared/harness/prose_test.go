package harness

import "testing"

func TestMeasureProse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Prose
	}{
		{name: "sentences end at a full stop, a question or an exclamation",
			text: "One two three. Four five? Six!\n", want: Prose{Sentences: 3, Words: 6}},
		{name: "a paragraph break ends a sentence", text: "One two\n\nthree four\n", want: Prose{Sentences: 2, Words: 4}},
		{name: "code blocks, tables, headings and comments are not prose",
			text: "# Title\n\n```\nnot prose.\n```\n| a | b |\n<!-- hidden. -->\nOne two.\n", want: Prose{Sentences: 1, Words: 2}},
		{name: "a code span is one word and a link its text",
			text: "Run `go tool lab check 02` with [the lab's tool](x.md).\n", want: Prose{Sentences: 1, Words: 6}},
		{name: "each list item is a sentence of its own",
			text: "- one two\n- three four\n  five.\n", want: Prose{Sentences: 2, Words: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MeasureProse(tt.text); got != tt.want {
				t.Errorf("MeasureProse = %+v, want %+v", got, tt.want)
			}
		})
	}
}
