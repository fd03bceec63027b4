package web

import (
	"database/sql"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/valid"
)

// Milestones of a commitment and their evidence, changed by organisers
// and the agents of the lead administration; deleting a milestone is for
// organisers.

type milestoneFormData struct {
	Commitment    *plan.Commitment
	Milestone     *plan.Milestone // nil when creating
	StatusOptions []Option
	CanManage     bool
}

func milestoneForm(m *plan.Milestone) url.Values {
	v := url.Values{"title": {m.Title}, "due_on": {string(m.DueOn)}, "due_label": {m.DueLabel}, "status": {m.Status},
		"completed_on": {string(m.CompletedOn)}, "weight": {strconv.Itoa(m.Weight)}}
	// A due day that comes from the period is not repeated: changing the
	// period alone moves it.
	if d, ok := plan.ParsePeriod(m.DueLabel); ok && d == m.DueOn {
		v.Set("due_on", "")
	}
	return v
}

// milestoneFormInput reads the form; a weight that is no whole number is
// a field error.
func milestoneFormInput(r *http.Request) (plan.MilestoneInput, valid.Errors) {
	f := r.PostFormValue
	in := plan.MilestoneInput{Title: f("title"), DueOn: plan.Date(f("due_on")), DueLabel: f("due_label"), Status: f("status"),
		CompletedOn: plan.Date(f("completed_on"))}
	fe := valid.Errors{}
	if w := strings.TrimSpace(f("weight")); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil {
			fe["weight"] = "error.plan_weight_invalid"
		}
		in.Weight = n
	}
	return in, fe
}

func (s *Server) renderMilestoneForm(w http.ResponseWriter, r *http.Request, status int, c *plan.Commitment, m *plan.Milestone, form url.Values, fe valid.Errors) {
	p := s.page(r, nil)
	p.Form = form
	if fe != nil {
		p.Errors = s.translateErrors(r, fe)
	}
	d := milestoneFormData{Commitment: c, Milestone: m, CanManage: planEditor(r).CanManage()}
	for _, st := range plan.MilestoneStatuses {
		d.StatusOptions = append(d.StatusOptions, Option{Value: st, Label: p.T("plan.milestone_status." + st)})
	}
	p.Data = d
	s.render(w, r, status, "commitment_milestone", p)
}

func (s *Server) milestoneNew(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.editableCommitment(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	s.renderMilestoneForm(w, r, http.StatusOK, c, nil, url.Values{"status": {plan.MilestoneNotStarted}}, nil)
}

func (s *Server) milestoneCreate(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.editableCommitment(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	in, bad := milestoneFormInput(r)
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		_, err := plan.CreateMilestone(r.Context(), tx, s.planChange(r), c.ID, in)
		return formFailure(err, bad)
	})
	if fe, ok := fieldErrors(err); ok {
		s.renderMilestoneForm(w, r, http.StatusUnprocessableEntity, c, nil, r.PostForm, fe)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID, "milestone", nil, "milestones"), http.StatusSeeOther)
}

// formFailure is err, or the handler's own field errors when the domain
// accepted the rest (the transaction then rolls back), or both merged.
func formFailure(err error, own valid.Errors) error {
	fe, isFields := fieldErrors(err)
	switch {
	case err != nil && !isFields:
		return err
	case len(own) == 0:
		return err
	}
	return mergeErrors(own, fe)
}

// editableMilestone loads a milestone the signed-in user may change, with
// its commitment.
func (s *Server) editableMilestone(w http.ResponseWriter, r *http.Request) (*plan.Milestone, *plan.Commitment, bool) {
	id := r.PathValue("id")
	if err := plan.AuthorizeMilestone(r.Context(), s.db, planEditor(r), id); err != nil {
		s.planPageError(w, r, err)
		return nil, nil, false
	}
	m, err := plan.GetMilestone(r.Context(), s.db, id)
	if err != nil {
		s.planPageError(w, r, err)
		return nil, nil, false
	}
	c, err := plan.GetCommitment(r.Context(), s.db, m.CommitmentID, "")
	if err != nil {
		s.planPageError(w, r, err)
		return nil, nil, false
	}
	return m, c, true
}

func (s *Server) milestoneEdit(w http.ResponseWriter, r *http.Request) {
	m, c, ok := s.editableMilestone(w, r)
	if !ok {
		return
	}
	s.renderMilestoneForm(w, r, http.StatusOK, c, m, milestoneForm(m), nil)
}

func (s *Server) milestoneUpdate(w http.ResponseWriter, r *http.Request) {
	m, c, ok := s.editableMilestone(w, r)
	if !ok {
		return
	}
	in, bad := milestoneFormInput(r)
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		_, err := plan.UpdateMilestone(r.Context(), tx, s.planChange(r), m.ID, in)
		return formFailure(err, bad)
	})
	if fe, ok := fieldErrors(err); ok {
		s.renderMilestoneForm(w, r, http.StatusUnprocessableEntity, c, m, r.PostForm, fe)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID, "milestone", nil, "milestones"), http.StatusSeeOther)
}

// milestoneDelete removes a milestone (organisers).
func (s *Server) milestoneDelete(w http.ResponseWriter, r *http.Request) {
	m, err := plan.GetMilestone(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		return plan.DeleteMilestone(r.Context(), tx, s.planChange(r), m.ID)
	})
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(m.CommitmentID, "milestone_deleted", nil, "milestones"), http.StatusSeeOther)
}

// evidenceAdd attaches a link or an uploaded document to a milestone.
func (s *Server) evidenceAdd(w http.ResponseWriter, r *http.Request) {
	m, c, ok := s.editableMilestone(w, r)
	if !ok {
		return
	}
	in, err := evidenceFormInput(r, "evidence_")
	if err != nil {
		s.uploadError(w, r, err)
		return
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		_, err := plan.AddEvidence(r.Context(), tx, s.planChange(r), m.ID, in)
		return err
	})
	if fe, ok := fieldErrors(err); ok {
		fe = renameErrors(fe, map[string]string{"title": "evidence_title", "url": "evidence_url", "file": "evidence_file"})
		form := milestoneForm(m)
		for _, k := range []string{"evidence_title", "evidence_url"} {
			form.Set(k, r.PostFormValue(k))
		}
		s.renderMilestoneForm(w, r, http.StatusUnprocessableEntity, c, m, form, fe)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID, "evidence", nil, "milestone-"+m.ID), http.StatusSeeOther)
}

// evidenceDelete removes a link or a document, then goes back to the
// commitment's page.
func (s *Server) evidenceDelete(w http.ResponseWriter, r *http.Request) {
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		return plan.DeleteEvidence(r.Context(), tx, s.planChange(r), r.PathValue("id"))
	})
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	back := r.PostFormValue("commitment")
	if back == "" || strings.ContainsAny(back, "/?#\\") {
		http.Redirect(w, r, "/plans", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, savedURL(back, "evidence_deleted", nil, "milestones"), http.StatusSeeOther)
}

// evidenceFormInput reads the evidence of a multipart form: a link
// (<prefix>url) or a document (<prefix>file), with a title.
func evidenceFormInput(r *http.Request, prefix string) (plan.EvidenceInput, error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return plan.EvidenceInput{}, err
	}
	in := plan.EvidenceInput{Title: r.FormValue(prefix + "title"), URL: r.FormValue(prefix + "url")}
	file, header, err := r.FormFile(prefix + "file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return in, nil
	}
	if err != nil {
		return in, err
	}
	defer file.Close()
	if header.Size == 0 && header.Filename == "" {
		return in, nil
	}
	data, err := io.ReadAll(io.LimitReader(file, plan.MaxDocumentSize+1))
	if err != nil {
		return in, err
	}
	in.Filename, in.Data = header.Filename, data
	return in, nil
}

// uploadError answers a form whose body could not be read: too large
// (413) or malformed (400).
func (s *Server) uploadError(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge)
		return
	}
	s.errorPage(w, r, http.StatusBadRequest)
}
