package directory

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/store"
)

// Audience is a saved filter with a name: the target of invitation
// campaigns. Its members are computed live.
type Audience struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Filter    Filter    `json:"filter"`
	Count     int       `json:"count"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AudienceInput is what a form or the API gives.
type AudienceInput struct {
	Name   string `json:"name"`
	Filter Filter `json:"filter"`
}

func (in *AudienceInput) validate(ctx context.Context, q store.Querier) error {
	fe := FieldErrors{}
	in.Name = clean(in.Name)
	if in.Name == "" {
		fe["name"] = "error.required"
	} else if utf8.RuneCountInString(in.Name) > 200 {
		fe["name"] = "error.too_long"
	}
	if err := in.Filter.Validate(ctx, q); err != nil {
		ffe, ok := err.(FieldErrors)
		if !ok {
			return err
		}
		for k, v := range ffe {
			fe["filter."+k] = v
		}
	}
	return fe.Err()
}

// CreateAudience saves a new audience.
func CreateAudience(ctx context.Context, q store.Querier, in AudienceInput, createdBy string) (*Audience, error) {
	if err := in.validate(ctx, q); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(in.Filter)
	now := store.Now()
	a := &Audience{ID: store.NewID(), Name: in.Name, Filter: in.Filter, CreatedAt: now, UpdatedAt: now}
	if _, err := q.ExecContext(ctx, `INSERT INTO audiences (id, name, filter, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
		a.ID, a.Name, string(raw), createdBy, now); err != nil {
		return nil, err
	}
	n, err := CountPeople(ctx, q, a.Filter)
	a.Count = n
	return a, err
}

// UpdateAudience renames an audience or changes its filter.
func UpdateAudience(ctx context.Context, q store.Querier, id string, in AudienceInput) (*Audience, error) {
	if err := in.validate(ctx, q); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(in.Filter)
	res, err := q.ExecContext(ctx, `UPDATE audiences SET name = $1, filter = $2, updated_at = $3 WHERE id = $4`, in.Name, string(raw), store.Now(), id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, store.ErrNotFound
	}
	return GetAudience(ctx, q, id)
}

// DeleteAudience removes a saved audience (not its members).
func DeleteAudience(ctx context.Context, q store.Querier, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM audiences WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func scanAudience(row interface{ Scan(...any) error }) (*Audience, error) {
	a := &Audience{}
	var raw string
	if err := row.Scan(&a.ID, &a.Name, &raw, &a.CreatedAt, &a.UpdatedAt); err != nil {
		return nil, store.Map(err)
	}
	if err := json.NewDecoder(strings.NewReader(raw)).Decode(&a.Filter); err != nil {
		return nil, err
	}
	return a, nil
}

// GetAudience loads an audience with its live count.
func GetAudience(ctx context.Context, q store.Querier, id string) (*Audience, error) {
	a, err := scanAudience(q.QueryRowContext(ctx, `SELECT id, name, filter, created_at, updated_at FROM audiences WHERE id = $1`, id))
	if err != nil {
		return nil, err
	}
	a.Count, err = CountPeople(ctx, q, a.Filter)
	return a, err
}

// ListAudiences returns every audience with its live count.
func ListAudiences(ctx context.Context, q store.Querier) ([]*Audience, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, filter, created_at, updated_at FROM audiences ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	var out []*Audience
	for rows.Next() {
		a, err := scanAudience(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, a := range out {
		if a.Count, err = CountPeople(ctx, q, a.Filter); err != nil {
			return nil, err
		}
	}
	return out, nil
}
