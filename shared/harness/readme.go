package harness

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"
)

// Example is a transcript in a stage README: commands a learner types and
// what each prints. The README marks it for the check with a comment on the
// line before the code fence:
//
//	<!-- check: get-product -->
//	```console
//	$ go run ./cmd/client get --id=product-123
//	Product Details:
//	```
//
// Lines starting with "$ " are commands; the lines after one, up to the next
// command, are what it prints. A line holding only "..." stands for any
// number of lines, and "..." inside a line for any text there: for output
// that varies from run to run, such as timestamps.
type Example struct {
	Name     string
	Section  string // heading of the README section holding the example
	Line     int    // line of the fence in the README, from 1
	Commands []Command
}

// Command is one "$ " line of an example and the output promised for it.
type Command struct {
	Text   string
	Output string
}

// Readme is a stage README's checked examples, by name.
type Readme struct {
	Path     string
	Examples map[string]*Example
	Headings []string // every heading, in order
	order    []string
}

var (
	markerRE  = regexp.MustCompile(`^<!--\s*check:\s*([a-z0-9-]+)\s*-->\s*$`)
	headingRE = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
)

// LoadReadme reads and parses the README at path.
func LoadReadme(path string) (*Readme, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseReadme(path, string(data))
}

// ParseReadme parses README text; path is only used in messages.
func ParseReadme(path, text string) (*Readme, error) {
	rm := &Readme{Path: path, Examples: map[string]*Example{}}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	section, pending := "", ""
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := headingRE.FindStringSubmatch(line); m != nil && pending == "" {
			section = m[1]
			rm.Headings = append(rm.Headings, section)
			continue
		}
		if m := markerRE.FindStringSubmatch(line); m != nil {
			pending = m[1]
			continue
		}
		if pending == "" || strings.TrimSpace(line) == "" {
			continue
		}
		if !strings.HasPrefix(line, "```") {
			return nil, fmt.Errorf("%s:%d: the check marker %q must be followed by a code fence", path, i, pending)
		}
		ex := &Example{Name: pending, Section: section, Line: i + 1}
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "```") {
			end++
		}
		if end == len(lines) {
			return nil, fmt.Errorf("%s:%d: code fence of example %q is never closed", path, i+1, pending)
		}
		if err := ex.parseBody(lines[i+1 : end]); err != nil {
			return nil, fmt.Errorf("%s:%d: example %q: %w", path, i+1, pending, err)
		}
		if _, dup := rm.Examples[pending]; dup {
			return nil, fmt.Errorf("%s:%d: a second example is named %q", path, i+1, pending)
		}
		rm.Examples[pending] = ex
		rm.order = append(rm.order, pending)
		pending, i = "", end
	}
	if pending != "" {
		return nil, fmt.Errorf("%s: the check marker %q is not followed by a code block", path, pending)
	}
	return rm, nil
}

func (ex *Example) parseBody(body []string) error {
	for _, line := range body {
		if cmd, ok := strings.CutPrefix(line, "$ "); ok {
			ex.Commands = append(ex.Commands, Command{Text: strings.TrimSpace(cmd)})
			continue
		}
		if len(ex.Commands) == 0 {
			return fmt.Errorf("output %q comes before any \"$ \" command", line)
		}
		c := &ex.Commands[len(ex.Commands)-1]
		c.Output += line + "\n"
	}
	if len(ex.Commands) == 0 {
		return fmt.Errorf("no \"$ \" command in it")
	}
	return nil
}

// Example returns the example called name, or an error that says the README
// and its check have come apart.
func (rm *Readme) Example(name string) (*Example, error) {
	ex, ok := rm.Examples[name]
	if !ok {
		return nil, fmt.Errorf("%s has no example marked <!-- check: %s -->: the README and its check disagree", rm.Path, name)
	}
	return ex, nil
}

// Names lists the examples in README order.
func (rm *Readme) Names() []string { return append([]string(nil), rm.order...) }

// Anchor is the link fragment GitHub gives a heading, so a failure can point
// straight at the section to read.
func Anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
