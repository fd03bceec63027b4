package web

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/valid"
)

// A progress update: its narrative, the status it declares, a piece of
// evidence (a link or a document) and, in the same form, a new value of
// one of the commitment's indicators — all saved together or not at all.

type updateFormData struct {
	Commitment       *plan.Commitment
	StatusOptions    []Option
	IndicatorOptions []Option
}

func (s *Server) renderUpdateForm(w http.ResponseWriter, r *http.Request, status int, c *plan.Commitment, form url.Values, fe valid.Errors) {
	p := s.page(r, nil)
	p.Form = form
	if fe != nil {
		p.Errors = s.translateErrors(r, fe)
	}
	d := updateFormData{Commitment: c}
	for _, st := range plan.UpdateStatuses {
		d.StatusOptions = append(d.StatusOptions, Option{Value: st, Label: p.T("plan.update_status." + st)})
	}
	if len(c.Indicators) > 0 {
		d.IndicatorOptions = []Option{{Value: "", Label: p.T("plan.update.no_value")}}
		for _, ind := range c.Indicators {
			label := ind.Name
			if ind.Unit != "" {
				label += " (" + ind.Unit + ")"
			}
			d.IndicatorOptions = append(d.IndicatorOptions, Option{Value: ind.ID, Label: label})
		}
	}
	p.Data = d
	s.render(w, r, status, "commitment_update", p)
}

func (s *Server) updateNew(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.editableCommitment(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	form := url.Values{"status": {c.Status}, "value_date": {string(plan.Today())}}
	if c.Status == "" {
		form.Set("status", plan.UpdateOnTrack)
	}
	s.renderUpdateForm(w, r, http.StatusOK, c, form, nil)
}

// updatePost publishes the update (and the value): followers are mailed,
// and the commitment's page shows the value's warnings.
func (s *Server) updatePost(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.editableCommitment(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	ev, err := evidenceFormInput(r, "evidence_")
	if err != nil {
		s.uploadError(w, r, err)
		return
	}
	in := plan.UpdateInput{Body: r.FormValue("body"), Status: r.FormValue("status"), Evidence: []plan.EvidenceInput{}}
	if strings.TrimSpace(ev.URL) != "" || ev.Filename != "" || ev.Data != nil {
		in.Evidence = append(in.Evidence, ev)
	}
	indicatorID := r.FormValue("value_indicator")
	value, bad := valueFormInput(r, "value_")
	var warnings []string
	ch := s.planChange(r)
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		fe := valid.Errors{}
		// The value first: the update, saved last, is the news followers read.
		if indicatorID != "" {
			if !hasIndicator(c, indicatorID) {
				fe["value_indicator"] = "error.plan_indicator_unknown"
			} else {
				var err error
				_, warnings, err = plan.AddIndicatorValue(r.Context(), tx, ch, indicatorID, value)
				if e, ok := fieldErrors(err); ok {
					fe = valueErrors(e, "value_")
				} else if err != nil {
					return err
				}
			}
		} else if strings.TrimSpace(r.FormValue("value")) != "" {
			fe["value_indicator"] = "error.plan_indicator_required"
		}
		if len(bad) > 0 && indicatorID != "" {
			fe = mergeErrors(bad, fe)
		}
		_, err := plan.PostUpdate(r.Context(), tx, ch, c.ID, in)
		if e, ok := fieldErrors(err); ok {
			fe = mergeErrors(fe, renameErrors(e, map[string]string{"evidence.0.title": "evidence_title",
				"evidence.0.url": "evidence_url", "evidence.0.file": "evidence_file"}))
		} else if err != nil {
			return err
		}
		return fe.Err()
	})
	if fe, ok := fieldErrors(err); ok {
		form := r.Form
		if r.MultipartForm != nil {
			form = url.Values(r.MultipartForm.Value)
		}
		s.renderUpdateForm(w, r, http.StatusUnprocessableEntity, c, form, fe)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID, "update", warnings, "updates"), http.StatusSeeOther)
}

func hasIndicator(c *plan.Commitment, id string) bool {
	for _, ind := range c.Indicators {
		if ind.ID == id {
			return true
		}
	}
	return false
}
