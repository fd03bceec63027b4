package directory

import (
	"maps"

	"github.com/ogforum/ogforum/internal/sheet"
)

// The fields an import column can be mapped to.
const (
	FieldFirstName    = "first_name"
	FieldLastName     = "last_name"
	FieldName         = "name" // a full name, split at its last space
	FieldEmail        = "email"
	FieldOrganisation = "organisation"
	FieldFunction     = "function"
	FieldPhone        = "phone"
	FieldSectors      = "sectors"
	FieldLanguage     = "language"
	FieldCollege      = "college"
	FieldKind         = "kind"
	FieldConsent      = "consent"
)

// ImportFields lists the fields an import column can be mapped to, in the
// order a mapping form shows them and row errors are reported.
var ImportFields = []string{
	FieldFirstName, FieldLastName, FieldName, FieldEmail, FieldOrganisation, FieldFunction, FieldPhone,
	FieldSectors, FieldLanguage, FieldCollege, FieldKind, FieldConsent,
}

// headerAliases are the column names, French and English, recognised for
// each field, as sheet.Columns.Key folds them.
var headerAliases = map[string][]string{
	FieldLastName:  {"nom", "nom de famille", "last name", "lastname", "surname", "family name"},
	FieldFirstName: {"prenom", "prenoms", "first name", "firstname", "given name"},
	FieldName:      {"nom complet", "full name", "fullname", "name", "nom et prenom", "prenom et nom"},
	FieldEmail: {"courriel", "e mail", "email", "mail", "mel", "adresse electronique", "adresse mail", "adresse e mail",
		"adresse courriel", "email address", "e mail address"},
	FieldOrganisation: {"structure", "organisme", "organisation", "organization", "association", "employeur", "employer",
		"entreprise", "company", "nom de la structure", "nom de l organisation", "organisation name", "organization name"},
	FieldFunction: {"fonction", "poste", "function", "job title", "job", "role"},
	FieldPhone: {"telephone", "tel", "phone", "phone number", "numero de telephone", "portable", "mobile",
		"telephone portable"},
	FieldSectors: {"secteurs", "secteur", "secteur s", "thematiques", "thematique", "themes", "sectors", "sector",
		"secteurs d activite", "centres d interet", "interests"},
	FieldLanguage: {"langue", "language", "langue preferee", "preferred language"},
	FieldCollege:  {"college"},
	FieldKind: {"type", "nature", "kind", "type de structure", "type d organisation", "type de la structure",
		"organisation type", "organization type"},
	FieldConsent: {"consentement", "consent", "opt in", "optin", "accord rgpd"},
}

// columns matches the header row of a people import to its fields.
var columns = sheet.NewColumns(ImportFields, headerAliases, Fold)

// SuggestMapping proposes, for each field it recognises among the
// headers (French or English, accents and case ignored), the header to
// read it from; the first matching column wins. "Nom" is the last name
// (French sheets keep "Nom" and "Prénom" apart); "Name" is a full name,
// unless the sheet also has a first-name column, when it is the last name.
func SuggestMapping(headers []string) map[string]string {
	out := columns.Suggest(headers)
	if full, ok := out[FieldName]; ok && columns.Key(full) == "name" {
		if _, first := out[FieldFirstName]; first {
			delete(out, FieldName)
			if _, last := out[FieldLastName]; !last {
				out[FieldLastName] = full
			}
		}
	}
	if _, full := out[FieldName]; full {
		// Separate name columns win over a full name, except a lone
		// first-name column, which the full name already holds.
		_, first := out[FieldFirstName]
		_, last := out[FieldLastName]
		switch {
		case last:
			delete(out, FieldName)
		case first:
			delete(out, FieldFirstName)
		}
	}
	return out
}

// resolveMapping merges the caller's mapping over the suggested one and
// returns, per field, the index of its column. A field the caller maps to
// "" is not imported; "organization" is read as "organisation". Mapping
// problems are field errors "map.<field>".
func resolveMapping(headers []string, given map[string]string) (map[string]int, error) {
	if h, ok := given["organization"]; ok {
		given = maps.Clone(given)
		delete(given, "organization")
		if _, both := given[FieldOrganisation]; !both {
			given[FieldOrganisation] = h
		}
	}
	// A caller who names a full-name column, or separate name columns,
	// replaces the suggestion of the other kind.
	_, full := given[FieldName]
	_, first := given[FieldFirstName]
	_, last := given[FieldLastName]
	mapping, index, fe := columns.Resolve(headers, SuggestMapping(headers), given, func(field string) bool {
		return full && (field == FieldFirstName || field == FieldLastName) || (first || last) && field == FieldName
	})
	if _, ok := mapping[FieldEmail]; !ok {
		fe["map."+FieldEmail] = "error.import_column_required"
	}
	_, full = mapping[FieldName]
	_, first = mapping[FieldFirstName]
	_, last = mapping[FieldLastName]
	if !full && !first && !last {
		fe["map."+FieldName] = "error.import_column_required"
	}
	return index, fe.Err()
}
