package plan

import (
	"context"
	"database/sql"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
)

// ReminderJobKind is the daily job that reminds administrations.
const ReminderJobKind = "plan.reminders"

// DefaultStaleAfter is how long a lead may go without posting an update
// before it is reminded.
const DefaultStaleAfter = 90 * 24 * time.Hour

// RegisterJobs registers the reminders' job on the queue and schedules it
// daily. staleAfter (DefaultStaleAfter when not positive) is how long a
// commitment may go without a progress update. The job reads the queue's
// clock, which tests set.
func RegisterJobs(q *jobs.Queue, db *store.DB, cat *i18n.Catalog, baseURL string, staleAfter time.Duration) {
	m := &Mailer{Cat: cat, BaseURL: baseURL}
	q.Register(ReminderJobKind, func(ctx context.Context, _ jobs.Job) error {
		_, err := SendReminders(ctx, db, m, staleAfter, q.Now())
		return err
	})
	q.Every(ReminderJobKind, 24*time.Hour)
}

// ReminderResult counts what a reminders' run raised and sent.
type ReminderResult struct {
	Stale int `json:"stale"`
	Late  int `json:"late"`
	Mails int `json:"mails"`
}

// reminder is one alert being raised.
type reminder struct {
	key, kind, commitmentID, milestoneID, detail string
	lead, ref, title, milestone                  string
	days                                         int
}

// SendReminders raises, for the commitments of plans in implementation,
// an alert for each commitment whose lead has posted no update for
// staleAfter (counted from its last update, its creation or the start of
// its plan, whichever is latest; again after each further staleAfter), and
// for each milestone past due and not done — each once, whatever the
// number of runs and processes (alert_key is unique). The agents of the
// lead administration get one mail listing their new alerts; organisers
// see the alerts (OpenAlerts). Everything is written in one transaction.
func SendReminders(ctx context.Context, db *store.DB, m *Mailer, staleAfter time.Duration, now time.Time) (ReminderResult, error) {
	if staleAfter <= 0 {
		staleAfter = DefaultStaleAfter
	}
	now = now.UTC().Truncate(time.Microsecond)
	var res ReminderResult
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res = ReminderResult{}
		due, err := dueReminders(ctx, tx, staleAfter, now)
		if err != nil {
			return err
		}
		byLead := map[string][]reminder{}
		var leads []string
		for _, r := range due {
			out, err := tx.ExecContext(ctx, `INSERT INTO plan_alerts (id, alert_key, kind, commitment_id, milestone_id, detail, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (alert_key) DO NOTHING`,
				store.NewID(), r.key, r.kind, r.commitmentID, nullable(r.milestoneID), r.detail, now)
			if err != nil {
				return store.Map(err)
			}
			if n, _ := out.RowsAffected(); n == 0 {
				continue
			}
			if r.kind == AlertStale {
				res.Stale++
			} else {
				res.Late++
			}
			if r.lead != "" {
				if _, ok := byLead[r.lead]; !ok {
					leads = append(leads, r.lead)
				}
				byLead[r.lead] = append(byLead[r.lead], r)
			}
		}
		for _, lead := range leads {
			n, err := mailAgents(ctx, tx, m, lead, byLead[lead])
			if err != nil {
				return err
			}
			res.Mails += n
		}
		return nil
	})
	return res, err
}

// dueReminders lists the alerts that are due now, raised already or not.
func dueReminders(ctx context.Context, tx *sql.Tx, staleAfter time.Duration, now time.Time) ([]reminder, error) {
	var out []reminder
	rows, err := tx.QueryContext(ctx, `SELECT c.id, COALESCE(c.lead_organisation_id, ''), COALESCE(c.reference, c.number), c.title,
		p.starts_on, c.created_at, c.last_update_at
		FROM commitments c JOIN plans p ON p.id = c.plan_id
		WHERE p.status = 'implementation' AND c.status <> 'done' ORDER BY c.id`)
	if err != nil {
		return nil, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var r reminder
		var starts Date
		var created time.Time
		var updated *time.Time
		if err := rows.Scan(&r.commitmentID, &r.lead, &r.ref, &r.title, &starts, &created, &updated); err != nil {
			return err
		}
		last := created
		if updated != nil && updated.After(last) {
			last = *updated
		}
		if s := starts.Time(); s.After(last) {
			last = s
		}
		since := now.Sub(last)
		if since < staleAfter {
			return nil
		}
		r.kind, r.detail, r.days = AlertStale, string(DateOf(last)), int(since/(24*time.Hour))
		r.key = fmt.Sprintf("stale:%s:%d:%d", r.commitmentID, last.Unix(), int(since/staleAfter))
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT c.id, COALESCE(c.lead_organisation_id, ''), COALESCE(c.reference, c.number), c.title,
		m.id, m.title, m.due_on
		FROM milestones m JOIN commitments c ON c.id = m.commitment_id JOIN plans p ON p.id = c.plan_id
		WHERE p.status = 'implementation' AND m.status <> 'done' AND m.due_on <> '' AND m.due_on < $1 ORDER BY m.due_on, m.id`,
		DateOf(now))
	if err != nil {
		return nil, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		r := reminder{kind: AlertLate}
		if err := rows.Scan(&r.commitmentID, &r.lead, &r.ref, &r.title, &r.milestoneID, &r.milestone, &r.detail); err != nil {
			return err
		}
		// The due day is part of the key: a milestone postponed and late
		// again is reminded again, never twice for the same due day.
		r.key = "late:" + r.milestoneID + ":" + r.detail
		out = append(out, r)
		return nil
	})
	return out, err
}

// mailAgents queues one mail to each agent of the lead administration,
// listing the new alerts, and returns how many it queued.
func mailAgents(ctx context.Context, tx *sql.Tx, m *Mailer, lead string, alerts []reminder) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT email, name, language FROM users
		WHERE role = 'agent' AND organisation_id = $1 AND disabled = FALSE ORDER BY id`, lead)
	if err != nil {
		return 0, err
	}
	type agent struct{ email, name, lang string }
	var agents []agent
	err = eachRow(rows, func(rows *sql.Rows) error {
		var a agent
		if err := rows.Scan(&a.email, &a.name, &a.lang); err != nil {
			return err
		}
		agents = append(agents, a)
		return nil
	})
	if err != nil || len(agents) == 0 {
		return 0, err
	}
	for _, a := range agents {
		lang := a.lang
		if !i18n.Supported(lang) {
			lang = i18n.Default
		}
		var b strings.Builder
		b.WriteString(m.Cat.T(lang, "mail.plan.reminder.body", "name", a.name))
		b.WriteString("\n")
		for _, r := range alerts {
			commitment := r.title
			if r.ref != "" {
				commitment = r.ref + " — " + r.title
			}
			link := m.CommitmentURL(r.commitmentID)
			b.WriteString("\n")
			if r.kind == AlertStale {
				b.WriteString(m.Cat.T(lang, "mail.plan.reminder.stale", "commitment", commitment, "days", r.days, "link", link))
			} else {
				b.WriteString(m.Cat.T(lang, "mail.plan.reminder.late", "commitment", commitment, "milestone", r.milestone,
					"due", r.detail, "link", link))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n" + m.Cat.T(lang, "mail.plan.reminder.footer"))
		if _, err := mail.Queue(ctx, tx, mail.Message{
			To:      (&netmail.Address{Name: a.name, Address: a.email}).String(),
			Subject: m.Cat.T(lang, "mail.plan.reminder.subject", "count", len(alerts)),
			Text:    b.String(),
		}); err != nil {
			return 0, err
		}
	}
	return len(agents), nil
}
