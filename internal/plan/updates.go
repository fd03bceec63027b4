package plan

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Update is a dated progress report on a commitment. The public sees the
// organisation it came from; its author (AuthorID, AuthorLabel) is for
// organisers and is not in the JSON.
type Update struct {
	ID             string      `json:"id"`
	CommitmentID   string      `json:"commitment_id"`
	Body           string      `json:"body"`
	Status         string      `json:"status"`
	OrganisationID string      `json:"organisation_id"`
	Organisation   string      `json:"organisation"`
	Evidence       []*Evidence `json:"evidence"`
	CreatedAt      time.Time   `json:"created_at"`
	AuthorID       string      `json:"-"`
	AuthorLabel    string      `json:"-"`
}

// UpdateInput is a progress update as a form or the API gives it, with
// its evidence (links or documents).
type UpdateInput struct {
	Body     string          `json:"body"`
	Status   string          `json:"status"`
	Evidence []EvidenceInput `json:"evidence"`
}

// maxUpdateEvidence bounds the evidence of one update.
const maxUpdateEvidence = 10

func (in *UpdateInput) check() (valid.Errors, []string) {
	fe := valid.Errors{}
	in.Body = paragraphs(in.Body)
	checkText(fe, "body", in.Body, true, 10000)
	switch {
	case in.Status == "":
		fe["status"] = "error.required"
	case !contains(UpdateStatuses, in.Status):
		fe["status"] = "error.status_invalid"
	}
	if len(in.Evidence) > maxUpdateEvidence {
		fe["evidence"] = "error.plan_too_much_evidence"
	}
	mimes := make([]string, len(in.Evidence))
	for i := range in.Evidence {
		mimes[i] = in.Evidence[i].check(fe, fmt.Sprintf("evidence.%d.", i))
	}
	return fe, mimes
}

// PostUpdate publishes a progress update: the commitment takes its
// status, its "no update" alerts close, and its followers are mailed.
func PostUpdate(ctx context.Context, tx *sql.Tx, ch Change, commitmentID string, in UpdateInput) (*Update, error) {
	if _, err := lockCommitment(ctx, tx, ch, commitmentID); err != nil {
		return nil, err
	}
	fe, mimes := in.check()
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := store.Now()
	id := store.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO commitment_updates (id, commitment_id, body, status, author_id, author_label, organisation_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, commitmentID, in.Body, in.Status, ch.UserID, ch.Label, nullable(ch.OrganisationID), now); err != nil {
		return nil, store.Map(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE commitments SET status = $1, last_update_at = $2 WHERE id = $3`, in.Status, now, commitmentID); err != nil {
		return nil, err
	}
	var titles []string
	for i, e := range in.Evidence {
		if _, err := insertEvidence(ctx, tx, ch, commitmentID, "", id, e, mimes[i]); err != nil {
			return nil, err
		}
		t := e.Title
		if t == "" {
			t = e.URL
		}
		titles = append(titles, t)
	}
	if err := resolveAlerts(ctx, tx, ch, `commitment_id = $1 AND kind = 'stale'`, commitmentID); err != nil {
		return nil, err
	}
	if _, err := ch.apply(ctx, tx, event{commitmentID: commitmentID, action: ActionUpdatePost, targetType: "update", targetID: id,
		after: map[string]any{"status": in.Status, "body": in.Body, "evidence": titles}, summary: in.Body}); err != nil {
		return nil, err
	}
	list, err := loadUpdates(ctx, tx, `u.id = $1`, id)
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

// Updates returns a commitment's progress updates, the latest first, with
// their evidence.
func Updates(ctx context.Context, q store.Querier, commitmentID string) ([]*Update, error) {
	return loadUpdates(ctx, q, `u.commitment_id = $1`, commitmentID)
}

func loadUpdates(ctx context.Context, q store.Querier, cond string, arg string) ([]*Update, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.commitment_id, u.body, u.status, COALESCE(u.organisation_id, ''), COALESCE(o.name, ''),
		u.created_at, u.author_id, u.author_label
		FROM commitment_updates u LEFT JOIN organisations o ON o.id = u.organisation_id
		WHERE `+cond+` ORDER BY u.created_at DESC, u.id DESC`, arg)
	if err != nil {
		return nil, err
	}
	out := []*Update{}
	byID := map[string]*Update{}
	for rows.Next() {
		u := &Update{Evidence: []*Evidence{}}
		if err := rows.Scan(&u.ID, &u.CommitmentID, &u.Body, &u.Status, &u.OrganisationID, &u.Organisation, &u.CreatedAt,
			&u.AuthorID, &u.AuthorLabel); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
		byID[u.ID] = u
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	evidence, err := loadEvidence(ctx, q, `update_id IN (SELECT u.id FROM commitment_updates u WHERE `+cond+`)`, arg)
	if err != nil {
		return nil, err
	}
	for _, e := range evidence {
		byID[e.UpdateID].Evidence = append(byID[e.UpdateID].Evidence, e)
	}
	return out, nil
}
