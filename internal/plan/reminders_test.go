package plan_test

import (
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// The reminders run as the daily job, on the queue's clock: each stale
// commitment and each late milestone raises one alert and one mail to the
// lead's agents, never twice.
func TestRemindersRemindOnceAndFlagForOrganisers(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		base := time.Now().UTC()
		day := 24 * time.Hour
		backdate := func(c *plan.Commitment, ago time.Duration) {
			if _, err := db.ExecContext(ctx, `UPDATE commitments SET created_at = $1 WHERE id = $2`, base.Add(-ago), c.ID); err != nil {
				t.Fatal(err)
			}
		}
		a, b, fresh := w.commitment(t, "FR0001"), w.commitment(t, "FR0002"), w.commitment(t, "FR0003")
		txDo(t, db, func(tx *sql.Tx) error {
			in := b.Input()
			in.LeadOrganisationID = w.other.ID
			_, err := plan.UpdateCommitment(ctx, tx, w.change(w.organiser), b.ID, in)
			return err
		})
		backdate(a, 100*day)
		backdate(b, 95*day)
		backdate(fresh, 10*day)
		late := w.milestone(t, a.ID, plan.MilestoneInput{Title: "Publier", DueOn: "2022-06-30"})
		soon := w.milestone(t, a.ID, plan.MilestoneInput{Title: "Évaluer", DueOn: plan.DateOf(base.Add(30 * day))})
		w.milestone(t, a.ID, plan.MilestoneInput{Title: "Fait", DueOn: "2022-01-31", Status: "done", CompletedOn: "2022-01-15"})
		// A plan being written is not reminded.
		var draft *plan.Commitment
		txDo(t, db, func(tx *sql.Tx) error {
			p, err := plan.CreatePlan(ctx, tx, w.change(w.organiser), plan.PlanInput{Title: "Plan 2024", StartsOn: "2024-01-01", EndsOn: "2025-12-31"})
			if err != nil {
				return err
			}
			draft, err = plan.CreateCommitment(ctx, tx, w.change(w.organiser), p.ID, plan.CommitmentInput{Title: "Brouillon", LeadOrganisationID: w.lead.ID})
			if err != nil {
				return err
			}
			_, err = plan.CreateMilestone(ctx, tx, w.change(w.organiser), draft.ID, plan.MilestoneInput{Title: "Vieux", DueOn: "2020-01-01"})
			return err
		})
		backdate(draft, 400*day)

		q := jobs.New(db, slog.New(slog.DiscardHandler), jobs.Hooks{})
		plan.RegisterJobs(q, db, w.mailer.Cat, w.mailer.BaseURL, 0)
		run := func(at time.Time) {
			t.Helper()
			q.Now = func() time.Time { return at }
			if err := q.SchedulePeriodic(ctx); err != nil {
				t.Fatal(err)
			}
			// Run what is due; the queued mails have no sender here and fail.
			for range 50 {
				worked, err := q.RunOnce(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !worked {
					break
				}
			}
		}
		mailsTo := func(email string) []string {
			rows, err := db.QueryContext(ctx, `SELECT body_text FROM mails WHERE recipient = $1 ORDER BY created_at`, email)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var s string
				rows.Scan(&s)
				out = append(out, s)
			}
			return out
		}
		openAlerts := func() map[string]string {
			list, err := plan.OpenAlerts(ctx, db, "")
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, al := range list {
				out[al.Reference+"/"+al.Kind+"/"+al.MilestoneTitle] = al.LeadOrganisation
			}
			return out
		}

		run(base.Add(time.Hour))
		want := map[string]string{"FR0001/stale/": w.lead.Name, "FR0001/late/Publier": w.lead.Name, "FR0002/stale/": w.other.Name}
		if got := openAlerts(); len(got) != 3 || got["FR0001/stale/"] != want["FR0001/stale/"] || got["FR0001/late/Publier"] == "" ||
			got["FR0002/stale/"] != w.other.Name {
			t.Fatalf("open alerts %v, want %v", got, want)
		}
		agentMails := mailsTo("agent@economie.example.org")
		if len(agentMails) != 1 || !strings.Contains(agentMails[0], "aucun point d'avancement depuis 100 jours") ||
			!strings.Contains(agentMails[0], "« Publier » devait être réalisé le 2022-06-30") ||
			!strings.Contains(agentMails[0], "https://forum.example.org/commitments/"+a.ID) || strings.Contains(agentMails[0], "FR0002") {
			t.Fatalf("lead agent's mails: %q", agentMails)
		}
		if m := mailsTo("agent@culture.example.org"); len(m) != 1 || !strings.Contains(m[0], "FR0002") {
			t.Errorf("other agent's mails: %q", m)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM mails`); n != 2 {
			t.Errorf("%d mails, want 2 (one per agent)", n)
		}

		// The next day: nothing new, nobody reminded twice.
		run(base.Add(25 * time.Hour))
		if n := count(t, db, `SELECT COUNT(*) FROM mails`); n != 2 || len(openAlerts()) != 3 {
			t.Errorf("second day: %d mails, alerts %v", n, openAlerts())
		}
		// Even a second run of the same day (another process) adds nothing.
		res, err := plan.SendReminders(ctx, db, w.mailer, 0, base.Add(26*time.Hour))
		if err != nil || res != (plan.ReminderResult{}) {
			t.Errorf("a second run: %+v %v", res, err)
		}

		// The agent reports and finishes the late milestone: those alerts close.
		txDo(t, db, func(tx *sql.Tx) error {
			if _, err := plan.PostUpdate(ctx, tx, w.change(w.agent), a.ID, plan.UpdateInput{Body: "Avancement", Status: "on_track"}); err != nil {
				return err
			}
			in := late.Input()
			in.Status = plan.MilestoneDone
			_, err := plan.UpdateMilestone(ctx, tx, w.change(w.agent), late.ID, in)
			return err
		})
		if got := openAlerts(); len(got) != 1 || got["FR0002/stale/"] == "" {
			t.Fatalf("after the update: %v", got)
		}

		// A month later the next milestone falls late: one new reminder.
		run(base.Add(32 * day))
		agentMails = mailsTo("agent@economie.example.org")
		if len(agentMails) != 2 || !strings.Contains(agentMails[1], "« Évaluer »") || strings.Contains(agentMails[1], "point d'avancement depuis") {
			t.Fatalf("a month later: %q", agentMails)
		}
		run(base.Add(33 * day))
		if n := len(mailsTo("agent@economie.example.org")); n != 2 {
			t.Errorf("reminded %d times", n)
		}
		// Postponed, then late again: a new due day is a new reminder.
		txDo(t, db, func(tx *sql.Tx) error {
			in := soon.Input()
			in.DueOn = plan.DateOf(base.Add(40 * day))
			_, err := plan.UpdateMilestone(ctx, tx, w.change(w.agent), soon.ID, in)
			return err
		})
		if got := openAlerts(); got["FR0001/late/Évaluer"] != "" {
			t.Errorf("postponing did not close the alert: %v", got)
		}
		run(base.Add(42 * day))
		if n := len(mailsTo("agent@economie.example.org")); n != 3 {
			t.Errorf("late again after postponing: %d mails", n)
		}
		// Organisers dismiss an alert; agents cannot.
		list, _ := plan.OpenAlerts(ctx, db, w.plan.ID)
		var stale string
		for _, al := range list {
			if al.Reference == "FR0002" {
				stale = al.ID
			}
		}
		if err := plan.ResolveAlert(ctx, db, w.agent, stale); !errors.Is(err, plan.ErrForbidden) {
			t.Errorf("agent dismisses an alert: %v", err)
		}
		if err := plan.ResolveAlert(ctx, db, w.organiser, stale); err != nil {
			t.Fatal(err)
		}
		if err := plan.ResolveAlert(ctx, db, w.organiser, stale); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("dismissing twice: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM plan_alerts WHERE commitment_id = $1`, draft.ID); n != 0 {
			t.Errorf("a plan in co-creation got %d alerts", n)
		}
	})
}
