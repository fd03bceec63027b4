package plan

import (
	"context"
	"slices"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Filter selects the commitments a plan page shows. Empty fields select
// everything.
type Filter struct {
	AxisID             string `json:"axis_id"`
	LeadOrganisationID string `json:"lead_organisation_id"`
	// State is one of States: computed from the milestones.
	State string `json:"state"`
	// OGPValue is one of OGPValues.
	OGPValue string `json:"ogp_value"`
	// Today is the day progress and lateness are computed for; zero is
	// today (UTC).
	Today Date `json:"-"`
}

// Validate checks the filter's values (query parameters).
func (f *Filter) Validate() error {
	fe := valid.Errors{}
	if f.State != "" && !contains(States, f.State) {
		fe["state"] = "error.plan_state_invalid"
	}
	if f.OGPValue != "" && !contains(OGPValues, f.OGPValue) {
		fe["ogp_value"] = "error.plan_ogp_value_invalid"
	}
	return fe.Err()
}

func (f *Filter) match(c *Commitment) bool {
	return (f.AxisID == "" || c.AxisID == f.AxisID) &&
		(f.LeadOrganisationID == "" || c.LeadOrganisationID == f.LeadOrganisationID) &&
		(f.State == "" || c.Progress.State() == f.State) &&
		(f.OGPValue == "" || c.HasValue(f.OGPValue))
}

// View is a plan's page: the plan, the commitments the filter selects
// with their progress, and what the page's filters offer.
type View struct {
	Plan        *Plan         `json:"plan"`
	Commitments []*Commitment `json:"commitments"`
	// Total counts the plan's commitments, Summary sums them all up,
	// whatever the filter.
	Total   int     `json:"total"`
	Summary Summary `json:"summary"`
	// Leads are the administrations leading commitments of the plan.
	Leads []OrgRef `json:"leads"`
	Today Date     `json:"today"`
}

// Summary counts a plan's commitments by state, with their average
// progress.
type Summary struct {
	Commitments int            `json:"commitments"`
	ByState     map[string]int `json:"by_state"`
	Percent     int            `json:"percent"`
}

// PlanView loads a plan's page in seven queries whatever the number of
// commitments: the plan, its axes, its commitments (with their lead),
// supporters, milestones, indicators, and the indicators' values. The
// filter is applied once progress is known.
func PlanView(ctx context.Context, q store.Querier, planID string, f Filter) (*View, error) {
	return planView(ctx, q, planID, f, true)
}

// PlanPage is PlanView for the plan's web page, which shows no indicator
// values: its indicators come without them, in six queries.
func PlanPage(ctx context.Context, q store.Querier, planID string, f Filter) (*View, error) {
	return planView(ctx, q, planID, f, false)
}

func planView(ctx context.Context, q store.Querier, planID string, f Filter, values bool) (*View, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	p, err := GetPlan(ctx, q, planID)
	if err != nil {
		return nil, err
	}
	all, err := queryCommitments(ctx, q, `c.plan_id = $1`, planID)
	if err != nil {
		return nil, err
	}
	today := f.Today.orToday()
	if err := loadPartsWith(ctx, q, all, `SELECT x.id FROM commitments x WHERE x.plan_id = $1`, planID, today, values); err != nil {
		return nil, err
	}
	v := &View{Plan: p, Commitments: []*Commitment{}, Total: len(all), Leads: []OrgRef{}, Today: today,
		Summary: Summary{Commitments: len(all), ByState: map[string]int{}}}
	for _, s := range States {
		v.Summary.ByState[s] = 0
	}
	sum := 0
	for _, c := range all {
		v.Summary.ByState[c.Progress.State()]++
		sum += c.Progress.Percent
		if c.LeadOrganisationID != "" && !slices.ContainsFunc(v.Leads, func(o OrgRef) bool { return o.ID == c.LeadOrganisationID }) {
			v.Leads = append(v.Leads, OrgRef{ID: c.LeadOrganisationID, Name: c.LeadOrganisation})
		}
		if f.match(c) {
			v.Commitments = append(v.Commitments, c)
		}
	}
	if len(all) > 0 {
		v.Summary.Percent = sum / len(all)
	}
	slices.SortFunc(v.Leads, func(a, b OrgRef) int { return compareNatural(fold(a.Name), fold(b.Name)) })
	return v, nil
}

// CommitmentPage is a commitment's page: the commitment with its
// milestones (and their evidence), indicators and values, its plan and
// axis, its progress updates and its history.
type CommitmentPage struct {
	Commitment *Commitment     `json:"commitment"`
	Plan       *Plan           `json:"plan"`
	Axis       *Axis           `json:"axis"`
	Updates    []*Update       `json:"updates"`
	History    []*HistoryEntry `json:"history"`
	Followers  int             `json:"followers"`
}

// CommitmentView loads a commitment's page, in a fixed number of queries.
func CommitmentView(ctx context.Context, q store.Querier, id string, today Date) (*CommitmentPage, error) {
	c, err := GetCommitment(ctx, q, id, today)
	if err != nil {
		return nil, err
	}
	evidence, err := loadEvidence(ctx, q, `commitment_id = $1 AND milestone_id IS NOT NULL`, id)
	if err != nil {
		return nil, err
	}
	for _, m := range c.Milestones {
		m.Evidence = []*Evidence{}
		for _, e := range evidence {
			if e.MilestoneID == m.ID {
				m.Evidence = append(m.Evidence, e)
			}
		}
	}
	p, err := GetPlan(ctx, q, c.PlanID)
	if err != nil {
		return nil, err
	}
	page := &CommitmentPage{Commitment: c, Plan: p, Axis: p.Axis(c.AxisID)}
	if page.Updates, err = Updates(ctx, q, id); err != nil {
		return nil, err
	}
	if page.History, err = History(ctx, q, id, 200); err != nil {
		return nil, err
	}
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM commitment_followers f JOIN users u ON u.id = f.user_id
		WHERE f.commitment_id = $1 AND u.disabled = FALSE`, id).Scan(&page.Followers)
	return page, err
}

// OrganisationCommitments returns the commitments an organisation leads
// and those it supports, with their progress on that day (today when
// zero), in a fixed number of queries.
func OrganisationCommitments(ctx context.Context, q store.Querier, orgID string, today Date) (lead, support []*Commitment, err error) {
	const scope = `SELECT x.id FROM commitments x WHERE x.lead_organisation_id = $1
		OR x.id IN (SELECT s.commitment_id FROM commitment_supporters s WHERE s.organisation_id = $1)`
	all, err := queryCommitments(ctx, q, `c.id IN (`+scope+`)`, orgID)
	if err != nil {
		return nil, nil, err
	}
	if err := loadParts(ctx, q, all, scope, orgID, today); err != nil {
		return nil, nil, err
	}
	lead, support = []*Commitment{}, []*Commitment{}
	for _, c := range all {
		if c.LeadOrganisationID == orgID {
			lead = append(lead, c)
		} else {
			support = append(support, c)
		}
	}
	return lead, support, nil
}
