package web

import (
	"database/sql"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/valid"
)

// Indicators of a commitment and their measured values. A value out of
// order or in another unit is recorded, and the commitment's page then
// warns the person who gave it.

type indicatorFormData struct {
	Commitment *plan.Commitment
	Indicator  *plan.Indicator // nil when creating
}

func indicatorForm(ind *plan.Indicator) url.Values {
	return url.Values{"name": {ind.Name}, "unit": {ind.Unit}, "baseline": {numberValue(ind.Baseline)},
		"baseline_on": {string(ind.BaselineOn)}, "target": {numberValue(ind.Target)}, "target_on": {string(ind.TargetOn)}}
}

func indicatorFormInput(r *http.Request) (plan.IndicatorInput, valid.Errors) {
	f, lang := r.PostFormValue, state(r).Lang
	fe := valid.Errors{}
	return plan.IndicatorInput{Name: f("name"), Unit: f("unit"), Baseline: formNumber(fe, "baseline", f("baseline"), lang),
		BaselineOn: plan.Date(f("baseline_on")), Target: formNumber(fe, "target", f("target"), lang), TargetOn: plan.Date(f("target_on"))}, fe
}

func (s *Server) renderIndicatorForm(w http.ResponseWriter, r *http.Request, status int, d indicatorFormData, form url.Values, fe valid.Errors) {
	p := s.page(r, d)
	p.Form = form
	if fe != nil {
		p.Errors = s.translateErrors(r, fe)
	}
	s.render(w, r, status, "commitment_indicator", p)
}

func (s *Server) indicatorNew(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.editableCommitment(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	s.renderIndicatorForm(w, r, http.StatusOK, indicatorFormData{Commitment: c}, url.Values{}, nil)
}

func (s *Server) indicatorCreate(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.editableCommitment(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	in, bad := indicatorFormInput(r)
	var ind *plan.Indicator
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		ind, err = plan.CreateIndicator(r.Context(), tx, s.planChange(r), c.ID, in)
		return formFailure(err, bad)
	})
	if fe, ok := fieldErrors(err); ok {
		s.renderIndicatorForm(w, r, http.StatusUnprocessableEntity, indicatorFormData{Commitment: c}, r.PostForm, fe)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID, "indicator", nil, "indicator-"+ind.ID), http.StatusSeeOther)
}

// editableIndicator loads an indicator the signed-in user may change,
// with its commitment.
func (s *Server) editableIndicator(w http.ResponseWriter, r *http.Request) (*plan.Indicator, *plan.Commitment, bool) {
	id := r.PathValue("id")
	if err := plan.AuthorizeIndicator(r.Context(), s.db, planEditor(r), id); err != nil {
		s.planPageError(w, r, err)
		return nil, nil, false
	}
	ind, err := plan.GetIndicator(r.Context(), s.db, id)
	if err != nil {
		s.planPageError(w, r, err)
		return nil, nil, false
	}
	c, err := plan.GetCommitment(r.Context(), s.db, ind.CommitmentID, "")
	if err != nil {
		s.planPageError(w, r, err)
		return nil, nil, false
	}
	return ind, c, true
}

func (s *Server) indicatorEdit(w http.ResponseWriter, r *http.Request) {
	ind, c, ok := s.editableIndicator(w, r)
	if !ok {
		return
	}
	s.renderIndicatorForm(w, r, http.StatusOK, indicatorFormData{Commitment: c, Indicator: ind}, indicatorForm(ind), nil)
}

func (s *Server) indicatorUpdate(w http.ResponseWriter, r *http.Request) {
	ind, c, ok := s.editableIndicator(w, r)
	if !ok {
		return
	}
	in, bad := indicatorFormInput(r)
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		_, err := plan.UpdateIndicator(r.Context(), tx, s.planChange(r), ind.ID, in)
		return formFailure(err, bad)
	})
	if fe, ok := fieldErrors(err); ok {
		s.renderIndicatorForm(w, r, http.StatusUnprocessableEntity, indicatorFormData{Commitment: c, Indicator: ind}, r.PostForm, fe)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID, "indicator", nil, "indicator-"+ind.ID), http.StatusSeeOther)
}

// valueFormInput reads a measured value from fields named with prefix
// ("value_date", "value"...), bad numbers as field errors at those names.
func valueFormInput(r *http.Request, prefix string) (plan.ValueInput, valid.Errors) {
	f := r.FormValue
	fe := valid.Errors{}
	valueField := prefix + "value"
	if prefix == "value_" {
		valueField = "value"
	}
	return plan.ValueInput{Date: plan.Date(f(prefix + "date")), Value: formNumber(fe, valueField, f(valueField), state(r).Lang), Unit: f(prefix + "unit"),
		Source: f(prefix + "source"), Comment: f(prefix + "comment")}, fe
}

// valueErrors names the fields of a value's errors as the form does.
func valueErrors(fe valid.Errors, prefix string) valid.Errors {
	names := map[string]string{}
	for _, k := range []string{"date", "unit", "source", "comment"} {
		names[k] = prefix + k
	}
	if prefix != "value_" {
		names["value"] = prefix + "value"
	}
	return renameErrors(fe, names)
}

func (s *Server) renderValueForm(w http.ResponseWriter, r *http.Request, status int, d indicatorFormData, form url.Values, fe valid.Errors) {
	p := s.page(r, d)
	p.Form = form
	if fe != nil {
		p.Errors = s.translateErrors(r, fe)
	}
	s.render(w, r, status, "commitment_value", p)
}

func (s *Server) valueNew(w http.ResponseWriter, r *http.Request) {
	ind, c, ok := s.editableIndicator(w, r)
	if !ok {
		return
	}
	s.renderValueForm(w, r, http.StatusOK, indicatorFormData{Commitment: c, Indicator: ind},
		url.Values{"date": {string(plan.Today())}, "unit": {ind.Unit}}, nil)
}

// valueCreate records a value and shows the commitment's page with the
// value's warnings, if any.
func (s *Server) valueCreate(w http.ResponseWriter, r *http.Request) {
	ind, c, ok := s.editableIndicator(w, r)
	if !ok {
		return
	}
	in, bad := valueFormInput(r, "")
	var warnings []string
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		_, warnings, err = plan.AddIndicatorValue(r.Context(), tx, s.planChange(r), ind.ID, in)
		return formFailure(err, bad)
	})
	if fe, ok := fieldErrors(err); ok {
		s.renderValueForm(w, r, http.StatusUnprocessableEntity, indicatorFormData{Commitment: c, Indicator: ind}, r.PostForm, fe)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID, "value", warnings, "indicator-"+ind.ID), http.StatusSeeOther)
}
