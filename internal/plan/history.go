package plan

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/store"
)

// Change is a change made by an editor, and how the followers of the
// commitment hear of it.
type Change struct {
	Editor
	// Mail writes the followers' notices in the change's transaction.
	// Nil writes none: only for loading data (demo, command line).
	Mail *Mailer

	// quiet records without mailing: an import mails once per commitment.
	quiet bool
}

// History actions, the keys of "plan.history.action.<action>".
const (
	ActionCommitmentCreate = "commitment.create"
	ActionCommitmentUpdate = "commitment.update"
	ActionMilestoneCreate  = "milestone.create"
	ActionMilestoneUpdate  = "milestone.update"
	ActionMilestoneDelete  = "milestone.delete"
	ActionEvidenceAdd      = "evidence.add"
	ActionEvidenceDelete   = "evidence.delete"
	ActionIndicatorCreate  = "indicator.create"
	ActionIndicatorUpdate  = "indicator.update"
	ActionValueAdd         = "indicator_value.add"
	ActionValueDelete      = "indicator_value.delete"
	ActionUpdatePost       = "update.post"
)

// Actions lists the history actions.
var Actions = []string{
	ActionCommitmentCreate, ActionCommitmentUpdate, ActionMilestoneCreate, ActionMilestoneUpdate, ActionMilestoneDelete,
	ActionEvidenceAdd, ActionEvidenceDelete, ActionIndicatorCreate, ActionIndicatorUpdate, ActionValueAdd, ActionValueDelete,
	ActionUpdatePost,
}

// HistoryEntry is one attributed change of a commitment or of what it
// holds. Before and After hold the changed fields only (JSON objects);
// a creation has no Before, a deletion no After. The person who made the
// change (ActorID, ActorLabel) is for organisers: it is not in the JSON,
// where the public sees their organisation.
type HistoryEntry struct {
	ID             string          `json:"id"`
	At             time.Time       `json:"at"`
	Action         string          `json:"action"`
	TargetType     string          `json:"target_type"`
	TargetID       string          `json:"target_id"`
	Fields         []string        `json:"fields"`
	Before         json.RawMessage `json:"before,omitempty"`
	After          json.RawMessage `json:"after,omitempty"`
	OrganisationID string          `json:"organisation_id,omitempty"`
	Organisation   string          `json:"organisation,omitempty"`
	ActorID        string          `json:"-"`
	ActorLabel     string          `json:"-"`
}

// event is a change to record: snapshots of the object before and after
// (structs marshalled to JSON objects; nil for a creation or a deletion).
type event struct {
	commitmentID         string
	action               string
	targetType, targetID string
	before, after        any
	summary              string // for the followers' mail (an update's text)
}

// apply records the events that change something, in the commitment's
// history and the audit log, and then mails the commitment's followers
// once. It reports whether anything changed.
func (ch Change) apply(ctx context.Context, tx *sql.Tx, events ...event) (bool, error) {
	var first *event
	for i := range events {
		ok, err := ch.record(ctx, tx, &events[i])
		if err != nil {
			return false, err
		}
		if ok && first == nil {
			first = &events[i]
		}
	}
	if first == nil {
		return false, nil
	}
	if ch.quiet {
		return true, nil
	}
	return true, ch.notify(ctx, tx, first.commitmentID, first.action, first.summary)
}

func (ch Change) record(ctx context.Context, tx *sql.Tx, ev *event) (bool, error) {
	before, err := snapshot(ev.before)
	if err != nil {
		return false, err
	}
	after, err := snapshot(ev.after)
	if err != nil {
		return false, err
	}
	fields := changedFields(before, after)
	if len(fields) == 0 {
		return false, nil
	}
	b, a := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for _, f := range fields {
		if v, ok := before[f]; ok && ev.before != nil {
			b[f] = v
		}
		if v, ok := after[f]; ok && ev.after != nil {
			a[f] = v
		}
	}
	id := store.NewID()
	_, err = tx.ExecContext(ctx, `INSERT INTO commitment_history (id, commitment_id, at, actor_id, actor_label, actor_organisation_id,
		action, target_type, target_id, fields, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, ev.commitmentID, store.Now(), ch.UserID, ch.Label, nullable(ch.OrganisationID), ev.action, ev.targetType, ev.targetID,
		strings.Join(fields, ","), jsonOrEmpty(ev.before, b), jsonOrEmpty(ev.after, a))
	if err != nil {
		return false, store.Map(err)
	}
	err = audit.Record(ctx, tx, audit.Actor{ID: ch.UserID, Label: ch.Label}, ev.action, ev.targetType, ev.targetID,
		map[string]any{"commitment_id": ev.commitmentID, "fields": fields})
	return err == nil, err
}

// snapshot turns a struct into its JSON fields.
func snapshot(v any) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if v == nil {
		return out, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return out, json.Unmarshal(raw, &out)
}

// changedFields lists, sorted, the fields whose JSON differs.
func changedFields(before, after map[string]json.RawMessage) []string {
	var out []string
	for k, v := range after {
		if w, ok := before[k]; !ok || !bytes.Equal(v, w) {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func jsonOrEmpty(side any, m map[string]json.RawMessage) string {
	if side == nil {
		return ""
	}
	raw, _ := json.Marshal(m)
	return string(raw)
}

// History returns the changes of a commitment, newest first, at most limit
// (100 when limit is not positive).
func History(ctx context.Context, q store.Querier, commitmentID string, limit int) ([]*HistoryEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.at, h.action, h.target_type, h.target_id, h.fields, h.before_json, h.after_json,
		COALESCE(h.actor_organisation_id, ''), COALESCE(o.name, ''), h.actor_id, h.actor_label
		FROM commitment_history h LEFT JOIN organisations o ON o.id = h.actor_organisation_id
		WHERE h.commitment_id = $1 ORDER BY h.at DESC, h.id DESC LIMIT $2`, commitmentID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*HistoryEntry{}
	for rows.Next() {
		h := &HistoryEntry{}
		var fields, before, after string
		if err := rows.Scan(&h.ID, &h.At, &h.Action, &h.TargetType, &h.TargetID, &fields, &before, &after,
			&h.OrganisationID, &h.Organisation, &h.ActorID, &h.ActorLabel); err != nil {
			return nil, err
		}
		h.Fields = strings.Split(fields, ",")
		if before != "" {
			h.Before = json.RawMessage(before)
		}
		if after != "" {
			h.After = json.RawMessage(after)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
