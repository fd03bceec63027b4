package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

func TestLanguageFromBrowser(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		for _, c := range []struct{ accept, want string }{
			{"", "fr"},
			{"en-GB,en;q=0.9", "en"},
			{"en-US", "en"},
			{"fr-BE,en;q=0.5", "fr"},
			{"de-DE,de;q=0.9", "fr"},
			{"not a header", "fr"},
		} {
			var opts []opt
			if c.accept != "" {
				opts = append(opts, header("Accept-Language", c.accept))
			}
			a := send(t, env, "GET", "/sign-in", opts...)
			tr := fr
			if c.want == "en" {
				tr = en
			}
			if got := pageLang(a.Body); got != c.want || !strings.HasPrefix(pageTitle(a.Body), tr("signin.title")) {
				t.Errorf("Accept-Language %q: lang %q, title %q; want %s", c.accept, got, pageTitle(a.Body), c.want)
			}
		}
	})
}

func TestLanguageSwitcher(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)

		a := send(t, env, "POST", "/language", form("lang", "en", "back", "/privacy?x=1"))
		if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/privacy?x=1" {
			t.Fatalf("switch: %s, want 303 back to /privacy?x=1", a)
		}
		c := a.cookie("ogforum_lang")
		if c == nil || c.Value != "en" || c.MaxAge <= 0 || c.Path != "/" {
			t.Fatalf("switch cookie: %v", a.Header["Set-Cookie"])
		}
		// The choice wins over what the browser says.
		p := send(t, env, "GET", "/privacy", withCookie(c), header("Accept-Language", "fr-FR,fr"))
		if pageLang(p.Body) != "en" || !strings.HasPrefix(pageTitle(p.Body), en("privacy.title")) {
			t.Errorf("after choosing English: lang %q, title %q", pageLang(p.Body), pageTitle(p.Body))
		}
		back := send(t, env, "POST", "/language", withCookie(c), form("lang", "fr", "back", "/"))
		if c := back.cookie("ogforum_lang"); c == nil || c.Value != "fr" {
			t.Errorf("switch back: %v", back.Header["Set-Cookie"])
		}

		// The switcher returns only to this site.
		for _, b := range []string{"https://evil.example.org/", "//evil.example.org/", "/\\evil.example.org", ""} {
			if a := send(t, env, "POST", "/language", form("lang", "en", "back", b)); a.Header.Get("Location") != "/" {
				t.Errorf("back=%q: redirected to %q, want /", b, a.Header.Get("Location"))
			}
		}
	})
}

func TestLanguageChoiceStoredOnAccount(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		ada := env.SignedIn(t, auth.Member, "ada@example.org")
		if a := send(t, env, "POST", "/language", withCookie(ada.Cookie), form("lang", "en", "back", "/account")); !a.redirectsTo("/account") {
			t.Fatalf("switch: %s", a)
		}
		u, err := auth.UserByID(context.Background(), db, ada.User.ID)
		if err != nil || u.Language != "en" {
			t.Fatalf("language on the account: %q, %v", u.Language, err)
		}
		// On another device, with no language cookie and a French browser,
		// the account's choice applies.
		other := newSession(t, env, ada)
		a := send(t, env, "GET", "/account", withCookie(other), header("Accept-Language", "fr"))
		if pageLang(a.Body) != "en" {
			t.Errorf("another device shows lang %q, want the account's en", pageLang(a.Body))
		}
	})
}
