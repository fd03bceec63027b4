package forum_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
)

const baseURL = "https://forum.example.org"

func newService(db *store.DB) *forum.Service {
	return forum.New(db, forum.Config{BaseURL: baseURL})
}

// newForum creates a forum 30 days ahead with the given capacity, changed
// by mod, and opens it unless its status should stay draft.
func newForum(t testing.TB, db *store.DB, s *forum.Service, capacity int, mod func(*forum.ForumInput)) *forum.Forum {
	t.Helper()
	ctx := context.Background()
	start := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	in := forum.ForumInput{
		Title: "Forum ouvert", StartsAt: start, EndsAt: start.Add(2 * time.Hour), Venue: "Salle Pierre Mendès France",
		Address: "139 rue de Bercy, 75012 Paris", Capacity: capacity,
	}
	if mod != nil {
		mod(&in)
	}
	var f *forum.Forum
	err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
		if f, err = forum.CreateForum(ctx, tx, in); err != nil {
			return err
		}
		f, err = s.Open(ctx, tx, f.ID)
		return err
	})
	if err != nil {
		t.Fatalf("create forum: %v", err)
	}
	return f
}

func person(i int) forum.RegistrationInput {
	return forum.RegistrationInput{
		FirstName: fmt.Sprintf("Prénom%03d", i), LastName: fmt.Sprintf("Nom%03d", i),
		Email: fmt.Sprintf("person%03d@example.org", i), College: "civil_society", Consent: true,
	}
}

func admin(i int) forum.RegistrationInput {
	in := person(i)
	in.Email = fmt.Sprintf("agent%03d@example.gouv.fr", i)
	in.College = "administration"
	return in
}

func register(t testing.TB, db *store.DB, s *forum.Service, forumID string, in forum.RegistrationInput) (*forum.Registration, string, error) {
	t.Helper()
	var r *forum.Registration
	var token string
	err := db.Tx(context.Background(), func(tx *sql.Tx) (err error) {
		r, token, err = s.Register(context.Background(), tx, forumID, in)
		return err
	})
	return r, token, err
}

func mustRegister(t testing.TB, db *store.DB, s *forum.Service, forumID string, in forum.RegistrationInput) (*forum.Registration, string) {
	t.Helper()
	r, token, err := register(t, db, s, forumID, in)
	if err != nil {
		t.Fatalf("register %s: %v", in.Email, err)
	}
	return r, token
}

func get(t testing.TB, db *store.DB, id string) *forum.Registration {
	t.Helper()
	r, err := forum.GetRegistration(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tx(t testing.TB, db *store.DB, fn func(tx *sql.Tx) error) {
	t.Helper()
	if err := db.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// mailsTo returns the mails queued for an address, oldest first.
func mailsTo(t testing.TB, db *store.DB, email string) []*mail.Stored {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT id FROM mails WHERE recipient = $1 ORDER BY created_at, id`, email)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []*mail.Stored
	for _, id := range ids {
		m, err := mail.Load(context.Background(), db, id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
