package plan

import (
	"context"
	"database/sql"
	"time"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/store"
)

// Alert kinds.
const (
	// AlertStale: the lead posted no progress update for too long.
	AlertStale = "stale"
	// AlertLate: a milestone is past due and not done.
	AlertLate = "late"
)

// Alert is a flag the reminders raise for organisers. It closes when the
// lead posts an update (stale), when the milestone is done or postponed
// (late), or when an organiser dismisses it.
type Alert struct {
	ID                 string `json:"id"`
	Kind               string `json:"kind"`
	PlanID             string `json:"plan_id"`
	CommitmentID       string `json:"commitment_id"`
	Reference          string `json:"reference"`
	CommitmentTitle    string `json:"commitment_title"`
	LeadOrganisationID string `json:"lead_organisation_id"`
	LeadOrganisation   string `json:"lead_organisation"`
	MilestoneID        string `json:"milestone_id,omitempty"`
	MilestoneTitle     string `json:"milestone_title,omitempty"`
	// Detail is the milestone's due day (late), or the day of the last
	// update or of the start of the plan (stale).
	Detail     string     `json:"detail"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
}

// OpenAlerts lists the alerts still open, of one plan or of all ("").
func OpenAlerts(ctx context.Context, q store.Querier, planID string) ([]*Alert, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.kind, c.plan_id, a.commitment_id, COALESCE(c.reference, c.number), c.title,
		COALESCE(c.lead_organisation_id, ''), COALESCE(o.name, ''), COALESCE(a.milestone_id, ''), COALESCE(m.title, ''), a.detail,
		a.created_at, a.resolved_at
		FROM plan_alerts a JOIN commitments c ON c.id = a.commitment_id
		LEFT JOIN organisations o ON o.id = c.lead_organisation_id LEFT JOIN milestones m ON m.id = a.milestone_id
		WHERE a.resolved_at IS NULL AND ($1 = '' OR c.plan_id = $1) ORDER BY a.created_at, a.id`, planID)
	if err != nil {
		return nil, err
	}
	out := []*Alert{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		a := &Alert{}
		out = append(out, a)
		return rows.Scan(&a.ID, &a.Kind, &a.PlanID, &a.CommitmentID, &a.Reference, &a.CommitmentTitle, &a.LeadOrganisationID,
			&a.LeadOrganisation, &a.MilestoneID, &a.MilestoneTitle, &a.Detail, &a.CreatedAt, &a.ResolvedAt)
	})
	return out, err
}

// ResolveAlert closes an open alert (organisers).
func ResolveAlert(ctx context.Context, q store.Querier, e Editor, id string) error {
	if err := e.mustManage(); err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `UPDATE plan_alerts SET resolved_at = $1, resolved_by = $2 WHERE id = $3 AND resolved_at IS NULL`,
		store.Now(), e.Label, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return audit.Record(ctx, q, audit.Actor{ID: e.UserID, Label: e.Label}, "plan.alert.resolve", "plan_alert", id, nil)
}

// resolveAlerts closes the open alerts matching cond (with $1 = arg).
func resolveAlerts(ctx context.Context, tx *sql.Tx, ch Change, cond, arg string) error {
	_, err := tx.ExecContext(ctx, `UPDATE plan_alerts SET resolved_at = $2, resolved_by = $3 WHERE resolved_at IS NULL AND `+cond,
		arg, store.Now(), ch.Label)
	return err
}
