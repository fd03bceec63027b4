package web

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/ogforum/ogforum/internal/plan"
)

// The plan's JSON API: plans and their commitments. Reading is public
// and carries no personal data (organisations, never people); changes
// are made as the token's user, checked and recorded by the plan domain.

// decodeJSONKeys decodes a JSON object into v, as decodeJSON does, and
// also returns its keys, for a PATCH to tell a field left out from one
// set to its zero value.
func (s *Server) decodeJSONKeys(w http.ResponseWriter, r *http.Request, v any) (map[string]json.RawMessage, bool) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.apiError(w, r, http.StatusRequestEntityTooLarge, "too_large", "error.too_large", nil)
		} else {
			s.apiError(w, r, http.StatusBadRequest, "bad_json", "error.bad_json", nil)
		}
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	if !s.decodeJSON(w, r, v) {
		return nil, false
	}
	keys := map[string]json.RawMessage{}
	json.Unmarshal(raw, &keys)
	return keys, true
}

func (s *Server) apiPlans(w http.ResponseWriter, r *http.Request) {
	list, err := plan.ListPlans(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"plans": list})
}

func (s *Server) apiPlanCreate(w http.ResponseWriter, r *http.Request) {
	var in plan.PlanInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusCreated, s.apiPlanError, func(tx *sql.Tx) (*plan.Plan, error) {
		return plan.CreatePlan(r.Context(), tx, s.planChange(r), in)
	})
}

// planJSON is a plan with the summary of its commitments' progress.
type planJSON struct {
	*plan.Plan
	Summary plan.Summary `json:"summary"`
}

func (s *Server) apiPlan(w http.ResponseWriter, r *http.Request) {
	v, err := plan.PlanView(r.Context(), s.db, r.PathValue("id"), plan.Filter{})
	if err != nil {
		s.apiPlanError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, planJSON{Plan: v.Plan, Summary: v.Summary})
}

// apiPlanPatch changes the fields present in the body; "axes", when
// present, gives the whole ordered list (an axis with its id is kept and
// renamed, one without is added, one left out is removed).
func (s *Server) apiPlanPatch(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cur, err := plan.GetPlan(r.Context(), s.db, id)
	if err != nil {
		s.apiPlanError(w, r, err)
		return
	}
	in := cur.Input()
	in.Axes = nil
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusOK, s.apiPlanError, func(tx *sql.Tx) (*plan.Plan, error) {
		return plan.UpdatePlan(r.Context(), tx, s.planChange(r), id, in)
	})
}

// apiCommitments lists a plan's commitments with their progress, filtered
// by axis_id, lead_organisation_id, state and ogp_value.
func (s *Server) apiCommitments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := plan.Filter{AxisID: q.Get("axis_id"), LeadOrganisationID: firstNonEmpty(q.Get("lead_organisation_id"), q.Get("lead_organization_id")),
		State: q.Get("state"), OGPValue: q.Get("ogp_value")}
	v, err := plan.PlanView(r.Context(), s.db, r.PathValue("id"), f)
	if err != nil {
		s.apiPlanError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"commitments": v.Commitments, "total": v.Total, "summary": v.Summary})
}

func (s *Server) apiCommitmentCreate(w http.ResponseWriter, r *http.Request) {
	var in plan.CommitmentInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusCreated, s.apiPlanError, func(tx *sql.Tx) (*plan.Commitment, error) {
		return plan.CreateCommitment(r.Context(), tx, s.planChange(r), r.PathValue("id"), in)
	})
}

// apiPlanExport answers a plan's commitments as open data, in the OGP
// dataset's columns, under the open licence.
func (s *Server) apiPlanExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		var buf bytes.Buffer
		var err error
		contentType := "text/csv; charset=utf-8"
		if format == "json" {
			contentType = "application/json; charset=utf-8"
			err = plan.ExportJSON(r.Context(), s.db, &buf, id, s.cfg.BaseURL)
		} else {
			err = plan.ExportCSV(r.Context(), s.db, &buf, id, s.cfg.BaseURL)
		}
		if err != nil {
			s.apiPlanError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="plan-`+id+`.`+format+`"`)
		w.Header().Set("Cache-Control", "no-store")
		buf.WriteTo(w)
	}
}
