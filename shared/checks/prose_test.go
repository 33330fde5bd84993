package checks

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/learn-grpc/learn-grpc/shared/harness"
)

// maxAverageWords bounds a README's mean sentence length: a learner reads
// each sentence once, and sentences of about 20 words let them.
const maxAverageWords = 22

// TestReadmeSentencesAreShort prints each README's mean sentence length, in
// words of prose, and fails any stage over maxAverageWords.
func TestReadmeSentencesAreShort(t *testing.T) {
	root, err := harness.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range All() {
		data, err := os.ReadFile(filepath.Join(root, c.Stage, "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		p := harness.MeasureProse(string(data))
		t.Logf("%-18s %4d sentences, %5.1f words a sentence", c.Stage, p.Sentences, p.AverageWords())
		if p.AverageWords() > maxAverageWords {
			t.Errorf("%s/README.md: sentences average %.1f words, want at most %d", c.Stage, p.AverageWords(), maxAverageWords)
		}
	}
}
