package sheet_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/sheet"
)

func TestColumns(t *testing.T) {
	c := sheet.NewColumns([]string{"email", "name", "phone"},
		map[string][]string{"email": {"e mail", "courriel"}, "name": {"nom"}, "phone": {"tel"}}, strings.ToLower)
	headers := []string{"E-mail *", "Nom", "Tél.", "Courriel"}
	if got, want := c.Suggest(headers), map[string]string{"email": "E-mail *", "name": "Nom"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Suggest = %v, want %v (the first matching column wins; \"tél\" is not folded here)", got, want)
	}
	// The caller moves email to Courriel, gives Nom to phone (so name,
	// suggested on Nom, gives way), and names an unknown field.
	mapping, index, fe := c.Resolve(headers, c.Suggest(headers), map[string]string{"email": "courriel", "phone": "Nom", "age": "x"}, nil)
	if want := map[string]string{"email": "courriel", "phone": "Nom"}; !reflect.DeepEqual(mapping, want) {
		t.Errorf("mapping %v, want %v", mapping, want)
	}
	if want := map[string]int{"email": 3, "phone": 1}; !reflect.DeepEqual(index, want) {
		t.Errorf("index %v, want %v", index, want)
	}
	if fe["map.age"] != "error.import_field_unknown" || len(fe) != 1 {
		t.Errorf("errors %v", fe)
	}
	// "" drops a field; a missing column is an error at its field; yield
	// drops a suggestion.
	mapping, _, fe = c.Resolve(headers, c.Suggest(headers), map[string]string{"email": "", "phone": "Fax"}, func(f string) bool { return f == "name" })
	if len(mapping) != 1 || mapping["phone"] != "Fax" || fe["map.phone"] != "error.import_column_missing" {
		t.Errorf("mapping %v, errors %v", mapping, fe)
	}
}
