package plan

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/valid"
)

// fold matches names and titles: case, accents and extra spaces ignored.
func fold(s string) string { return directory.Fold(s) }

// line trims s and turns control characters (new lines included) into
// spaces: titles, names, units are one line.
func line(s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsControl), " ")
}

// paragraphs trims s, keeps its new lines (as "\n") and drops other
// control characters: descriptions and updates are several paragraphs.
func paragraphs(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// checkText records "required" or "too long" for a field.
func checkText(fe valid.Errors, field, v string, required bool, max int) {
	switch {
	case required && v == "":
		fe[field] = "error.required"
	case utf8.RuneCountInString(v) > max:
		fe[field] = "error.too_long"
	}
}

// checkURL normalises a web address (adding https:// when missing) and
// records a bad one.
func checkURL(fe valid.Errors, field string, v *string) {
	s := strings.TrimSpace(*v)
	if s == "" {
		*v = ""
		return
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Host, ".") ||
		len(s) > 1000 || strings.ContainsAny(s, " \t\r\n") {
		fe[field] = "error.url_invalid"
		return
	}
	*v = s
}

// ParseNumber reads a number as people type it in forms, French or
// English: "1 234,5", "1234.5", "12 %" is not one (the unit is apart).
// It reports whether s was a finite number.
func ParseNumber(s string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u202f' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// checkNumber records a number that is not finite (JSON cannot carry one,
// but Go callers can).
func checkNumber(fe valid.Errors, field string, v *float64) {
	if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0) || math.Abs(*v) > 1e15) {
		fe[field] = "error.plan_not_a_number"
	}
}

func nullable(id string) any {
	if id == "" {
		return nil
	}
	return id
}

func nullableText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
