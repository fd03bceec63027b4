// Package valid holds the one type every domain uses to report bad input:
// errors per field, each a translation key, so that the HTML form and the
// JSON API show the same message at the same field.
package valid

import (
	"sort"
	"strings"
)

// Errors maps a field name to a translation key such as "error.required".
type Errors map[string]string

func (e Errors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("invalid input:")
	for _, k := range keys {
		b.WriteString(" " + k + "=" + e[k])
	}
	return b.String()
}

// Err returns e as an error, or nil when it holds nothing.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}
