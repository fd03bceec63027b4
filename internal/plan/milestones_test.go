package plan_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestComputeProgress(t *testing.T) {
	t.Parallel()
	ms := func(specs ...string) []*plan.Milestone {
		// spec: status, due day, weight as "done/2022-01-01/2"
		var out []*plan.Milestone
		for _, s := range specs {
			parts := strings.Split(s, "/")
			m := &plan.Milestone{Status: parts[0], DueOn: plan.Date(parts[1]), Weight: 1}
			if len(parts) > 2 {
				m.Weight = int(parts[2][0] - '0')
			}
			out = append(out, m)
		}
		return out
	}
	today := plan.Date("2024-06-15")
	cases := []struct {
		name      string
		ms        []*plan.Milestone
		percent   int
		late      int
		weighted  bool
		state     string
		doneCount int
	}{
		{"no milestone", nil, 0, 0, false, plan.StateNotStarted, 0},
		{"none started", ms("not_started/2025-01-01", "not_started/"), 0, 0, false, plan.StateNotStarted, 0},
		{"one of three", ms("done/2024-01-01", "in_progress/2025-01-01", "not_started/2025-06-01"), 33, 0, false, plan.StateInProgress, 1},
		{"started only", ms("in_progress/2025-01-01"), 0, 0, false, plan.StateInProgress, 0},
		{"all done, even past due", ms("done/2020-01-01", "done/2021-01-01"), 100, 0, false, plan.StateDone, 2},
		{"weights count", ms("done/2024-01-01/3", "not_started/2025-01-01/1"), 75, 0, true, plan.StateInProgress, 1},
		{"heavy milestone left", ms("done/2024-01-01/1", "in_progress/2025-01-01/3"), 25, 0, true, plan.StateInProgress, 1},
		{"due today is not late", ms("in_progress/2024-06-15"), 0, 0, false, plan.StateInProgress, 0},
		{"due yesterday is late", ms("done/2024-01-01", "in_progress/2024-06-14"), 50, 1, false, plan.StateLate, 1},
		{"no due day is never late", ms("not_started/"), 0, 0, false, plan.StateNotStarted, 0},
		{"rounded down", ms("done/", "done/", "not_started/"), 66, 0, false, plan.StateInProgress, 2},
	}
	for _, c := range cases {
		p := plan.ComputeProgress(c.ms, today)
		if p.Percent != c.percent || p.LateMilestones != c.late || p.Late != (c.late > 0) || p.Weighted != c.weighted ||
			p.State() != c.state || p.Done != c.doneCount || p.Milestones != len(c.ms) {
			t.Errorf("%s: %+v (state %s)", c.name, p, p.State())
		}
		late := 0
		for _, m := range c.ms {
			if m.Late {
				late++
				if m.Shown() != plan.MilestoneLate {
					t.Errorf("%s: a late milestone shows %s", c.name, m.Shown())
				}
			}
		}
		if late != c.late {
			t.Errorf("%s: %d milestones marked late, want %d", c.name, late, c.late)
		}
	}
}

func TestMilestoneValidationReportsEachField(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.commitment(t, "FR0001")
		tomorrow := plan.DateOf(time.Now().UTC().AddDate(0, 0, 1))
		cases := []struct {
			name       string
			in         plan.MilestoneInput
			field, key string
		}{
			{"title missing", plan.MilestoneInput{Title: " "}, "title", "error.required"},
			{"title too long", plan.MilestoneInput{Title: strings.Repeat("x", 501)}, "title", "error.too_long"},
			{"bad due day", plan.MilestoneInput{Title: "A", DueOn: "2022-13-01"}, "due_on", "error.plan_date_invalid"},
			{"label too long", plan.MilestoneInput{Title: "A", DueOn: "2022-12-31", DueLabel: strings.Repeat("x", 61)}, "due_label", "error.too_long"},
			{"label not a period", plan.MilestoneInput{Title: "A", DueLabel: "bientôt"}, "due_label", "error.plan_period_invalid"},
			{"unknown status", plan.MilestoneInput{Title: "A", Status: "blocked"}, "status", "error.status_invalid"},
			{"late is computed", plan.MilestoneInput{Title: "A", Status: "late"}, "status", "error.plan_status_late_computed"},
			{"bad completion day", plan.MilestoneInput{Title: "A", Status: "done", CompletedOn: "hier"}, "completed_on", "error.plan_date_invalid"},
			{"completed tomorrow", plan.MilestoneInput{Title: "A", Status: "done", CompletedOn: tomorrow}, "completed_on", "error.plan_date_in_future"},
			{"negative weight", plan.MilestoneInput{Title: "A", Weight: -1}, "weight", "error.plan_weight_invalid"},
			{"weight too high", plan.MilestoneInput{Title: "A", Weight: 101}, "weight", "error.plan_weight_invalid"},
		}
		for _, tc := range cases {
			err := inTx(t, db, func(tx *sql.Tx) error {
				_, err := plan.CreateMilestone(t.Context(), tx, w.change(w.agent), c.ID, tc.in)
				return err
			})
			if fe := fieldErrs(t, err); len(fe) != 1 || fe[tc.field] != tc.key {
				t.Errorf("%s: errors %v, want %s=%s", tc.name, fe, tc.field, tc.key)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM milestones`); n != 0 {
			t.Fatalf("%d milestones stored from bad input", n)
		}
		// A period alone gives the due day; done gets today's completion;
		// a weight of 0 is 1; leaving "done" clears the completion day.
		m := w.milestone(t, c.ID, plan.MilestoneInput{Title: "Ouvrir le portail", DueLabel: "Fin 2018", Status: "done"})
		if m.DueOn != "2018-12-31" || m.DueLabel != "Fin 2018" || m.CompletedOn != plan.Today() || m.Weight != 1 || m.Late {
			t.Errorf("stored as %+v", m)
		}
		in := m.Input()
		in.Status = plan.MilestoneInProgress
		txDo(t, db, func(tx *sql.Tx) (err error) {
			m, err = plan.UpdateMilestone(t.Context(), tx, w.change(w.agent), m.ID, in)
			return err
		})
		if m.CompletedOn != "" || !m.Late || m.Shown() != plan.MilestoneLate {
			t.Errorf("reopened past due: %+v", m)
		}
		// Late is computed, never stored.
		if n := count(t, db, `SELECT COUNT(*) FROM milestones WHERE status NOT IN ('not_started', 'in_progress', 'done')`); n != 0 {
			t.Errorf("%d milestones stored with another status", n)
		}
	})
}

func TestCommitmentProgressFollowsItsMilestones(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.commitment(t, "FR0001")
		a := w.milestone(t, c.ID, plan.MilestoneInput{Title: "A", DueOn: "2022-01-31", Weight: 3})
		w.milestone(t, c.ID, plan.MilestoneInput{Title: "B", DueOn: "2022-12-31"})
		got, err := plan.GetCommitment(t.Context(), db, c.ID, "2022-06-01")
		if err != nil {
			t.Fatal(err)
		}
		if p := got.Progress; p.Percent != 0 || !p.Late || p.LateMilestones != 1 || !got.Milestones[0].Late || got.Milestones[1].Late {
			t.Errorf("before: %+v", p)
		}
		in := a.Input()
		in.Status, in.CompletedOn = plan.MilestoneDone, "2022-02-15"
		txDo(t, db, func(tx *sql.Tx) error {
			_, err := plan.UpdateMilestone(t.Context(), tx, w.change(w.agent), a.ID, in)
			return err
		})
		got, _ = plan.GetCommitment(t.Context(), db, c.ID, "2022-06-01")
		if p := got.Progress; p.Percent != 75 || p.Late || !p.Weighted || p.State() != plan.StateInProgress {
			t.Errorf("after A done: %+v", p)
		}
		got, _ = plan.GetCommitment(t.Context(), db, c.ID, "2023-01-01")
		if p := got.Progress; p.Percent != 75 || !p.Late || p.State() != plan.StateLate {
			t.Errorf("a year later: %+v", p)
		}
	})
}
