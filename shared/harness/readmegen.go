package harness

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A README holds two blocks generated from its stage's check, so that a
// milestone is written once: the numbered list under "Milestones", and the
// last column of the "Build it yourself" table, the milestones each step
// makes pass. Each block sits between its markers; the rest is prose.
const (
	milestonesStart = "<!-- milestones: generated from the stage's check by go tool lab gen -->"
	milestonesEnd   = "<!-- end milestones -->"
	stepsStart      = "<!-- steps: the last column is generated from the stage's check by go tool lab gen -->"
	stepsEnd        = "<!-- end steps -->"
)

// stepRowRE finds a row of the steps table: "| 3. what to build | proves |".
var stepRowRE = regexp.MustCompile(`^\| (\d+)\. (.*) \| [^|]* \|$`)

// RenderReadme returns text with c's generated blocks written afresh. It
// fails when a block's markers are missing, when a step proves no
// milestone (merge it into the next), or when a milestone names a step the
// table does not have.
func RenderReadme(text string, c *Check) (string, error) {
	var list strings.Builder
	for i, m := range c.Milestones {
		end := ";"
		if i == len(c.Milestones)-1 {
			end = "."
		}
		fmt.Fprintf(&list, "%d. %s%s\n", i+1, m.Name, end)
	}
	text, err := replaceBlock(text, milestonesStart, milestonesEnd, func(string) (string, error) {
		return list.String(), nil
	})
	if err != nil {
		return "", err
	}
	return replaceBlock(text, stepsStart, stepsEnd, func(table string) (string, error) {
		return renderSteps(table, c)
	})
}

// renderSteps writes each step row's last cell: the names of the
// milestones that step makes pass.
func renderSteps(table string, c *Check) (string, error) {
	proves := map[int][]string{}
	for _, m := range c.Milestones {
		if m.Step > 0 {
			proves[m.Step] = append(proves[m.Step], "*"+m.Name+"*")
		}
	}
	var out strings.Builder
	seen := map[int]bool{}
	for _, line := range strings.SplitAfter(table, "\n") {
		m := stepRowRE.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			out.WriteString(line)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		seen[n] = true
		if len(proves[n]) == 0 {
			return "", fmt.Errorf("step %d makes no milestone pass: give it one, or merge it into the next", n)
		}
		fmt.Fprintf(&out, "| %d. %s | %s |\n", n, m[2], strings.Join(proves[n], "; "))
	}
	for _, m := range c.Milestones {
		if m.Step > 0 && !seen[m.Step] {
			return "", fmt.Errorf("milestone %q names step %d, which the table does not have", m.Name, m.Step)
		}
	}
	return out.String(), nil
}

// replaceBlock replaces what lies between the lines start and end with what
// render makes of it.
func replaceBlock(text, start, end string, render func(string) (string, error)) (string, error) {
	i := strings.Index(text, start+"\n")
	if i < 0 {
		return "", fmt.Errorf("the README has no %q line", start)
	}
	body := i + len(start) + 1
	j := strings.Index(text[body:], end+"\n")
	if j < 0 {
		return "", fmt.Errorf("the README has no %q line after %q", end, start)
	}
	inner, err := render(text[body : body+j])
	if err != nil {
		return "", err
	}
	return text[:body] + inner + text[body+j:], nil
}
