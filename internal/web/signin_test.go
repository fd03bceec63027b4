package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/config"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

func createUser(t testing.TB, e *webtest.Env, email, name string, role auth.Role) *auth.User {
	t.Helper()
	u, err := auth.CreateUser(context.Background(), e.DB, auth.NewUser{Email: email, Name: name, Role: string(role)})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSignInByLink(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		w := newWorkers(env)
		ada := createUser(t, env, "ada@example.org", "Ada Lovelace", auth.Member)

		// Known and unknown addresses get the same answer.
		known := send(t, env, "POST", "/sign-in", form("email", "Ada@Example.org"))
		unknown := send(t, env, "POST", "/sign-in", form("email", "nobody@example.org"))
		for _, a := range []*answer{known, unknown} {
			if !a.redirectsTo("/sign-in/sent") {
				t.Fatalf("sign-in request: %s, want 303 to /sign-in/sent", a)
			}
		}
		if known.Header.Get("Location") != unknown.Header.Get("Location") || known.Body != unknown.Body ||
			len(known.Cookies()) != len(unknown.Cookies()) {
			t.Errorf("answers differ for a known and an unknown address:\n%s\n%s", known, unknown)
		}
		if a := send(t, env, "GET", "/sign-in/sent"); a.StatusCode != http.StatusOK || !strings.Contains(a.text(), fr("signin.sent_title")) {
			t.Errorf("sent page: %s", a)
		}

		w.run(t)
		if n := w.box.count(); n != 1 {
			t.Fatalf("%d mails sent, want 1 (to the known address only)", n)
		}
		link := signInLink(t, env, w, ada.Email)
		if subject := w.box.to(ada.Email)[0].Subject; subject != fr("mail.signin.subject") {
			t.Errorf("mail subject %q", subject)
		}

		// Opening the link (as a mail scanner would) only shows a button.
		for range 2 {
			a := send(t, env, "GET", link)
			if a.StatusCode != http.StatusOK || !hasPostForm(a.Body, link) {
				t.Fatalf("GET %s: %s, want a page with a form posting to the link", link, a)
			}
			if a.cookie("ogforum_session") != nil {
				t.Fatal("opening the link signed in")
			}
		}

		// Someone else was signed in on this browser: that session ends.
		grace := env.SignedIn(t, auth.Member, "grace@example.org")
		a := send(t, env, "POST", link, withCookie(grace.Cookie), form("next", "//evil.example.org/x"))
		if !a.redirectsTo("/account") {
			t.Fatalf("POST %s: %s, want 303 to /account", link, a)
		}
		c := a.cookie("ogforum_session")
		if c == nil || c.Value == "" || c.Value == grace.Cookie.Value {
			t.Fatalf("no new session cookie: %v", a.Header["Set-Cookie"])
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("session cookie %q: want HttpOnly, SameSite=Lax, Path=/", a.Header.Get("Set-Cookie"))
		}
		if got := signedInAs(t, env, c); got != ada.Email {
			t.Errorf("new session belongs to %q, want %s", got, ada.Email)
		}
		if got := signedInAs(t, env, grace.Cookie); got != "" {
			t.Errorf("the session open before sign-in still works (as %s)", got)
		}
		if a := send(t, env, "GET", "/account", withCookie(c)); a.StatusCode != http.StatusOK || !strings.Contains(a.text(), ada.Email) {
			t.Errorf("account page after sign-in: %s", a)
		}

		// The link works once.
		again := send(t, env, "POST", link)
		if again.StatusCode != http.StatusGone {
			t.Fatalf("second use of the link: %s, want 410", again)
		}
		if !strings.Contains(again.text(), fr("signin.link_invalid")) {
			t.Errorf("second use of the link does not say why")
		}
		if again.cookie("ogforum_session") != nil {
			t.Error("second use of the link set a session cookie")
		}
	})
}

func TestSignInLinkExpires(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		w := newWorkers(env)
		createUser(t, env, "ada@example.org", "Ada Lovelace", auth.Member)
		send(t, env, "POST", "/sign-in", form("email", "ada@example.org"))
		w.run(t)
		link := signInLink(t, env, w, "ada@example.org")
		if _, err := db.ExecContext(context.Background(), `UPDATE login_tokens SET expires_at = $1`, store.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		a := send(t, env, "POST", link, header("Accept-Language", "en"))
		if a.StatusCode != http.StatusGone || a.cookie("ogforum_session") != nil {
			t.Fatalf("expired link: %s, want 410 and no session", a)
		}
		if !strings.Contains(a.text(), en("signin.link_invalid")) || !strings.Contains(a.Body, `href="/sign-in"`) {
			t.Errorf("expired link page does not explain or offer a new link: %s", a.text())
		}
	})
}

func TestSignInInvalidAddress(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		w := newWorkers(env)
		a := send(t, env, "POST", "/sign-in", form("email", "ada at example", "next", "/admin"))
		if a.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid address: %s, want 422", a)
		}
		if msg := fieldMessages(a.Body, "email"); !strings.Contains(msg, fr("error.email_invalid")) {
			t.Errorf("the e-mail field is described by %q, want the error %q", msg, fr("error.email_invalid"))
		}
		if v := fieldValue(a.Body, "email"); v != "ada at example" {
			t.Errorf("the form shows %q again, want what was typed", v)
		}
		if v := fieldValue(a.Body, "next"); v != "/admin" {
			t.Errorf("the form lost where to go after sign-in: %q", v)
		}
		w.run(t)
		if n := w.box.count(); n != 0 {
			t.Errorf("%d mails sent for an invalid address", n)
		}
	})
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		ada := env.SignedIn(t, auth.Member, "ada@example.org")
		other := newSession(t, env, ada)
		a := send(t, env, "POST", "/sign-out", withCookie(ada.Cookie))
		if !a.redirectsTo("/") {
			t.Fatalf("sign out: %s, want 303 to /", a)
		}
		if c := a.cookie("ogforum_session"); c == nil || c.MaxAge >= 0 {
			t.Errorf("sign out does not clear the cookie: %v", a.Header["Set-Cookie"])
		}
		if got := signedInAs(t, env, ada.Cookie); got != "" {
			t.Error("the session still works after signing out")
		}
		if !send(t, env, "GET", "/account", withCookie(ada.Cookie)).redirectsTo("/sign-in") {
			t.Error("account page still open with the ended session")
		}
		if got := signedInAs(t, env, other); got != ada.User.Email {
			t.Error("signing out of one browser ended the other one too")
		}
	})
}

func TestSignOutEverywhere(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		ada := env.SignedIn(t, auth.Member, "ada@example.org")
		phone := newSession(t, env, ada)
		grace := env.SignedIn(t, auth.Member, "grace@example.org")
		a := send(t, env, "POST", "/sign-out/everywhere", withCookie(ada.Cookie))
		if !a.redirectsTo("/") {
			t.Fatalf("sign out everywhere: %s", a)
		}
		for name, c := range map[string]*http.Cookie{"this browser": ada.Cookie, "the phone": phone} {
			if got := signedInAs(t, env, c); got != "" {
				t.Errorf("%s is still signed in", name)
			}
		}
		if got := signedInAs(t, env, grace.Cookie); got != grace.User.Email {
			t.Error("another user was signed out too")
		}
	})
}

func TestCookiesSecureBehindHTTPS(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db, func(c *config.Config) { c.SecureCookies = true })
		ada := createUser(t, env, "ada@example.org", "Ada Lovelace", auth.Member)
		secret, err := auth.CreateLoginToken(context.Background(), db, ada.ID)
		if err != nil {
			t.Fatal(err)
		}
		signIn := send(t, env, "POST", "/sign-in/"+secret)
		session := signIn.cookie("ogforum_session")
		lang := send(t, env, "POST", "/language", form("lang", "en")).cookie("ogforum_lang")
		signOut := send(t, env, "POST", "/sign-out", withCookie(session)).cookie("ogforum_session")
		for name, c := range map[string]*http.Cookie{"session": session, "language": lang, "signed-out session": signOut} {
			if c == nil || !c.Secure || !c.HttpOnly {
				t.Errorf("%s cookie %v: want Secure and HttpOnly", name, c)
			}
		}
	})
}
