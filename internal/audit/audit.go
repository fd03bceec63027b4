// Package audit records every change made by a signed-in person: who, what,
// when, on which object. Entries are written in the transaction of the
// change they describe.
package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/ogforum/ogforum/internal/store"
)

// Actor is who made a change.
type Actor struct {
	ID    string
	Label string // e-mail or "cli", kept even if the user is later erased
}

// Entry is one line of the audit log.
type Entry struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorLabel string    `json:"actor"`
	Action     string    `json:"action"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	Details    string    `json:"details"`
}

// Record writes an entry within q. details, if not nil, is stored as JSON.
func Record(ctx context.Context, q store.Querier, a Actor, action, targetType, targetID string, details any) error {
	var d string
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			return err
		}
		d = string(b)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO audit_log (id, at, actor_id, actor_label, action, target_type, target_id, details)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, store.NewID(), store.Now(), a.ID, a.Label, action, targetType, targetID, d)
	return err
}

// List returns the latest entries, newest first, before the given id when
// not empty (keyset pagination).
func List(ctx context.Context, q store.Querier, before string, limit int) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor_id, actor_label, action, target_type, target_id, details FROM audit_log
		WHERE ($1 = '' OR id < $1) ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorLabel, &e.Action, &e.TargetType, &e.TargetID, &e.Details); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
