package directory

import (
	"context"
	"slices"
	"strings"

	"github.com/ogforum/ogforum/internal/store"
)

// kindLabels are the French and English names of each kind of
// organisation, the French one first: exports for spreadsheets write it,
// imports read any of them (and the slug), case and accents ignored.
var kindLabels = map[string][]string{
	"association":            {"Association", "Association"},
	"collective":             {"Collectif", "Collective", "Collectif citoyen"},
	"foundation":             {"Fondation", "Foundation"},
	"union":                  {"Syndicat", "Trade union", "Union"},
	"research":               {"Recherche", "Research", "Laboratoire", "Université", "University"},
	"media":                  {"Média", "Media", "Médias"},
	"company":                {"Entreprise", "Company", "Société"},
	"central_administration": {"Administration centrale", "Central administration", "Ministère", "Ministry"},
	"devolved_service":       {"Service déconcentré", "Devolved service", "Préfecture"},
	"local_authority":        {"Collectivité territoriale", "Local authority", "Collectivité locale", "Collectivité", "Commune", "Mairie"},
	"independent_authority":  {"Autorité indépendante", "Independent authority", "Autorité administrative indépendante", "AAI"},
	"public_operator":        {"Opérateur public", "Public operator", "Établissement public", "Opérateur de l'État"},
	"international":          {"Organisation internationale", "International organisation", "International organization", "International"},
	"individual":             {"Particulier", "Individual", "Citoyen", "Citoyenne", "Personne physique"},
}

var collegeLabels = map[string][]string{
	CollegeAdministration: {"Administration", "Administration", "Administrations", "Public sector", "Secteur public"},
	CollegeCivilSociety:   {"Société civile", "Civil society"},
}

func labelIndex(labels map[string][]string) map[string]string {
	m := map[string]string{}
	for slug, names := range labels {
		m[slug] = slug
		m[Fold(strings.ReplaceAll(slug, "_", " "))] = slug
		for _, n := range names {
			m[Fold(n)] = slug
		}
	}
	return m
}

var (
	kindIndex    = labelIndex(kindLabels)
	collegeIndex = labelIndex(collegeLabels)
)

// parseKind reads a kind from a slug or a French or English label.
func parseKind(s string) (string, bool) {
	k, ok := kindIndex[Fold(s)]
	return k, ok
}

// parseCollege reads a college from a slug or a French or English label.
func parseCollege(s string) (string, bool) {
	c, ok := collegeIndex[Fold(s)]
	return c, ok
}

func kindLabelFR(kind string) string {
	if l := kindLabels[kind]; len(l) > 0 {
		return l[0]
	}
	return kind
}

func collegeLabelFR(college string) string {
	if l := collegeLabels[college]; len(l) > 0 {
		return l[0]
	}
	return college
}

// sectorIndex matches what a spreadsheet says of a sector — its slug or
// its French or English label, case and accents ignored — to its slug.
type sectorIndex struct {
	slugs   map[string]string // folded slug or label → slug
	labelFR map[string]string // slug → French label
}

func loadSectorIndex(ctx context.Context, q store.Querier) (*sectorIndex, error) {
	all, err := Sectors(ctx, q)
	if err != nil {
		return nil, err
	}
	ix := &sectorIndex{slugs: map[string]string{}, labelFR: map[string]string{}}
	for _, s := range all {
		ix.labelFR[s.Slug] = s.LabelFR
		for _, k := range []string{s.Slug, strings.ReplaceAll(s.Slug, "-", " "), s.LabelFR, s.LabelEN} {
			if f := Fold(k); f != "" {
				if _, taken := ix.slugs[f]; !taken || k == s.Slug {
					ix.slugs[f] = s.Slug
				}
			}
		}
	}
	return ix, nil
}

// parse reads a cell holding several sectors separated by semicolons,
// commas or new lines; it returns the slugs, sorted and without repeats,
// and whether every one was known.
func (ix *sectorIndex) parse(cell string) ([]string, bool) {
	seen := map[string]bool{}
	var out []string
	ok := true
	for _, part := range strings.FieldsFunc(cell, func(r rune) bool { return r == ';' || r == ',' || r == '\n' || r == '\r' }) {
		f := Fold(part)
		if f == "" {
			continue
		}
		slug, known := ix.slugs[f]
		if !known {
			ok = false
			continue
		}
		if !seen[slug] {
			seen[slug] = true
			out = append(out, slug)
		}
	}
	slices.Sort(out)
	return out, ok
}

// labels writes slugs as French labels, for spreadsheets read by people.
func (ix *sectorIndex) labels(slugs []string) []string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = s
		if l := ix.labelFR[s]; l != "" {
			out[i] = l
		}
	}
	return out
}
