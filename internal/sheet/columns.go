package sheet

import (
	"strings"
	"unicode"

	"github.com/ogforum/ogforum/internal/valid"
)

// Columns matches the header row of a spreadsheet to the fields of an
// import: it suggests a column per field from the header names people
// write (French or English, accents, case and punctuation ignored), and
// lays the user's own choices over that suggestion.
type Columns struct {
	fields []string
	alias  map[string]string // header key → field
	fold   func(string) string
}

// NewColumns makes the matcher of an import of fields (in the order
// mappings are checked and reported), whose header names are given as
// keys (see Key) per field; fold folds case and accents.
func NewColumns(fields []string, aliases map[string][]string, fold func(string) string) *Columns {
	c := &Columns{fields: fields, alias: map[string]string{}, fold: fold}
	for field, names := range aliases {
		for _, n := range names {
			c.alias[n] = field
		}
	}
	return c
}

// Key folds a column name for matching: case, accents and punctuation
// ignored ("E-mail *" → "e mail", "Supporting Institution(s)" →
// "supporting institution s").
func (c *Columns) Key(h string) string {
	return strings.Join(strings.FieldsFunc(c.fold(h), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// Suggest proposes, for each field it recognises among the headers, the
// header to read it from; the first matching column wins.
func (c *Columns) Suggest(headers []string) map[string]string {
	out := map[string]string{}
	for _, h := range headers {
		if field := c.alias[c.Key(h)]; field != "" {
			if _, taken := out[field]; !taken {
				out[field] = h
			}
		}
	}
	return out
}

// Resolve lays the caller's mapping (field → header) over suggested and
// returns the result with, per field, the index of its column. A field
// the caller maps to "" is not read; a column the caller gives to one
// field is not also read as another; yield, when not nil, tells which
// other suggestions give way to the caller's choices. Problems are field
// errors "map.<field>": a field unknown, a column missing.
func (c *Columns) Resolve(headers []string, suggested, given map[string]string, yield func(field string) bool) (map[string]string, map[string]int, valid.Errors) {
	fe := valid.Errors{}
	known := map[string]bool{}
	for _, f := range c.fields {
		known[f] = true
	}
	mapping := map[string]string{}
	claimed := map[string]bool{}
	for field, h := range given {
		if !known[field] {
			fe["map."+field] = "error.import_field_unknown"
			continue
		}
		claimed[c.Key(h)] = true
	}
	for field, h := range suggested {
		if _, own := given[field]; own || (!claimed[c.Key(h)] && (yield == nil || !yield(field))) {
			mapping[field] = h
		}
	}
	for field, h := range given {
		switch {
		case !known[field]:
		case strings.TrimSpace(h) == "":
			delete(mapping, field)
		default:
			mapping[field] = h
		}
	}
	index := map[string]int{}
	for _, field := range c.fields {
		h, ok := mapping[field]
		if !ok {
			continue
		}
		col := c.Column(headers, h)
		if col < 0 {
			fe["map."+field] = "error.import_column_missing"
			continue
		}
		index[field] = col
	}
	return mapping, index, fe
}

// Column finds a header, exactly or else by its key; -1 when absent.
func (c *Columns) Column(headers []string, h string) int {
	h = strings.TrimSpace(h)
	for i, x := range headers {
		if x == h {
			return i
		}
	}
	key := c.Key(h)
	if key == "" {
		return -1
	}
	for i, x := range headers {
		if c.Key(x) == key {
			return i
		}
	}
	return -1
}
