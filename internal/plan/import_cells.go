package plan

import (
	"regexp"
	"strings"
)

// looksLikeDay matches what was meant as a day, valid or not.
var looksLikeDay = regexp.MustCompile(`^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}/\d{1,2}/\d{4}$`)

// parseMilestones reads a cell holding milestones separated by " | " or
// new lines, each optionally prefixed by when it is due and a colon:
// "2022-06-30: Publish the data | End 2018: Open the portal". A prefix
// that is not a day or a period stays in the title ("Open data: ...").
// It returns the milestones, or the error key of a bad one.
func parseMilestones(cell string) ([]MilestoneInput, string) {
	var out []MilestoneInput
	for _, item := range strings.FieldsFunc(cell, func(r rune) bool { return r == '|' || r == '\n' || r == '\r' }) {
		item = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(item), "-–—•*·"))
		if item == "" {
			continue
		}
		m := MilestoneInput{Title: item}
		if i := strings.IndexByte(item, ':'); i > 0 && i <= 40 {
			prefix, rest := strings.TrimSpace(item[:i]), strings.TrimSpace(item[i+1:])
			if d, ok := ParsePeriod(prefix); ok && rest != "" {
				m.Title, m.DueOn = rest, d
				if _, day := ParseDate(prefix); !day {
					m.DueLabel = prefix
				}
			} else if looksLikeDay.MatchString(prefix) {
				return nil, "error.plan_date_invalid"
			}
		}
		out = append(out, m)
	}
	return out, ""
}

// splitNames reads a cell naming organisations, separated by semicolons,
// " | " or new lines (not commas, which names hold: "Ministry for the
// Economy, Finance and the Recovery"); repeats are dropped.
func splitNames(cell string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range strings.FieldsFunc(cell, func(r rune) bool { return r == ';' || r == '|' || r == '\n' || r == '\r' }) {
		n = line(n)
		if k := fold(n); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	return out
}
