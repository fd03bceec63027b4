package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// What the plan's handlers share: who changes, how followers are mailed,
// how domain errors are answered, and how plan values are shown.

// planEditor is the signed-in user as the plan domain sees them (the
// public when nobody is signed in).
func planEditor(r *http.Request) plan.Editor {
	if u := state(r).User; u != nil {
		return plan.EditorOf(u)
	}
	return plan.Editor{}
}

// planChange is a change by the signed-in user, whose followers are
// mailed with the site's texts and address.
func (s *Server) planChange(r *http.Request) plan.Change {
	return plan.Change{Editor: planEditor(r), Mail: &plan.Mailer{Cat: s.i18n, BaseURL: s.cfg.BaseURL}}
}

// planPageError answers an error that is not about a form's fields: 404,
// 403 (an agent on a commitment their administration does not lead), 500.
func (s *Server) planPageError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, plan.ErrForbidden):
		s.forbidden(w, r)
	default:
		s.serverError(w, r, err)
	}
}

// apiPlanError is apiDomainError with the plan's 403.
func (s *Server) apiPlanError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, plan.ErrForbidden) {
		s.forbidden(w, r)
		return
	}
	s.apiDomainError(w, r, err)
}

// mergeErrors gathers field errors: the first message of a field wins.
func mergeErrors(errs ...valid.Errors) valid.Errors {
	out := valid.Errors{}
	for _, fe := range errs {
		for k, v := range fe {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	}
	return out
}

// renameErrors renames the fields of domain errors to those of a form;
// fields absent from names keep their name.
func renameErrors(fe valid.Errors, names map[string]string) valid.Errors {
	out := valid.Errors{}
	for k, v := range fe {
		if n, ok := names[k]; ok {
			k = n
		}
		out[k] = v
	}
	return out
}

// formNumber reads a number typed in a form: "1 234,5" or "1234.5" — and
// on an English page "1,234.5", where a comma separates thousands. Empty
// is nil; a bad number is recorded at field.
func formNumber(fe valid.Errors, field, v, lang string) *float64 {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if lang == "en" {
		v = strings.ReplaceAll(v, ",", "")
	}
	f, ok := plan.ParseNumber(v)
	if !ok {
		fe[field] = "error.plan_not_a_number"
		return nil
	}
	return &f
}

// numberValue writes a number back into a form field.
func numberValue(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// savedURL is a commitment's page telling what was just saved (a key of
// planNotices) with the warnings to show, and the part of the page to
// show.
func savedURL(commitmentID, saved string, warnings []string, anchor string) string {
	q := url.Values{"saved": {saved}}
	for _, w := range warnings {
		q.Add("warning", w)
	}
	u := "/commitments/" + commitmentID + "?" + q.Encode()
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

// PlanText is a text in the page's language: the English one on an
// English page when there is one, else the French one (or the English one
// when there is no French one).
func (p *Page) PlanText(fr, en string) string {
	if (p.Lang == "en" && en != "") || fr == "" {
		return en
	}
	return fr
}

// PlanTextLang is the language of PlanText's answer when it is not the
// page's, for a lang attribute; "" when it is the page's.
func (p *Page) PlanTextLang(fr, en string) string {
	lang := "fr"
	if (p.Lang == "en" && en != "") || fr == "" {
		lang = "en"
	}
	if lang == p.Lang || (fr == "" && en == "") {
		return ""
	}
	return lang
}

// PlanDate shows a calendar day: 31/12/2018 in French, 31 Dec 2018 in
// English.
func (p *Page) PlanDate(d plan.Date) string {
	if d.IsZero() {
		return ""
	}
	if p.Lang == "en" {
		return d.Time().Format("2 Jan 2006")
	}
	return d.Time().Format("02/01/2006")
}

// PlanNumber shows a number as the page's language writes it: 1 234,5 in
// French, 1,234.5 in English.
func (p *Page) PlanNumber(f float64) string { return formatNumber(p.Lang, f) }

// PlanNumberPtr is PlanNumber, "" for no number.
func (p *Page) PlanNumberPtr(f *float64) string {
	if f == nil {
		return ""
	}
	return formatNumber(p.Lang, *f)
}

func formatNumber(lang string, f float64) string {
	if math.Abs(f) < 1e15 && f != math.Trunc(f) {
		f = math.Round(f*1e6) / 1e6 // no binary noise (0.30000000000000004)
	}
	s := strconv.FormatFloat(math.Abs(f), 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	sep, dec := ",", "."
	if lang != "en" {
		sep, dec = "\u202f", ","
	}
	var b strings.Builder
	if f < 0 {
		b.WriteString("−")
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString(dec + frac)
	}
	return b.String()
}

// PlanDay is PlanDate for a day held as a string.
func (p *Page) PlanDay(d string) string { return p.PlanDate(plan.Date(d)) }
