package harness

import (
	"regexp"
	"strings"
)

// Prose measures a README's prose, the way a learner reads it: code blocks,
// tables, headings, HTML comments and generated blocks left out; an inline
// code span counts as one word, a link as its text.
type Prose struct {
	Sentences, Words int
}

// AverageWords is the mean sentence length in words.
func (p Prose) AverageWords() float64 {
	if p.Sentences == 0 {
		return 0
	}
	return float64(p.Words) / float64(p.Sentences)
}

var (
	commentRE  = regexp.MustCompile(`(?s)<!--.*?-->`)
	codeSpanRE = regexp.MustCompile("`[^`]*`")
	linkRE     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	sentenceRE = regexp.MustCompile(`[.!?]["')*_]*(\s|$)`)
	listItemRE = regexp.MustCompile(`^\s*(-|\*|\d+\.)\s+`)
)

// MeasureProse counts the sentences and words of a README's prose.
func MeasureProse(text string) Prose {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for _, block := range [][2]string{{changesStart, changesEnd}, {milestonesStart, milestonesEnd}} {
		if i := strings.Index(text, block[0]); i >= 0 {
			if j := strings.Index(text[i:], block[1]); j >= 0 {
				text = text[:i] + text[i+j+len(block[1]):]
			}
		}
	}
	text = commentRE.ReplaceAllString(text, "")
	var p Prose
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		s := strings.Join(para, " ")
		s = codeSpanRE.ReplaceAllString(s, "code")
		s = linkRE.ReplaceAllString(s, "$1")
		for _, sentence := range sentenceRE.Split(s, -1) {
			if n := len(strings.Fields(sentence)); n > 0 {
				p.Sentences++
				p.Words += n
			}
		}
		para = nil
	}
	inFence := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			inFence = !inFence
			flush()
		case inFence:
		case trimmed == "", strings.HasPrefix(trimmed, "#"), strings.HasPrefix(trimmed, "|"):
			flush()
		case listItemRE.MatchString(line):
			flush() // a list item is a sentence of its own, whatever ends it
			para = append(para, listItemRE.ReplaceAllString(line, ""))
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return p
}
