package web

import (
	"database/sql"
	"net/http"
	"strings"

	"github.com/ogforum/ogforum/internal/plan"
)

// The API of one commitment: reading it (public), and the changes of its
// lead administration's agents and of organisers — anyone else gets 403
// before the body is read.

// commitmentJSON is a commitment with its milestones, indicators and
// values, and its progress updates.
type commitmentJSON struct {
	*plan.Commitment
	Updates []*plan.Update `json:"updates"`
}

func (s *Server) apiCommitment(w http.ResponseWriter, r *http.Request) {
	c, err := plan.GetCommitment(r.Context(), s.db, r.PathValue("id"), "")
	if err != nil {
		s.apiPlanError(w, r, err)
		return
	}
	updates, err := plan.Updates(r.Context(), s.db, c.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, commitmentJSON{Commitment: c, Updates: updates})
}

// apiAuthorized answers 404 or 403 itself unless the caller may change
// the object that check looks at.
func (s *Server) apiAuthorized(w http.ResponseWriter, r *http.Request, check func() error) bool {
	if err := check(); err != nil {
		s.apiPlanError(w, r, err)
		return false
	}
	return true
}

// apiCommitmentPatch changes the fields present in the body. Agents of
// the lead change its text, supporters and OGP values; the rest is for
// organisers (422 at the field otherwise).
func (s *Server) apiCommitmentPatch(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.apiAuthorized(w, r, func() error { return plan.AuthorizeCommitment(r.Context(), s.db, planEditor(r), id) }) {
		return
	}
	cur, err := plan.GetCommitment(r.Context(), s.db, id, "")
	if err != nil {
		s.apiPlanError(w, r, err)
		return
	}
	in := cur.Input()
	keys, ok := s.decodeJSONKeys(w, r, &in)
	if !ok {
		return
	}
	// An axis named by its title or position replaces the stored one.
	if _, byID := keys["axis_id"]; !byID && strings.TrimSpace(in.Axis) != "" {
		in.AxisID = ""
	}
	apiTx(s, w, r, http.StatusOK, s.apiPlanError, func(tx *sql.Tx) (*plan.Commitment, error) {
		return plan.UpdateCommitment(r.Context(), tx, s.planChange(r), id, in)
	})
}

func (s *Server) apiMilestoneCreate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.apiAuthorized(w, r, func() error { return plan.AuthorizeCommitment(r.Context(), s.db, planEditor(r), id) }) {
		return
	}
	var in plan.MilestoneInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusCreated, s.apiPlanError, func(tx *sql.Tx) (*plan.Milestone, error) {
		return plan.CreateMilestone(r.Context(), tx, s.planChange(r), id, in)
	})
}

// apiMilestonePatch changes the fields present in the body; a due_label
// given without due_on sets the due day to the period's end.
func (s *Server) apiMilestonePatch(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.apiAuthorized(w, r, func() error { return plan.AuthorizeMilestone(r.Context(), s.db, planEditor(r), id) }) {
		return
	}
	cur, err := plan.GetMilestone(r.Context(), s.db, id)
	if err != nil {
		s.apiPlanError(w, r, err)
		return
	}
	in := cur.Input()
	keys, ok := s.decodeJSONKeys(w, r, &in)
	if !ok {
		return
	}
	_, label := keys["due_label"]
	if _, due := keys["due_on"]; label && !due {
		in.DueOn = ""
	}
	apiTx(s, w, r, http.StatusOK, s.apiPlanError, func(tx *sql.Tx) (*plan.Milestone, error) {
		return plan.UpdateMilestone(r.Context(), tx, s.planChange(r), id, in)
	})
}

func (s *Server) apiIndicatorCreate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.apiAuthorized(w, r, func() error { return plan.AuthorizeCommitment(r.Context(), s.db, planEditor(r), id) }) {
		return
	}
	var in plan.IndicatorInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusCreated, s.apiPlanError, func(tx *sql.Tx) (*plan.Indicator, error) {
		return plan.CreateIndicator(r.Context(), tx, s.planChange(r), id, in)
	})
}

// valueWarning is a warning about a value that was recorded anyway.
type valueWarning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiValueCreate records a measured value; the answer carries the
// warnings (out of order, same date, other unit) with their messages.
func (s *Server) apiValueCreate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.apiAuthorized(w, r, func() error { return plan.AuthorizeIndicator(r.Context(), s.db, planEditor(r), id) }) {
		return
	}
	var in plan.ValueInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	var v *plan.IndicatorValue
	var keys []string
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		v, keys, err = plan.AddIndicatorValue(r.Context(), tx, s.planChange(r), id, in)
		return err
	})
	if err != nil {
		s.apiPlanError(w, r, err)
		return
	}
	warnings := []valueWarning{}
	for _, k := range keys {
		warnings = append(warnings, valueWarning{Code: strings.TrimPrefix(k, "warning.plan_"), Message: s.i18n.T(state(r).Lang, k)})
	}
	writeJSON(w, http.StatusCreated, map[string]any{"value": v, "warnings": warnings})
}

// apiUpdatePost publishes a progress update (evidence as links); the
// commitment's followers are mailed.
func (s *Server) apiUpdatePost(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.apiAuthorized(w, r, func() error { return plan.AuthorizeCommitment(r.Context(), s.db, planEditor(r), id) }) {
		return
	}
	var in plan.UpdateInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusCreated, s.apiPlanError, func(tx *sql.Tx) (*plan.Update, error) {
		return plan.PostUpdate(r.Context(), tx, s.planChange(r), id, in)
	})
}
