package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestParseRole(t *testing.T) {
	cases := map[string]auth.Role{"admin": auth.Admin, "organiser": auth.Organiser, "Organizer": auth.Organiser, " agent ": auth.Agent, "member": auth.Member}
	for in, want := range cases {
		if got, err := auth.ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "root", "public"} {
		if _, err := auth.ParseRole(bad); !errors.Is(err, auth.ErrInvalidRole) {
			t.Errorf("ParseRole(%q) accepted", bad)
		}
	}
}

func TestNormaliseEmail(t *testing.T) {
	good := map[string]string{" Helene.Dubois@Example.ORG ": "helene.dubois@example.org", "a+b@x.fr": "a+b@x.fr"}
	for in, want := range good {
		if got, ok := auth.NormaliseEmail(in); !ok || got != want {
			t.Errorf("NormaliseEmail(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "x", "x@", "@x.fr", "a b@x.fr", "Name <a@x.fr>", "a@localhost", "a@x.fr\r\nBcc: b@y.fr", "a@x.fr,b@y.fr"} {
		if _, ok := auth.NormaliseEmail(bad); ok {
			t.Errorf("NormaliseEmail(%q) accepted", bad)
		}
	}
}

func TestCreateUserValidatesEveryField(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := auth.CreateUser(ctx, db, auth.NewUser{Email: "nope", Name: " ", Role: "boss", Language: "de", OrganisationID: "missing"})
		var fe auth.FieldErrors
		if !errors.As(err, &fe) || fe["email"] == "" || fe["name"] == "" || fe["role"] == "" || fe["language"] == "" {
			t.Fatalf("want errors on email, name, role, language; got %v", err)
		}
		_, err = auth.CreateUser(ctx, db, auth.NewUser{Email: "a@x.fr", Name: "A", Role: "agent", OrganisationID: "missing"})
		if !errors.As(err, &fe) || fe["organisation_id"] != "error.organisation_unknown" {
			t.Fatalf("unknown organisation: %v", err)
		}
		u, err := auth.CreateUser(ctx, db, auth.NewUser{Email: "Hélène@Example.org", Name: "Hélène Dubois", Role: "organizer"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != auth.Organiser || u.Email != "hélène@example.org" || u.Language != "" {
			t.Fatalf("created %+v", u)
		}
		if _, err := auth.CreateUser(ctx, db, auth.NewUser{Email: "HÉLÈNE@example.org", Name: "Other", Role: "member"}); !errors.Is(err, auth.ErrEmailTaken) {
			t.Fatalf("duplicate e-mail (other case): %v", err)
		}
		got, err := auth.UserByEmail(ctx, db, " hélène@EXAMPLE.org")
		if err != nil || got.ID != u.ID {
			t.Fatalf("UserByEmail: %v %v", got, err)
		}
		if _, err := auth.UserByID(ctx, db, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("UserByID(missing) = %v, want ErrNotFound", err)
		}
	})
}

func newUser(t *testing.T, db *store.DB, email string) *auth.User {
	t.Helper()
	u, err := auth.CreateUser(context.Background(), db, auth.NewUser{Email: email, Name: "Test", Role: "member"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLoginTokenWorksOnceAndExpires(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser(t, db, "m@x.fr")
		secret, err := auth.CreateLoginToken(ctx, db, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		db.QueryRowContext(ctx, `SELECT token_hash FROM login_tokens`).Scan(&stored)
		if stored == secret || stored != auth.Hash(secret) {
			t.Fatal("the secret itself must not be stored, only its hash")
		}
		got, sess, err := auth.RedeemLoginToken(ctx, db, secret)
		if err != nil || got.ID != u.ID || sess.Cookie == "" {
			t.Fatalf("redeem: %v", err)
		}
		if _, _, err := auth.RedeemLoginToken(ctx, db, secret); !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("second use: %v, want ErrInvalidToken", err)
		}
		expired, _ := auth.CreateLoginToken(ctx, db, u.ID)
		db.ExecContext(ctx, `UPDATE login_tokens SET expires_at = $1 WHERE token_hash = $2`, store.Now().Add(-time.Second), auth.Hash(expired))
		if _, _, err := auth.RedeemLoginToken(ctx, db, expired); !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("expired: %v, want ErrInvalidToken", err)
		}
		if _, _, err := auth.RedeemLoginToken(ctx, db, "short"); !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("garbage: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser(t, db, "s@x.fr")
		s1, _ := auth.CreateSession(ctx, db, u.ID)
		s2, _ := auth.CreateSession(ctx, db, u.ID)
		if got, _, err := auth.UserBySession(ctx, db, s1.Cookie); err != nil || got.ID != u.ID {
			t.Fatalf("valid session refused: %v", err)
		}
		id, _, _ := cut(s1.Cookie)
		if _, _, err := auth.UserBySession(ctx, db, id+".wrongsecret"); err == nil {
			t.Fatal("a session with a wrong secret was accepted")
		}
		if err := auth.EndSession(ctx, db, id); err != nil {
			t.Fatal(err)
		}
		if _, _, err := auth.UserBySession(ctx, db, s1.Cookie); err == nil {
			t.Fatal("ended session still works")
		}
		if _, _, err := auth.UserBySession(ctx, db, s2.Cookie); err != nil {
			t.Fatal("ending one session ended another")
		}
		s3, _ := auth.CreateSession(ctx, db, u.ID)
		if n, err := auth.EndAllSessions(ctx, db, u.ID); err != nil || n != 2 {
			t.Fatalf("EndAllSessions ended %d, %v", n, err)
		}
		if _, _, err := auth.UserBySession(ctx, db, s3.Cookie); err == nil {
			t.Fatal("session survived sign-out everywhere")
		}
		old, _ := auth.CreateSession(ctx, db, u.ID)
		oldID, _, _ := cut(old.Cookie)
		db.ExecContext(ctx, `UPDATE sessions SET expires_at = $1 WHERE id = $2`, store.Now().Add(-time.Second), oldID)
		if _, _, err := auth.UserBySession(ctx, db, old.Cookie); err == nil {
			t.Fatal("an expired session still works")
		}
		s4, _ := auth.CreateSession(ctx, db, u.ID)
		if err := auth.UpdateUser(ctx, db, u.ID, auth.Member, "", true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := auth.UserBySession(ctx, db, s4.Cookie); err == nil {
			t.Fatal("a disabled user's session still works")
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser(t, db, "t@x.fr")
		token, err := auth.CreateAPIToken(ctx, db, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := auth.UserByAPIToken(ctx, db, token); err != nil || got.ID != u.ID {
			t.Fatalf("token refused: %v", err)
		}
		if _, err := auth.UserByAPIToken(ctx, db, token+"x"); err == nil {
			t.Fatal("altered token accepted")
		}
		var n int
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1`, token).Scan(&n)
		if n != 0 {
			t.Fatal("token stored in clear")
		}
		if err := auth.UpdateUser(ctx, db, u.ID, auth.Member, "", true); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.UserByAPIToken(ctx, db, token); err == nil {
			t.Fatal("a disabled user's token still works")
		}
	})
}

func cut(s string) (string, string, bool) { return strings.Cut(s, ".") }
