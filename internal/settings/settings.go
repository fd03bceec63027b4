// Package settings keeps the site-wide values an admin edits in the
// interface: who publishes the site, the data controller and DPO named on
// the privacy page, and how long personal data is kept.
package settings

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/store"
)

// Settings are the editable site-wide values.
type Settings struct {
	SiteName        string `json:"site_name"`
	Publisher       string `json:"publisher"`
	Controller      string `json:"controller"`
	DPOContact      string `json:"dpo_contact"`
	Host            string `json:"host"`
	RetentionMonths int    `json:"retention_months"`
	ContactEmail    string `json:"contact_email"`
}

// Defaults are used for keys never set.
var Defaults = Settings{
	SiteName:        "Forum du gouvernement ouvert",
	Publisher:       "Équipe gouvernement ouvert",
	Controller:      "Équipe gouvernement ouvert",
	DPOContact:      "dpo@example.org",
	Host:            "",
	RetentionMonths: 24,
	ContactEmail:    "contact@example.org",
}

func (s *Settings) fields() map[string]*string {
	return map[string]*string{
		"site_name": &s.SiteName, "publisher": &s.Publisher, "controller": &s.Controller,
		"dpo_contact": &s.DPOContact, "host": &s.Host, "contact_email": &s.ContactEmail,
	}
}

// Load reads the settings, falling back to Defaults.
func Load(ctx context.Context, q store.Querier) (Settings, error) {
	s := Defaults
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	f := s.fields()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s, err
		}
		if p, ok := f[k]; ok {
			*p = v
		} else if k == "retention_months" {
			if n, err := strconv.Atoi(v); err == nil {
				s.RetentionMonths = n
			}
		}
	}
	return s, rows.Err()
}

// Validate checks the values and trims them; it returns errors per field as
// translation keys.
func (s *Settings) Validate() map[string]string {
	fe := map[string]string{}
	for k, p := range s.fields() {
		*p = strings.TrimSpace(*p)
		if utf8.RuneCountInString(*p) > 300 {
			fe[k] = "error.too_long"
		}
	}
	for _, k := range []string{"site_name", "publisher", "controller", "dpo_contact"} {
		if *s.fields()[k] == "" {
			fe[k] = "error.required"
		}
	}
	if s.RetentionMonths < 1 || s.RetentionMonths > 120 {
		fe["retention_months"] = "error.retention_range"
	}
	return fe
}

// Save validates and writes every value within q (the caller's
// transaction, so that the change and its audit entry commit together).
func Save(ctx context.Context, q store.Querier, s Settings) (map[string]string, error) {
	if fe := s.Validate(); len(fe) > 0 {
		return fe, nil
	}
	vals := map[string]string{"retention_months": strconv.Itoa(s.RetentionMonths)}
	for k, p := range s.fields() {
		vals[k] = *p
	}
	now := store.Now()
	for k, v := range vals {
		if _, err := q.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, k, v, now); err != nil {
			return nil, err
		}
	}
	return nil, nil
}
