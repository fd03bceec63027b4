package plan_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// world is a small community around one plan: two ministries, an
// association, and users of every role.
type world struct {
	db                             *store.DB
	lead, other, assoc             *directory.Organisation
	admin, organiser               plan.Editor
	agent, otherAgent, member      plan.Editor
	agentUser, follower, follower2 *auth.User
	mailer                         *plan.Mailer
	plan                           *plan.Plan
}

func (w *world) change(e plan.Editor) plan.Change { return plan.Change{Editor: e, Mail: w.mailer} }

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{db: db, mailer: &plan.Mailer{Cat: i18n.MustLoad(), BaseURL: "https://forum.example.org"}}
	txDo(t, db, func(tx *sql.Tx) error {
		ctx := t.Context()
		var err error
		org := func(name, kind string) *directory.Organisation {
			o, e := directory.CreateOrganisation(ctx, tx, directory.OrganisationInput{Name: name, Kind: kind})
			if e != nil {
				err = e
			}
			return o
		}
		w.lead = org("Ministère de l'Économie", "central_administration")
		w.other = org("Ministère de la Culture", "central_administration")
		w.assoc = org("Regards Citoyens", "association")
		if err != nil {
			return err
		}
		user := func(email, name string, role auth.Role, orgID string) *auth.User {
			u, e := auth.CreateUser(ctx, tx, auth.NewUser{Email: email, Name: name, Role: string(role), OrganisationID: orgID, Language: "fr"})
			if e != nil {
				err = e
			}
			return u
		}
		admin := user("admin@example.org", "Camille Admin", auth.Admin, "")
		organiser := user("organiser@example.org", "Inès Organiser", auth.Organiser, "")
		w.agentUser = user("agent@economie.example.org", "Nadia Agent", auth.Agent, w.lead.ID)
		otherAgent := user("agent@culture.example.org", "Paul Agent", auth.Agent, w.other.ID)
		member := user("member@example.org", "Hélène Member", auth.Member, w.assoc.ID)
		w.follower = user("follower@example.org", "Zoé Follower", auth.Member, "")
		w.follower2 = user("follower2@example.org", "James Follower", auth.Member, "")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET language = 'en' WHERE id = $1`, w.follower2.ID); err != nil {
			return err
		}
		w.admin, w.organiser = plan.EditorOf(admin), plan.EditorOf(organiser)
		w.agent, w.otherAgent, w.member = plan.EditorOf(w.agentUser), plan.EditorOf(otherAgent), plan.EditorOf(member)
		w.plan, err = plan.CreatePlan(ctx, tx, w.change(w.organiser), plan.PlanInput{Title: "Plan 2021-2023", StartsOn: "2021-01-01",
			EndsOn: "2023-12-31", Status: plan.StatusImplementation, Axes: []plan.AxisInput{{Title: "Transparence"}, {Title: "Participation"}}})
		return err
	})
	return w
}

// commitment creates a commitment led by the world's lead ministry.
func (w *world) commitment(t *testing.T, ref string) *plan.Commitment {
	t.Helper()
	var c *plan.Commitment
	txDo(t, w.db, func(tx *sql.Tx) (err error) {
		c, err = plan.CreateCommitment(t.Context(), tx, w.change(w.organiser), w.plan.ID, plan.CommitmentInput{
			Reference: ref, Number: strings.TrimLeft(ref[2:], "0"), Title: "Engagement " + ref, LeadOrganisationID: w.lead.ID})
		return err
	})
	return c
}

func (w *world) milestone(t *testing.T, commitmentID string, in plan.MilestoneInput) *plan.Milestone {
	t.Helper()
	var m *plan.Milestone
	txDo(t, w.db, func(tx *sql.Tx) (err error) {
		m, err = plan.CreateMilestone(t.Context(), tx, w.change(w.organiser), commitmentID, in)
		return err
	})
	return m
}

func txDo(t *testing.T, db *store.DB, fn func(tx *sql.Tx) error) {
	t.Helper()
	if err := db.Tx(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

// inTx runs fn in a transaction and returns its error.
func inTx(t *testing.T, db *store.DB, fn func(tx *sql.Tx) error) error {
	t.Helper()
	return db.Tx(t.Context(), fn)
}

func fieldErrs(t *testing.T, err error) valid.Errors {
	t.Helper()
	var fe valid.Errors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	return fe
}

func count(t *testing.T, db store.Querier, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func num(f float64) *float64 { return &f }

// countingQuerier counts the statements run through it: the honest way
// to check that a page costs a fixed number of queries.
type countingQuerier struct {
	store.Querier
	n atomic.Int64
}

func (c *countingQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.Querier.ExecContext(ctx, query, args...)
}

func (c *countingQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.Querier.QueryContext(ctx, query, args...)
}

func (c *countingQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.Querier.QueryRowContext(ctx, query, args...)
}
