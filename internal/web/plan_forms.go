package web

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/valid"
)

// The form that creates and edits a plan (organisers), with its axes as
// rows: a row with an id renames that axis, a new row adds one, a row
// emptied removes its axis (refused while commitments use it).

type planFormData struct {
	Plan          *plan.Plan // nil when creating
	AxisRows      []int
	StatusOptions []Option
}

// spareAxisRows are the empty rows offered for new axes.
const spareAxisRows = 3

func (s *Server) planNew(w http.ResponseWriter, r *http.Request) {
	s.renderPlanForm(w, r, http.StatusOK, nil, url.Values{"status": {plan.StatusCoCreation}}, spareAxisRows, nil)
}

func (s *Server) planEdit(w http.ResponseWriter, r *http.Request) {
	pl, err := plan.GetPlan(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	form := url.Values{"title": {pl.Title}, "title_en": {pl.TitleEN}, "description": {pl.Description},
		"starts_on": {string(pl.StartsOn)}, "ends_on": {string(pl.EndsOn)}, "status": {pl.Status}}
	for i, a := range pl.Axes {
		form.Set(fmt.Sprintf("axes.%d.id", i), a.ID)
		form.Set(fmt.Sprintf("axes.%d.title", i), a.Title)
		form.Set(fmt.Sprintf("axes.%d.title_en", i), a.TitleEN)
	}
	s.renderPlanForm(w, r, http.StatusOK, pl, form, len(pl.Axes)+spareAxisRows, nil)
}

func (s *Server) renderPlanForm(w http.ResponseWriter, r *http.Request, status int, pl *plan.Plan, form url.Values, rows int, fe valid.Errors) {
	p := s.page(r, nil)
	p.Form = form
	if fe != nil {
		p.Errors = s.translateErrors(r, fe)
	}
	d := planFormData{Plan: pl}
	for i := range rows {
		d.AxisRows = append(d.AxisRows, i)
	}
	for _, st := range plan.PlanStatuses {
		d.StatusOptions = append(d.StatusOptions, Option{Value: st, Label: p.T("plan.status." + st)})
	}
	p.Data = d
	s.render(w, r, status, "plan_form", p)
}

// planFormInput reads the form: the plan's fields and its non-empty axis
// rows, with the row each axis came from.
func planFormInput(r *http.Request) (in plan.PlanInput, rowOf []int, rows int) {
	f := r.PostFormValue
	in = plan.PlanInput{Title: f("title"), TitleEN: f("title_en"), Description: f("description"),
		StartsOn: plan.Date(f("starts_on")), EndsOn: plan.Date(f("ends_on")), Status: f("status"), Axes: []plan.AxisInput{}}
	for i := 0; i < 200; i++ {
		key := fmt.Sprintf("axes.%d.", i)
		if _, ok := r.PostForm[key+"title"]; !ok {
			break
		}
		rows = i + 1
		a := plan.AxisInput{ID: f(key + "id"), Title: f(key + "title"), TitleEN: f(key + "title_en")}
		if strings.TrimSpace(a.Title) == "" && strings.TrimSpace(a.TitleEN) == "" {
			continue
		}
		in.Axes = append(in.Axes, a)
		rowOf = append(rowOf, i)
	}
	return in, rowOf, rows
}

// axisRowErrors moves the errors of axis k to the form's row of that axis
// (an unknown id is told at the row's title).
func axisRowErrors(fe valid.Errors, rowOf []int) valid.Errors {
	out := valid.Errors{}
	for k, v := range fe {
		var i int
		var field string
		if n, _ := fmt.Sscanf(strings.Replace(k, ".", " ", 2), "axes %d %s", &i, &field); n == 2 && i < len(rowOf) {
			if field == "id" {
				field = "title"
			}
			k = fmt.Sprintf("axes.%d.%s", rowOf[i], field)
		}
		out[k] = v
	}
	return out
}

func (s *Server) planCreate(w http.ResponseWriter, r *http.Request) {
	in, rowOf, rows := planFormInput(r)
	var pl *plan.Plan
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		pl, err = plan.CreatePlan(r.Context(), tx, s.planChange(r), in)
		return err
	})
	if fe, ok := fieldErrors(err); ok {
		s.renderPlanForm(w, r, http.StatusUnprocessableEntity, nil, r.PostForm, max(rows, 1), axisRowErrors(fe, rowOf))
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/plans/"+pl.ID+"?saved=plan", http.StatusSeeOther)
}

func (s *Server) planUpdate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	old, err := plan.GetPlan(r.Context(), s.db, id)
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	in, rowOf, rows := planFormInput(r)
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		_, err := plan.UpdatePlan(r.Context(), tx, s.planChange(r), id, in)
		return err
	})
	if fe, ok := fieldErrors(err); ok {
		s.renderPlanForm(w, r, http.StatusUnprocessableEntity, old, r.PostForm, max(rows, 1), axisRowErrors(fe, rowOf))
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/plans/"+id+"?saved=plan", http.StatusSeeOther)
}
