package directory

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/ogforum/ogforum/internal/store"
)

// Sector is one entry of the taxonomy of interests.
type Sector struct {
	Slug    string `json:"slug"`
	LabelFR string `json:"label_fr"`
	LabelEN string `json:"label_en"`
}

// Label is the sector's name in lang.
func (s Sector) Label(lang string) string {
	if lang == "en" && s.LabelEN != "" {
		return s.LabelEN
	}
	return s.LabelFR
}

// Sectors lists the taxonomy in its order.
func Sectors(ctx context.Context, q store.Querier) ([]Sector, error) {
	rows, err := q.QueryContext(ctx, `SELECT slug, label_fr, label_en FROM sectors ORDER BY position, slug`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Sector{}
	for rows.Next() {
		var s Sector
		if err := rows.Scan(&s.Slug, &s.LabelFR, &s.LabelEN); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

var slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// SaveSector creates or relabels a sector (admins edit the taxonomy).
func SaveSector(ctx context.Context, q store.Querier, s Sector) error {
	s.Slug = strings.TrimSpace(s.Slug)
	s.LabelFR, s.LabelEN = clean(s.LabelFR), clean(s.LabelEN)
	fe := FieldErrors{}
	if !slugRe.MatchString(s.Slug) || len(s.Slug) > 40 {
		fe["slug"] = "error.slug_invalid"
	}
	if s.LabelFR == "" {
		fe["label_fr"] = "error.required"
	}
	if s.LabelEN == "" {
		fe["label_en"] = "error.required"
	}
	if len(fe) > 0 {
		return fe
	}
	_, err := q.ExecContext(ctx, `INSERT INTO sectors (slug, label_fr, label_en, position)
		VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM sectors))
		ON CONFLICT (slug) DO UPDATE SET label_fr = excluded.label_fr, label_en = excluded.label_en`, s.Slug, s.LabelFR, s.LabelEN)
	return err
}

// DeleteSector removes a sector; people and organisations lose it.
func DeleteSector(ctx context.Context, q store.Querier, slug string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM sectors WHERE slug = $1`, slug)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// sectorSet loads the known slugs, for validation.
func sectorSet(ctx context.Context, q store.Querier) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT slug FROM sectors`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out[s] = true
	}
	return out, rows.Err()
}

// checkSectors validates slugs against the taxonomy and removes repeats.
func checkSectors(ctx context.Context, q store.Querier, slugs []string) ([]string, error) {
	if len(slugs) == 0 {
		return nil, nil
	}
	known, err := sectorSet(ctx, q)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range slugs {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		if !known[s] {
			return nil, errUnknownSector
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

var errUnknownSector = errors.New("unknown sector")

// setSectors replaces the sectors of an organisation or a person.
func setSectors(ctx context.Context, tx *sql.Tx, table, column, id string, slugs []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+column+` = $1`, id); err != nil {
		return err
	}
	for _, s := range slugs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+column+`, sector_slug) VALUES ($1, $2)`, id, s); err != nil {
			return err
		}
	}
	return nil
}

// sectorsOf loads the sectors of many rows at once (one query).
func sectorsOf(ctx context.Context, q store.Querier, table, column string, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT `+column+`, sector_slug FROM `+table+` WHERE `+column+` IN (`+placeholders(1, len(ids))+`) ORDER BY sector_slug`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, s string
		if err := rows.Scan(&id, &s); err != nil {
			return nil, err
		}
		out[id] = append(out[id], s)
	}
	return out, rows.Err()
}

// placeholders returns "$from, $from+1, ..." n times.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$")
		b.WriteString(itoa(from + i))
	}
	return b.String()
}
