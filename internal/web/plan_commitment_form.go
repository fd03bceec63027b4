package web

import (
	"database/sql"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/valid"
)

// The form of a commitment: organisers create commitments and change all
// of them; the agents of the lead administration change their text,
// supporters and OGP values, while what organisers decide (number,
// reference, axis, lead, IRM assessment) is shown to them, not offered.

type commitmentFormData struct {
	Plan       *plan.Plan
	Commitment *plan.Commitment // nil when creating
	CanManage  bool
	IRMFields  []string

	AxisOptions, LeadOptions, SupportOptions, ValueOptions []Option
	IRMOptions                                             map[string][]Option
}

func commitmentForm(c *plan.Commitment) url.Values {
	v := url.Values{"number": {c.Number}, "reference": {c.Reference}, "title": {c.Title}, "title_en": {c.TitleEN},
		"description": {c.Description}, "description_en": {c.DescriptionEN}, "axis_id": {c.AxisID},
		"lead_organisation_id": {c.LeadOrganisationID}, "support_organisation_ids": c.SupportOrganisationIDs, "ogp_values": c.OGPValues}
	for _, name := range plan.IRMFieldNames {
		v.Set("irm."+name, irmValue(c.IRM, name))
	}
	v.Set("irm_source", c.IRM.Source)
	return v
}

// commitmentFormInput reads the form over old (nil for a new commitment):
// an editor who does not manage plans keeps what organisers decide.
func commitmentFormInput(r *http.Request, old *plan.Commitment, manage bool) plan.CommitmentInput {
	f := r.PostFormValue
	var in plan.CommitmentInput
	if old != nil {
		in = old.Input()
	}
	in.Title, in.TitleEN, in.Description, in.DescriptionEN = f("title"), f("title_en"), f("description"), f("description_en")
	in.SupportOrganisationIDs, in.OGPValues = nonNil(r.PostForm["support_organisation_ids"]), nonNil(r.PostForm["ogp_values"])
	if manage {
		in.Number, in.Reference, in.AxisID, in.LeadOrganisationID = f("number"), f("reference"), f("axis_id"), f("lead_organisation_id")
		in.IRM = plan.IRM{Verifiable: f("irm.verifiable"), Relevant: f("irm.relevant"), Ambition: f("irm.ambition"),
			PotentialImpact: f("irm.potential_impact"), Completion: f("irm.completion"),
			DidItOpenGovernment: f("irm.did_it_open_government"), Starred: f("irm.starred"), Source: f("irm_source")}
	}
	return in
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func (s *Server) renderCommitmentForm(w http.ResponseWriter, r *http.Request, status int, pl *plan.Plan, c *plan.Commitment, form url.Values, fe valid.Errors) {
	orgs, _, err := directory.ListOrganisations(r.Context(), s.db, directory.OrganisationFilter{Limit: 2000})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, nil)
	p.Form = form
	if fe != nil {
		p.Errors = s.translateErrors(r, renameErrors(fe, map[string]string{"axis": "axis_id", "irm.source": "irm_source"}))
	}
	d := commitmentFormData{Plan: pl, Commitment: c, CanManage: planEditor(r).CanManage(), IRMFields: plan.IRMFieldNames,
		IRMOptions: map[string][]Option{}}
	d.AxisOptions = []Option{{Value: "", Label: p.T("plan.form.no_axis")}}
	for _, a := range pl.Axes {
		d.AxisOptions = append(d.AxisOptions, Option{Value: a.ID, Label: p.PlanText(a.Title, a.TitleEN)})
	}
	d.LeadOptions = []Option{{Value: "", Label: p.T("plan.form.no_lead")}}
	for _, o := range orgs {
		d.LeadOptions = append(d.LeadOptions, Option{Value: o.ID, Label: o.Name})
		d.SupportOptions = append(d.SupportOptions, Option{Value: o.ID, Label: o.Name})
	}
	for _, v := range plan.OGPValues {
		d.ValueOptions = append(d.ValueOptions, Option{Value: v, Label: p.T("plan.ogp_value." + v)})
	}
	for _, name := range plan.IRMFieldNames {
		opts := []Option{{Value: "", Label: p.T("plan.irm.unrated")}}
		for _, v := range plan.IRMFields[name] {
			opts = append(opts, Option{Value: v, Label: p.T("plan.irm." + name + "." + v)})
		}
		d.IRMOptions[name] = opts
	}
	p.Data = d
	s.render(w, r, status, "commitment_form", p)
}

func (s *Server) commitmentNew(w http.ResponseWriter, r *http.Request) {
	pl, err := plan.GetPlan(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	s.renderCommitmentForm(w, r, http.StatusOK, pl, nil, url.Values{}, nil)
}

func (s *Server) commitmentCreate(w http.ResponseWriter, r *http.Request) {
	pl, err := plan.GetPlan(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	in := commitmentFormInput(r, nil, true)
	var c *plan.Commitment
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		c, err = plan.CreateCommitment(r.Context(), tx, s.planChange(r), pl.ID, in)
		return err
	})
	if fe, ok := fieldErrors(err); ok {
		s.renderCommitmentForm(w, r, http.StatusUnprocessableEntity, pl, nil, r.PostForm, fe)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID, "commitment", nil, ""), http.StatusSeeOther)
}

// editableCommitment loads a commitment the signed-in user may change,
// with its plan; it answers 404 or 403 itself and then returns false.
func (s *Server) editableCommitment(w http.ResponseWriter, r *http.Request, id string) (*plan.Commitment, *plan.Plan, bool) {
	if err := plan.AuthorizeCommitment(r.Context(), s.db, planEditor(r), id); err != nil {
		s.planPageError(w, r, err)
		return nil, nil, false
	}
	c, err := plan.GetCommitment(r.Context(), s.db, id, "")
	if err != nil {
		s.planPageError(w, r, err)
		return nil, nil, false
	}
	pl, err := plan.GetPlan(r.Context(), s.db, c.PlanID)
	if err != nil {
		s.planPageError(w, r, err)
		return nil, nil, false
	}
	return c, pl, true
}

func (s *Server) commitmentEdit(w http.ResponseWriter, r *http.Request) {
	c, pl, ok := s.editableCommitment(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	s.renderCommitmentForm(w, r, http.StatusOK, pl, c, commitmentForm(c), nil)
}

func (s *Server) commitmentUpdate(w http.ResponseWriter, r *http.Request) {
	c, pl, ok := s.editableCommitment(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	in := commitmentFormInput(r, c, planEditor(r).CanManage())
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		_, err := plan.UpdateCommitment(r.Context(), tx, s.planChange(r), c.ID, in)
		return err
	})
	if fe, ok := fieldErrors(err); ok {
		s.renderCommitmentForm(w, r, http.StatusUnprocessableEntity, pl, c, r.PostForm, fe)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, savedURL(c.ID, "commitment", nil, ""), http.StatusSeeOther)
}
