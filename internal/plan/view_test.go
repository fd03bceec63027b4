package plan_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// fillPlan adds n commitments, each with five milestones (the first two
// done, one of them past due on 2023-01-01 when not done) and, for one in
// three, an indicator with 24 values — the shape of the benchmark.
func fillPlan(t *testing.T, w *world, from, n int) {
	t.Helper()
	ctx := t.Context()
	txDo(t, w.db, func(tx *sql.Tx) error {
		ch := plan.Change{Editor: w.organiser}
		for i := from; i < from+n; i++ {
			lead, axis := w.lead.ID, w.plan.Axes[i%2].ID
			values := []string{plan.ValueAccessToInformation}
			if i%2 == 1 {
				lead, values = w.other.ID, []string{plan.ValueCivicParticipation}
			}
			c, err := plan.CreateCommitment(ctx, tx, ch, w.plan.ID, plan.CommitmentInput{Reference: fmt.Sprintf("FR%04d", i), Number: fmt.Sprint(i),
				Title: fmt.Sprintf("Engagement %d", i), AxisID: axis, LeadOrganisationID: lead, SupportOrganisationIDs: []string{w.assoc.ID},
				OGPValues: values})
			if err != nil {
				return err
			}
			for j := range 5 {
				in := plan.MilestoneInput{Title: fmt.Sprintf("Jalon %d", j), DueOn: plan.Date(fmt.Sprintf("2022-%02d-28", j+1)), Weight: j + 1}
				if j < 2 || i%3 == 0 {
					in.Status, in.CompletedOn = plan.MilestoneDone, "2022-01-15"
				}
				if _, err := plan.CreateMilestone(ctx, tx, ch, c.ID, in); err != nil {
					return err
				}
			}
			if i%3 != 1 {
				continue
			}
			ind, err := plan.CreateIndicator(ctx, tx, ch, c.ID, plan.IndicatorInput{Name: "Indicateur", Unit: "%"})
			if err != nil {
				return err
			}
			for k := range 24 {
				v := float64(k)
				if _, _, err := plan.AddIndicatorValue(ctx, tx, ch, ind.ID, plan.ValueInput{Date: plan.Date(fmt.Sprintf("%d-%02d-01", 2020+k/12, k%12+1)),
					Value: &v}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// The plan page costs the same number of queries for 1 commitment and for
// 60: counted on a wrapping Querier, not timed.
func TestPlanViewCostsAFixedNumberOfQueries(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		queries := func() (int64, *plan.View) {
			cq := &countingQuerier{Querier: db}
			v, err := plan.PlanView(t.Context(), cq, w.plan.ID, plan.Filter{Today: "2023-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			return cq.n.Load(), v
		}
		fillPlan(t, w, 0, 1)
		one, v := queries()
		if len(v.Commitments) != 1 || len(v.Commitments[0].Milestones) != 5 {
			t.Fatalf("one commitment: %+v", v.Commitments)
		}
		fillPlan(t, w, 1, 59)
		sixty, v := queries()
		if one != sixty || one > 7 {
			t.Errorf("PlanView ran %d queries for 1 commitment and %d for 60, want the same, at most 7", one, sixty)
		}
		values, milestones := 0, 0
		for _, c := range v.Commitments {
			milestones += len(c.Milestones)
			for _, ind := range c.Indicators {
				values += len(ind.Values)
			}
		}
		if len(v.Commitments) != 60 || milestones != 300 || values != 20*24 {
			t.Errorf("loaded %d commitments, %d milestones, %d values", len(v.Commitments), milestones, values)
		}
		// The plan's web page skips the values: one query fewer, and
		// still none per commitment.
		cq0 := &countingQuerier{Querier: db}
		pv, err := plan.PlanPage(t.Context(), cq0, w.plan.ID, plan.Filter{Today: "2023-01-01"})
		if err != nil || cq0.n.Load() != one-1 || len(pv.Commitments) != 60 {
			t.Errorf("PlanPage ran %d queries (%v), want %d", cq0.n.Load(), err, one-1)
		}
		// The same holds for a commitment's page and an organisation's.
		cq := &countingQuerier{Querier: db}
		if _, err := plan.CommitmentView(t.Context(), cq, v.Commitments[1].ID, ""); err != nil {
			t.Fatal(err)
		}
		page := cq.n.Load()
		cq = &countingQuerier{Querier: db}
		if _, err := plan.CommitmentView(t.Context(), cq, v.Commitments[0].ID, ""); err != nil || cq.n.Load() != page {
			t.Errorf("commitment pages cost %d and %d queries (%v)", page, cq.n.Load(), err)
		}
		cq = &countingQuerier{Querier: db}
		lead, support, err := plan.OrganisationCommitments(t.Context(), cq, w.lead.ID, "")
		if err != nil || len(lead) != 30 || len(support) != 0 || cq.n.Load() > 5 {
			t.Errorf("organisation page: %v, %d led, %d supported, %d queries", err, len(lead), len(support), cq.n.Load())
		}
		_, support, _ = plan.OrganisationCommitments(t.Context(), db, w.assoc.ID, "")
		if len(support) != 60 {
			t.Errorf("the association supports %d commitments", len(support))
		}
	})
}

func TestPlanViewFilters(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		fillPlan(t, w, 0, 6)
		view := func(f plan.Filter) []string {
			f.Today = "2022-03-15"
			v, err := plan.PlanView(t.Context(), db, w.plan.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			if v.Total != 6 || v.Summary.Commitments != 6 {
				t.Errorf("total %d", v.Total)
			}
			var refs []string
			for _, c := range v.Commitments {
				refs = append(refs, c.Reference)
			}
			return refs
		}
		cases := []struct {
			name string
			f    plan.Filter
			want string
		}{
			{"everything, in number order", plan.Filter{}, "[FR0000 FR0001 FR0002 FR0003 FR0004 FR0005]"},
			{"axis", plan.Filter{AxisID: w.plan.Axes[1].ID}, "[FR0001 FR0003 FR0005]"},
			{"lead", plan.Filter{LeadOrganisationID: w.lead.ID}, "[FR0000 FR0002 FR0004]"},
			{"OGP value", plan.Filter{OGPValue: plan.ValueCivicParticipation}, "[FR0001 FR0003 FR0005]"},
			// On 2022-03-15 the milestones due on 01-28 and 02-28 are done
			// everywhere, the next is due on 03-28; every third commitment
			// has all five done.
			{"done", plan.Filter{State: plan.StateDone}, "[FR0000 FR0003]"},
			{"in progress", plan.Filter{State: plan.StateInProgress}, "[FR0001 FR0002 FR0004 FR0005]"},
			{"late", plan.Filter{State: plan.StateLate}, "[]"},
			{"lead and value", plan.Filter{LeadOrganisationID: w.lead.ID, OGPValue: plan.ValueCivicParticipation}, "[]"},
		}
		for _, c := range cases {
			if got := fmt.Sprint(view(c.f)); got != c.want {
				t.Errorf("%s: %s, want %s", c.name, got, c.want)
			}
		}
		v, _ := plan.PlanView(t.Context(), db, w.plan.ID, plan.Filter{Today: "2022-04-15", State: plan.StateLate})
		if len(v.Commitments) != 4 || v.Summary.ByState[plan.StateLate] != 4 || v.Summary.ByState[plan.StateDone] != 2 ||
			len(v.Leads) != 2 || v.Leads[0].Name != "Ministère de l'Économie" {
			t.Errorf("late on 2022-04-15: %d commitments, summary %+v, leads %+v", len(v.Commitments), v.Summary, v.Leads)
		}
		for _, f := range []plan.Filter{{State: "blocked"}, {OGPValue: "openness"}} {
			if _, err := plan.PlanView(t.Context(), db, w.plan.ID, f); len(fieldErrs(t, err)) != 1 {
				t.Errorf("filter %+v accepted", f)
			}
		}
	})
}
