// Package demo fills a database with a small, realistic data set so that a
// newcomer sees a living site. Each domain adds its part here. Loading is
// idempotent: what exists already (matched by e-mail or name) is kept.
package demo

import (
	"context"
	"database/sql"
	"errors"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

// AdminEmail is the demo administrator's address.
const AdminEmail = "admin@demo.ogforum.org"

type org struct{ id, name, kind, college string }

var orgs = []org{
	{"d3m0rg00000000000001", "Direction interministérielle de la transformation publique", "central_administration", "administration"},
	{"d3m0rg00000000000002", "Ministère de la Transition écologique", "central_administration", "administration"},
	{"d3m0rg00000000000003", "Regards Citoyens", "association", "civil_society"},
	{"d3m0rg00000000000004", "Fondation pour le logement des défavorisés", "foundation", "civil_society"},
	{"d3m0rg00000000000005", "Collectif Santé en Commun", "collective", "civil_society"},
}

type user struct{ email, name, role, orgID string }

var users = []user{
	{AdminEmail, "Camille Martin", "admin", ""},
	{"organisatrice@demo.ogforum.org", "Inès Moreau", "organiser", "d3m0rg00000000000001"},
	{"agent.ecologie@demo.ogforum.org", "Julien Bernard", "agent", "d3m0rg00000000000002"},
	{"membre@demo.ogforum.org", "Hélène Dubois", "member", "d3m0rg00000000000003"},
	{"logement@demo.ogforum.org", "Karim Benali", "member", "d3m0rg00000000000004"},
}

// LoadIfEmpty loads the demo data only into a database with no user.
func LoadIfEmpty(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	_, err := Load(ctx, db)
	return err == nil, err
}

// Load adds the demo records that are missing and returns how many it added.
func Load(ctx context.Context, db *store.DB) (int, error) {
	added := 0
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := store.Now()
		for _, o := range orgs {
			res, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, kind, college, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (id) DO NOTHING`, o.id, o.name, directory.Fold(o.name), o.kind, o.college, now)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		for _, u := range users {
			_, err := auth.UserByEmail(ctx, tx, u.email)
			if err == nil {
				continue
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			created, err := auth.CreateUser(ctx, tx, auth.NewUser{Email: u.email, Name: u.name, Role: u.role, OrganisationID: u.orgID})
			if err != nil {
				return err
			}
			added++
			if err := audit.Record(ctx, tx, audit.Actor{Label: "demo"}, "user.create", "user", created.ID, nil); err != nil {
				return err
			}
		}
		n, err := loadDirectoryAndPlan(ctx, tx)
		added += n
		return err
	})
	if err != nil {
		return added, err
	}
	n, err := loadForums(ctx, db)
	return added + n, err
}
