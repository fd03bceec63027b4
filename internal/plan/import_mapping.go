package plan

import "github.com/ogforum/ogforum/internal/sheet"

// The fields an import column can be mapped to.
const (
	FieldReference     = "reference"
	FieldNumber        = "number"
	FieldTitle         = "title"
	FieldTitleEN       = "title_en"
	FieldDescription   = "description"
	FieldDescriptionEN = "description_en"
	FieldAxis          = "axis"
	FieldLead          = "lead"
	FieldSupport       = "support"
	FieldMilestones    = "milestones"
	FieldLeadKind      = "lead_kind"
	FieldSupportKind   = "support_kind"
)

// ImportFields lists the fields of a commitments import, in the order a
// mapping form shows them and row errors are reported. Their labels are
// "plan.import.field.<field>".
var ImportFields = []string{
	FieldReference, FieldNumber, FieldTitle, FieldTitleEN, FieldDescription, FieldDescriptionEN, FieldAxis,
	FieldLead, FieldSupport, FieldMilestones, FieldLeadKind, FieldSupportKind,
}

// headerAliases are the column names recognised for each field, French,
// English and those of the OGP commitment dataset, as sheet.Columns.Key
// folds them.
var headerAliases = map[string][]string{
	FieldReference: {"reference", "ref", "id", "identifiant", "code", "commitment unique identifier", "unique identifier",
		"ogp id", "reference ogp", "identifiant ogp"},
	FieldNumber: {"number", "numero", "no", "n", "num", "commitment number", "plan no", "numero d engagement", "engagement n",
		"n engagement", "numero de l engagement"},
	FieldTitle: {"title", "titre", "intitule", "commitment title", "engagement", "titre de l engagement", "nom de l engagement",
		"intitule de l engagement"},
	FieldTitleEN: {"title en", "english title", "title english", "titre anglais", "titre en anglais", "titre en",
		"commitment title en", "title in english", "commitment title english"},
	FieldDescription: {"description", "full text", "texte", "description fr", "contenu", "texte de l engagement"},
	FieldDescriptionEN: {"description en", "english description", "description english", "description anglais",
		"description en anglais", "full text en", "full text english"},
	FieldAxis: {"axis", "axe", "axes", "theme", "thematique", "pilier"},
	FieldLead: {"lead", "lead institution", "lead institutions", "lead administration", "porteur", "porteurs",
		"administration porteuse", "administrations porteuses", "institution pilote", "pilote", "responsable", "ministere porteur"},
	FieldSupport: {"support", "supporting institution s", "supporting institutions", "support institution s", "support institutions",
		"partenaires", "co porteurs", "contributeurs", "administrations associees", "organisations associees", "soutiens"},
	FieldMilestones:  {"milestones", "milestone", "jalons", "jalon", "etapes"},
	FieldLeadKind:    {"lead kind", "type du porteur", "type de porteur"},
	FieldSupportKind: {"support kind", "type des partenaires"},
}

// columns matches the header row of a commitments import to its fields.
var columns = sheet.NewColumns(ImportFields, headerAliases, fold)

// SuggestMapping proposes, for each field it recognises among the
// headers, the header to read it from; the first matching column wins.
func SuggestMapping(headers []string) map[string]string { return columns.Suggest(headers) }

// resolveMapping lays the caller's mapping over the suggested one and
// returns, per field, the index of its column. A field mapped to "" is not
// read; a column the caller gives to one field is not also read as
// another. Problems are field errors "map.<field>".
func resolveMapping(headers []string, given map[string]string) (map[string]int, error) {
	mapping, index, fe := columns.Resolve(headers, SuggestMapping(headers), given, nil)
	if _, ok := mapping[FieldTitle]; !ok {
		fe["map."+FieldTitle] = "error.import_column_required"
	}
	_, ref := mapping[FieldReference]
	_, num := mapping[FieldNumber]
	if !ref && !num {
		fe["map."+FieldReference] = "error.plan_import_key_required"
	}
	return index, fe.Err()
}
