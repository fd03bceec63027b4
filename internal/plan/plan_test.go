package plan_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestPlanValidationReportsEachField(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		cases := []struct {
			name       string
			edit       func(*plan.PlanInput)
			field, key string
		}{
			{"title missing", func(in *plan.PlanInput) { in.Title = " \n " }, "title", "error.required"},
			{"title too long", func(in *plan.PlanInput) { in.Title = strings.Repeat("é", 301) }, "title", "error.too_long"},
			{"english title too long", func(in *plan.PlanInput) { in.TitleEN = strings.Repeat("x", 301) }, "title_en", "error.too_long"},
			{"description too long", func(in *plan.PlanInput) { in.Description = strings.Repeat("x", 20001) }, "description", "error.too_long"},
			{"start missing", func(in *plan.PlanInput) { in.StartsOn = "" }, "starts_on", "error.required"},
			{"start not a date", func(in *plan.PlanInput) { in.StartsOn = "2021-02-30" }, "starts_on", "error.plan_date_invalid"},
			{"start out of range", func(in *plan.PlanInput) { in.StartsOn = "1921-01-01" }, "starts_on", "error.plan_date_invalid"},
			{"end missing", func(in *plan.PlanInput) { in.EndsOn = "" }, "ends_on", "error.required"},
			{"end garbled", func(in *plan.PlanInput) { in.EndsOn = "fin 2023" }, "ends_on", "error.plan_date_invalid"},
			{"end before start", func(in *plan.PlanInput) { in.EndsOn = "2020-12-31" }, "ends_on", "error.plan_ends_before_start"},
			{"end on start", func(in *plan.PlanInput) { in.EndsOn = in.StartsOn }, "ends_on", "error.plan_ends_before_start"},
			{"unknown status", func(in *plan.PlanInput) { in.Status = "draft" }, "status", "error.status_invalid"},
			{"axis without title", func(in *plan.PlanInput) { in.Axes = []plan.AxisInput{{Title: "A"}, {Title: " "}} }, "axes.1.title", "error.required"},
			{"axis title too long", func(in *plan.PlanInput) { in.Axes = []plan.AxisInput{{Title: strings.Repeat("x", 301)}} }, "axes.0.title", "error.too_long"},
			{"axis english title too long", func(in *plan.PlanInput) { in.Axes = []plan.AxisInput{{Title: "A", TitleEN: strings.Repeat("x", 301)}} },
				"axes.0.title_en", "error.too_long"},
			{"too many axes", func(in *plan.PlanInput) { in.Axes = make([]plan.AxisInput, 51); fillAxes(in.Axes) }, "axes", "error.plan_too_many_axes"},
			{"axis id on creation", func(in *plan.PlanInput) { in.Axes = []plan.AxisInput{{ID: "x", Title: "A"}} }, "axes.0.id", "error.plan_axis_unknown"},
		}
		for _, c := range cases {
			in := plan.PlanInput{Title: "Plan 2024-2026", StartsOn: "2024-01-01", EndsOn: "2026-12-31"}
			c.edit(&in)
			err := inTx(t, db, func(tx *sql.Tx) error {
				_, err := plan.CreatePlan(t.Context(), tx, w.change(w.organiser), in)
				return err
			})
			if fe := fieldErrs(t, err); len(fe) != 1 || fe[c.field] != c.key {
				t.Errorf("%s: errors %v, want %s=%s", c.name, fe, c.field, c.key)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM plans`); n != 1 {
			t.Fatalf("%d plans stored, want only the world's", n)
		}
		// French dates are read, and the status defaults to co-creation.
		var p *plan.Plan
		txDo(t, db, func(tx *sql.Tx) (err error) {
			p, err = plan.CreatePlan(t.Context(), tx, w.change(w.organiser), plan.PlanInput{Title: " Plan\n2024 ", StartsOn: "01/01/2024", EndsOn: "31/12/2026"})
			return err
		})
		if p.Title != "Plan 2024" || p.StartsOn != "2024-01-01" || p.EndsOn != "2026-12-31" || p.Status != plan.StatusCoCreation || len(p.Axes) != 0 {
			t.Errorf("plan stored as %+v", p)
		}
	})
}

func fillAxes(axes []plan.AxisInput) {
	for i := range axes {
		axes[i].Title = "Axe"
	}
}

func TestPlanAxesAreOrderedRenamedAndKeptWhileUsed(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		transparency, participation := w.plan.Axes[0], w.plan.Axes[1]
		if transparency.Title != "Transparence" || transparency.Position != 1 || participation.Position != 2 {
			t.Fatalf("axes %+v %+v", transparency, participation)
		}
		c := w.commitment(t, "FR0001")
		txDo(t, db, func(tx *sql.Tx) error {
			in := c.Input()
			in.AxisID = participation.ID
			_, err := plan.UpdateCommitment(ctx, tx, w.change(w.organiser), c.ID, in)
			return err
		})
		update := func(axes []plan.AxisInput) (*plan.Plan, error) {
			var p *plan.Plan
			err := inTx(t, db, func(tx *sql.Tx) (err error) {
				in := w.plan.Input()
				in.Axes = axes
				p, err = plan.UpdatePlan(ctx, tx, w.change(w.organiser), w.plan.ID, in)
				return err
			})
			return p, err
		}
		// Reorder, rename, add one.
		p, err := update([]plan.AxisInput{{ID: participation.ID, Title: "Participation citoyenne"}, {Title: "Climat"}, {ID: transparency.ID, Title: "Transparence"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Axes) != 3 || p.Axes[0].ID != participation.ID || p.Axes[0].Title != "Participation citoyenne" ||
			p.Axes[1].Title != "Climat" || p.Axes[2].ID != transparency.ID || p.Axes[2].Position != 3 {
			t.Fatalf("axes after update: %+v %+v %+v", p.Axes[0], p.Axes[1], p.Axes[2])
		}
		// The axis a commitment uses cannot go; an unknown id is refused.
		_, err = update([]plan.AxisInput{{ID: transparency.ID, Title: "Transparence"}})
		if fe := fieldErrs(t, err); fe["axes"] != "error.plan_axis_in_use" {
			t.Errorf("removing a used axis: %v", fe)
		}
		_, err = update([]plan.AxisInput{{ID: participation.ID, Title: "P"}, {ID: "nope", Title: "X"}})
		if fe := fieldErrs(t, err); fe["axes.1.id"] != "error.plan_axis_unknown" {
			t.Errorf("unknown axis id: %v", fe)
		}
		// Nil axes keep them; an unused axis goes.
		p, err = update(nil)
		if err != nil || len(p.Axes) != 3 {
			t.Fatalf("nil axes: %v, %d axes", err, len(p.Axes))
		}
		p, err = update([]plan.AxisInput{{ID: participation.ID, Title: "Participation"}})
		if err != nil || len(p.Axes) != 1 {
			t.Fatalf("removing unused axes: %v, %+v", err, p.Axes)
		}
		plans, err := plan.ListPlans(ctx, db)
		if err != nil || len(plans) != 1 || plans[0].CommitmentCount != 1 || len(plans[0].Axes) != 1 {
			t.Fatalf("ListPlans: %v %+v", err, plans)
		}
		if _, err := plan.GetPlan(ctx, db, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetPlan(unknown): %v", err)
		}
	})
}

func TestOnlyOrganisersManagePlans(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, e := range []plan.Editor{w.agent, w.member, {}} {
			err := inTx(t, db, func(tx *sql.Tx) error {
				_, err := plan.CreatePlan(t.Context(), tx, w.change(e), plan.PlanInput{Title: "P", StartsOn: "2024-01-01", EndsOn: "2025-01-01"})
				return err
			})
			if !errors.Is(err, plan.ErrForbidden) {
				t.Errorf("%s creates a plan: %v", e.Role, err)
			}
			err = inTx(t, db, func(tx *sql.Tx) error {
				_, err := plan.UpdatePlan(t.Context(), tx, w.change(e), w.plan.ID, w.plan.Input())
				return err
			})
			if !errors.Is(err, plan.ErrForbidden) {
				t.Errorf("%s updates a plan: %v", e.Role, err)
			}
		}
		txDo(t, db, func(tx *sql.Tx) error {
			in := w.plan.Input()
			in.Status = plan.StatusClosed
			p, err := plan.UpdatePlan(t.Context(), tx, w.change(w.admin), w.plan.ID, in)
			if err == nil && p.Status != plan.StatusClosed {
				t.Errorf("status %s", p.Status)
			}
			return err
		})
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action IN ('plan.create', 'plan.update')`); n != 2 {
			t.Errorf("%d plan changes audited, want 2", n)
		}
	})
}
