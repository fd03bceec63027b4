package plan_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/demo"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// Every key the plan's values and messages are shown with exists in both
// languages (the i18n test finds the "error.*" literals; these are built).
func TestEveryPlanKeyIsTranslated(t *testing.T) {
	t.Parallel()
	c := i18n.MustLoad()
	var keys []string
	add := func(prefix string, values []string) {
		for _, v := range values {
			keys = append(keys, prefix+v)
		}
	}
	add("plan.status.", plan.PlanStatuses)
	add("plan.update_status.", plan.UpdateStatuses)
	add("plan.milestone_status.", append(plan.MilestoneStatuses, plan.MilestoneLate))
	add("plan.state.", plan.States)
	add("plan.ogp_value.", plan.OGPValues)
	add("plan.history.action.", plan.Actions)
	add("plan.import.field.", plan.ImportFields)
	add("plan.alert.kind.", []string{plan.AlertStale, plan.AlertLate})
	add("", plan.Warnings)
	add("plan.irm.", append(plan.IRMFieldNames, "source"))
	for field, values := range plan.IRMFields {
		add("plan.irm."+field+".", values)
	}
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !c.Has(lang, k) {
				t.Errorf("key %q missing in %s", k, lang)
			}
		}
	}
}

func TestDemoPlanLoadsOnceAndLives(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		if n, err := demo.Load(ctx, db); err != nil || n != 0 {
			t.Fatalf("second load added %d (%v)", n, err)
		}
		plans, err := plan.ListPlans(ctx, db)
		if err != nil || len(plans) != 1 || plans[0].CommitmentCount != 7 || len(plans[0].Axes) != 3 {
			t.Fatalf("demo plans %v %+v", err, plans)
		}
		v, err := plan.PlanView(ctx, db, plans[0].ID, plan.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		values, milestones := 0, 0
		for _, c := range v.Commitments {
			milestones += len(c.Milestones)
			for _, ind := range c.Indicators {
				values += len(ind.Values)
			}
			if c.LeadOrganisationID == "" || c.IRM.Verifiable != "yes" {
				t.Errorf("%s: lead %q, IRM %+v", c.Reference, c.LeadOrganisation, c.IRM)
			}
		}
		if values != 5 || milestones != 15 || v.Summary.ByState[plan.StateDone] == 0 || v.Commitments[0].Reference != "FR0051" {
			t.Errorf("demo plan: %d values, %d milestones, summary %+v", values, milestones, v.Summary)
		}
		agent, err := demoAgent(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		lead, _, err := plan.OrganisationCommitments(ctx, db, agent.OrganisationID, "")
		if err != nil || len(lead) != 2 {
			t.Fatalf("the demo agent's ministry leads %d commitments (%v)", len(lead), err)
		}
		if updates, _ := plan.Updates(ctx, db, lead[0].ID); len(updates) != 1 {
			t.Errorf("%s has %d updates", lead[0].Reference, len(updates))
		}
	})
}

func demoAgent(ctx context.Context, db *store.DB) (plan.Editor, error) {
	var e plan.Editor
	err := db.QueryRowContext(ctx, `SELECT id, organisation_id FROM users WHERE email = $1`, demo.PlanAgentEmail).Scan(&e.UserID, &e.OrganisationID)
	return e, err
}

// The directory's data export and erasure reach what the plan holds
// about a person's account.
func TestPersonHooksExportAndErase(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		c := w.commitment(t, "FR0001")
		if err := plan.Follow(ctx, db, c.ID, w.agentUser.ID); err != nil {
			t.Fatal(err)
		}
		txDo(t, db, func(tx *sql.Tx) error {
			_, err := plan.PostUpdate(ctx, tx, w.change(w.agent), c.ID, plan.UpdateInput{Body: "Point", Status: "on_track"})
			return err
		})
		hooks := plan.PersonHooks()
		var p *directory.Person
		txDo(t, db, func(tx *sql.Tx) (err error) {
			p, err = directory.CreatePerson(ctx, tx, directory.PersonInput{FirstName: "Nadia", LastName: "Agent", Email: w.agentUser.Email})
			return err
		})
		section, data, err := hooks.Export(ctx, db, p)
		raw, _ := json.Marshal(data)
		if err != nil || section != "plan" || !strings.Contains(string(raw), c.ID) || !strings.Contains(string(raw), `"body":"Point"`) {
			t.Fatalf("export %s %s %v", section, raw, err)
		}
		txDo(t, db, func(tx *sql.Tx) error { return hooks.Erase(ctx, tx, p) })
		if n := count(t, db, `SELECT COUNT(*) FROM commitment_followers`) +
			count(t, db, `SELECT COUNT(*) FROM commitment_history WHERE actor_label LIKE '%@%'`) +
			count(t, db, `SELECT COUNT(*) FROM commitment_updates WHERE author_label <> ''`); n != 1 {
			// The organiser's creation of the commitment keeps its label.
			t.Errorf("%d traces left, want only the organiser's", n)
		}
		if updates, _ := plan.Updates(ctx, db, c.ID); len(updates) != 1 || updates[0].Organisation != w.lead.Name {
			t.Errorf("the update is no longer the administration's: %+v", updates)
		}
	})
}
