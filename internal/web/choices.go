package web

import (
	"context"

	"github.com/ogforum/ogforum/internal/directory"
)

// Option is one choice of a select or a checkbox group.
type Option struct {
	Value, Label string
	Selected     bool
}

// Choice describes a select or a group of checkboxes for the partials.
type Choice struct {
	Field
	Options []Option
}

// Select builds a select field; the submitted value is selected.
func (p *Page) Select(name, labelKey, hintKey string, required bool, opts []Option) Choice {
	c := Choice{Field: p.Field(name, "select", labelKey, hintKey, required)}
	for _, o := range opts {
		o.Selected = o.Value == c.Value
		c.Options = append(c.Options, o)
	}
	return c
}

// Checkboxes builds a group of checkboxes; submitted values are checked.
func (p *Page) Checkboxes(name, labelKey, hintKey string, opts []Option) Choice {
	c := Choice{Field: p.Field(name, "checkbox", labelKey, hintKey, false)}
	chosen := map[string]bool{}
	for _, v := range p.Form[name] {
		chosen[v] = true
	}
	for _, o := range opts {
		o.Selected = chosen[o.Value]
		c.Options = append(c.Options, o)
	}
	return c
}

// Has tells whether the form holds value for name (checkbox state).
func (p *Page) Has(name, value string) bool {
	for _, v := range p.Form[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Textarea builds a multi-line text field.
func (p *Page) Textarea(name, labelKey, hintKey string, required bool) Field {
	return p.Field(name, "textarea", labelKey, hintKey, required)
}

// kindOptions lists the kinds of organisation, translated.
func (p *Page) KindOptions(withEmpty bool) []Option {
	var out []Option
	if withEmpty {
		out = append(out, Option{Value: "", Label: p.T("filter.any")})
	}
	for _, k := range directory.Kinds {
		out = append(out, Option{Value: k, Label: p.T("kind." + k)})
	}
	return out
}

// CollegeOptions lists the colleges; emptyKey labels the empty choice.
func (p *Page) CollegeOptions(emptyKey string) []Option {
	var out []Option
	if emptyKey != "" {
		out = append(out, Option{Value: "", Label: p.T(emptyKey)})
	}
	for _, c := range []string{directory.CollegeCivilSociety, directory.CollegeAdministration} {
		out = append(out, Option{Value: c, Label: p.T("college." + c)})
	}
	return out
}

// LanguageOptions lists the interface languages.
func (p *Page) LanguageOptions(withEmpty bool) []Option {
	var out []Option
	if withEmpty {
		out = append(out, Option{Value: "", Label: p.T("filter.any")})
	}
	return append(out, Option{Value: "fr", Label: "Français"}, Option{Value: "en", Label: "English"})
}

// sectorOptions lists the sectors in the page's language.
func (s *Server) sectorOptions(ctx context.Context, lang string) ([]Option, error) {
	sectors, err := directory.Sectors(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]Option, 0, len(sectors))
	for _, sec := range sectors {
		out = append(out, Option{Value: sec.Slug, Label: sec.Label(lang)})
	}
	return out, nil
}

// SectorLabel is a sector's label in the page's language (templates).
func (p *Page) SectorLabel(slug string) string {
	if p.sectors == nil {
		return slug
	}
	if l, ok := p.sectors[slug]; ok {
		return l
	}
	return slug
}
