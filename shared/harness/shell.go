package harness

import (
	"fmt"
	"strings"
)

// SplitCommand splits a README command line into words the way a POSIX shell
// would for the simple commands the READMEs use: spaces separate words,
// single quotes keep everything literally, double quotes keep spaces and
// allow \" and \\ (any other backslash stays as typed). Anything fancier (pipes, redirections, variables) is an
// error, so a README cannot quietly show a command the check cannot run.
// ("$(command)" and a trailing "< FILE" are handled before this, by the
// stage runner.)
func SplitCommand(line string) ([]string, error) {
	var (
		words   []string
		cur     strings.Builder
		inWord  bool
		quote   rune
		escaped bool
	)
	for _, r := range line {
		switch {
		case escaped:
			// Inside double quotes a backslash escapes only " and \ (and
			// $ and `, which the check does not allow); before anything
			// else it stays, as in a POSIX shell: "\n" is two characters.
			if quote == '"' && r != '"' && r != '\\' {
				cur.WriteRune('\\')
			}
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '\\':
			escaped, inWord = true, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.ContainsRune("|&;<>$`", r):
			return nil, fmt.Errorf("%q: the check runs plain commands only, and %q needs a shell", line, r)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, fmt.Errorf("%q: unterminated quote or escape", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty command")
	}
	return words, nil
}
