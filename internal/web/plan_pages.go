package web

import (
	"net/http"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/valid"
)

type plansData struct {
	Plans     []*plan.Plan
	CanManage bool
}

// plans lists the action plans, the latest first.
func (s *Server) plans(w http.ResponseWriter, r *http.Request) {
	list, err := plan.ListPlans(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "plans", s.page(r, plansData{Plans: list, CanManage: planEditor(r).CanManage()}))
}

type planPageData struct {
	View *plan.View
	// Filtered tells whether a filter is chosen.
	Filtered  bool
	CanManage bool
	// Alerts counts the open alerts (organisers only).
	Alerts int

	AxisOptions, LeadOptions, StateOptions, ValueOptions []Option
}

// planPage is a plan's public page: every commitment's progress at a
// glance, filtered by axis, lead, state or OGP value, in PlanView's fixed
// number of queries.
func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := plan.Filter{AxisID: q.Get("axis"), LeadOrganisationID: q.Get("lead"), State: q.Get("state"), OGPValue: q.Get("value")}
	status := http.StatusOK
	var fe valid.Errors
	if err := f.Validate(); err != nil {
		fe, _ = fieldErrors(err)
		fe = renameErrors(fe, map[string]string{"ogp_value": "value"})
		if fe["state"] != "" {
			f.State = ""
			q.Del("state")
		}
		if fe["value"] != "" {
			f.OGPValue = ""
			q.Del("value")
		}
		status = http.StatusUnprocessableEntity
	}
	v, err := plan.PlanPage(r.Context(), s.db, r.PathValue("id"), f)
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	d := planPageData{View: v, Filtered: f != plan.Filter{}, CanManage: planEditor(r).CanManage()}
	if d.CanManage {
		alerts, err := plan.OpenAlerts(r.Context(), s.db, v.Plan.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Alerts = len(alerts)
	}
	p := s.page(r, nil)
	p.Form = q
	if q.Get("saved") == "plan" {
		p.Notice = p.T("plan.notice.plan")
	}
	if fe != nil {
		p.Errors = s.translateErrors(r, fe)
	}
	anyOpt := Option{Value: "", Label: p.T("filter.any")}
	d.AxisOptions = []Option{anyOpt}
	for _, a := range v.Plan.Axes {
		d.AxisOptions = append(d.AxisOptions, Option{Value: a.ID, Label: p.PlanText(a.Title, a.TitleEN)})
	}
	d.LeadOptions = []Option{anyOpt}
	for _, o := range v.Leads {
		d.LeadOptions = append(d.LeadOptions, Option{Value: o.ID, Label: o.Name})
	}
	d.StateOptions = []Option{anyOpt}
	for _, st := range plan.States {
		d.StateOptions = append(d.StateOptions, Option{Value: st, Label: p.T("plan.state." + st)})
	}
	d.ValueOptions = []Option{anyOpt}
	for _, val := range plan.OGPValues {
		d.ValueOptions = append(d.ValueOptions, Option{Value: val, Label: p.T("plan.ogp_value." + val)})
	}
	p.Data = d
	s.render(w, r, status, "plan", p)
}

// AxisOf is the title of a commitment's axis in the page's language.
func (d planPageData) AxisOf(p *Page, c *plan.Commitment) string {
	if a := d.View.Plan.Axis(c.AxisID); a != nil {
		return p.PlanText(a.Title, a.TitleEN)
	}
	return ""
}
