package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

func TestAPISignIn(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		w := newWorkers(env)
		createUser(t, env, "ada@example.org", "Ada Lovelace", auth.Member)

		known := send(t, env, "POST", "/api/v1/sign-in", jsonBody(`{"email":"ada@example.org"}`))
		unknown := send(t, env, "POST", "/api/v1/sign-in", jsonBody(`{"email":"nobody@example.org"}`))
		if known.StatusCode != http.StatusAccepted || unknown.StatusCode != http.StatusAccepted || known.Body != unknown.Body {
			t.Fatalf("known and unknown addresses must both get the same 202:\n%s\n%s", known, unknown)
		}
		w.run(t)
		signInLink(t, env, w, "ada@example.org")
		if n := w.box.count(); n != 1 {
			t.Errorf("%d mails, want 1", n)
		}

		e := errorOf(t, send(t, env, "POST", "/api/v1/sign-in", jsonBody(`{"email":"ada@"}`)), http.StatusUnprocessableEntity)
		if e.Fields["email"] != fr("error.email_invalid") {
			t.Errorf("malformed address: fields %v", e.Fields)
		}
		for _, bad := range []string{`{"email":`, `not json`, ``, `{"email": 42}`} {
			e := errorOf(t, send(t, env, "POST", "/api/v1/sign-in", jsonBody(bad)), http.StatusBadRequest)
			if e.Code != "bad_json" {
				t.Errorf("body %q: code %q, want bad_json", bad, e.Code)
			}
		}
	})
}

func TestAPIMe(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		ctx := context.Background()
		now := store.Now()
		if _, err := db.ExecContext(ctx, `INSERT INTO organisations (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)`, "org1", "Transparence Citoyenne", now); err != nil {
			t.Fatal(err)
		}
		u, err := auth.CreateUser(ctx, db, auth.NewUser{Email: "ada@example.org", Name: "Ada Lovelace", Role: "agent", OrganisationID: "org1"})
		if err != nil {
			t.Fatal(err)
		}
		token, err := auth.CreateAPIToken(ctx, db, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var me struct {
			ID, Email, Name, Role string
			Organisation          struct{ ID, Name string }
		}
		decode(t, send(t, env, "GET", "/api/v1/me", bearer(token)), http.StatusOK, &me)
		if me.ID != u.ID || me.Email != "ada@example.org" || me.Name != "Ada Lovelace" || me.Role != "agent" ||
			me.Organisation.ID != "org1" || me.Organisation.Name != "Transparence Citoyenne" {
			t.Errorf("me = %+v", me)
		}

		for name, opts := range map[string][]opt{
			"no token":        nil,
			"unknown token":   {bearer(auth.APITokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")},
			"malformed token": {bearer("not-a-token")},
			"empty bearer":    {header("Authorization", "Bearer ")},
		} {
			e := errorOf(t, send(t, env, "GET", "/api/v1/me", opts...), http.StatusUnauthorized)
			if e.Code != "unauthorized" {
				t.Errorf("%s: code %q", name, e.Code)
			}
		}
	})
}

func TestAPIUserCreate(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")

		var u struct{ ID, Email, Name, Role, Language string }
		decode(t, send(t, env, "POST", "/api/v1/users", bearer(admin.Token),
			jsonBody(`{"email":" Grace@Example.org ","name":"Grace Hopper","role":"organizer","language":"en"}`)), http.StatusCreated, &u)
		if u.ID == "" || u.Email != "grace@example.org" || u.Role != "organiser" || u.Language != "en" {
			t.Fatalf("created %+v", u)
		}
		stored, err := auth.UserByID(context.Background(), db, u.ID)
		if err != nil || stored.Email != "grace@example.org" || stored.Role != auth.Organiser {
			t.Fatalf("stored user %+v, %v", stored, err)
		}
		var list struct{ Users []struct{ ID string } }
		decode(t, send(t, env, "GET", "/api/v1/users", bearer(admin.Token)), http.StatusOK, &list)
		if len(list.Users) != 2 {
			t.Errorf("users list has %d users, want 2", len(list.Users))
		}

		e := errorOf(t, send(t, env, "POST", "/api/v1/users", bearer(admin.Token),
			jsonBody(`{"email":"GRACE@example.org","name":"Another Grace","role":"member"}`)), http.StatusConflict)
		if e.Code != "conflict" || e.Fields["email"] != fr("error.email_taken") {
			t.Errorf("duplicate address: %+v", e)
		}
		e = errorOf(t, send(t, env, "POST", "/api/v1/users", bearer(admin.Token),
			jsonBody(`{"email":"root@example.org","name":"Root","role":"superuser"}`)), http.StatusUnprocessableEntity)
		if e.Code != "invalid" || e.Fields["role"] != fr("error.role_invalid") {
			t.Errorf("bad role: %+v", e)
		}
		if _, err := auth.UserByEmail(context.Background(), db, "root@example.org"); err == nil {
			t.Error("a user with a bad role was created")
		}
	})
}

func TestAPISettingsValidation(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		var before map[string]any
		decode(t, send(t, env, "GET", "/api/v1/settings", bearer(admin.Token)), http.StatusOK, &before)

		e := errorOf(t, send(t, env, "PUT", "/api/v1/settings", bearer(admin.Token), jsonBody(`{"retention_months":0}`)), http.StatusUnprocessableEntity)
		if e.Fields["retention_months"] != fr("error.retention_range") {
			t.Errorf("retention 0: %+v", e)
		}
		var after map[string]any
		decode(t, send(t, env, "GET", "/api/v1/settings", bearer(admin.Token)), http.StatusOK, &after)
		if mustJSON(t, before) != mustJSON(t, after) {
			t.Errorf("a refused change was saved: %v → %v", before, after)
		}

		var saved struct {
			RetentionMonths int `json:"retention_months"`
		}
		decode(t, send(t, env, "PUT", "/api/v1/settings", bearer(admin.Token), jsonBody(`{"retention_months":36}`)), http.StatusOK, &saved)
		decode(t, send(t, env, "GET", "/api/v1/settings", bearer(admin.Token)), http.StatusOK, &saved)
		if saved.RetentionMonths != 36 {
			t.Errorf("retention after a valid change: %d, want 36", saved.RetentionMonths)
		}
	})
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAPIErrorsInCallersLanguage: messages follow Accept-Language, French
// by default.
func TestAPIErrorsInCallersLanguage(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		cases := []struct {
			accept string
			tr     func(string, ...any) string
		}{
			{"", fr},
			{"en", en},
			{"en-GB,en;q=0.9,fr;q=0.5", en},
			{"fr-CA", fr},
			{"de-DE", fr},
		}
		for _, c := range cases {
			var opts []opt
			if c.accept != "" {
				opts = append(opts, header("Accept-Language", c.accept))
			}
			e := errorOf(t, send(t, env, "PUT", "/api/v1/settings", append(opts, bearer(admin.Token), jsonBody(`{"retention_months":0,"site_name":" "}`))...), http.StatusUnprocessableEntity)
			if e.Message != c.tr("error.invalid") || e.Fields["retention_months"] != c.tr("error.retention_range") || e.Fields["site_name"] != c.tr("error.required") {
				t.Errorf("Accept-Language %q: %+v", c.accept, e)
			}
			e = errorOf(t, send(t, env, "GET", "/api/v1/me", opts...), http.StatusUnauthorized)
			if e.Message != c.tr("error.unauthorized") {
				t.Errorf("Accept-Language %q: 401 message %q", c.accept, e.Message)
			}
		}
		if en("error.invalid") == fr("error.invalid") || !strings.Contains(fr("error.retention_range"), "mois") {
			t.Fatal("the catalogs do not tell French from English; this test would prove nothing")
		}
	})
}
