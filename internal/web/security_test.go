package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// cspDirective returns the sources of one directive of a policy, and
// whether the directive is there.
func cspDirective(policy, name string) (string, bool) {
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 && strings.EqualFold(f[0], name) {
			return strings.Join(f[1:], " "), true
		}
	}
	return "", false
}

var (
	inlineScriptRe  = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	inlineHandlerRe = regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`)
	inlineStyleRe   = regexp.MustCompile(`(?i)<style\b|<[a-z][^>]*\sstyle\s*=`)
)

// TestSecurityHeadersOnEveryPage: every HTML answer, whatever its status,
// carries the security headers, and no page relies on inline script or
// style that its own policy would block.
func TestSecurityHeadersOnEveryPage(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		member := env.SignedIn(t, auth.Member, "member@example.org")
		pages := []struct {
			name string
			a    *answer
		}{
			{"home", send(t, env, "GET", "/")},
			{"sign-in", send(t, env, "GET", "/sign-in")},
			{"sign-in error", send(t, env, "POST", "/sign-in", form("email", "x"))},
			{"privacy", send(t, env, "GET", "/privacy")},
			{"accessibility", send(t, env, "GET", "/accessibility")},
			{"not found", send(t, env, "GET", "/nowhere")},
			{"forbidden", send(t, env, "GET", "/admin", withCookie(member.Cookie))},
			{"account", send(t, env, "GET", "/account", withCookie(member.Cookie))},
			{"admin", send(t, env, "GET", "/admin", withCookie(admin.Cookie))},
			{"admin users", send(t, env, "GET", "/admin/users", withCookie(admin.Cookie))},
			{"admin settings", send(t, env, "GET", "/admin/settings", withCookie(admin.Cookie))},
			{"admin outbox", send(t, env, "GET", "/admin/outbox", withCookie(admin.Cookie))},
			{"admin audit", send(t, env, "GET", "/admin/audit", withCookie(admin.Cookie))},
		}
		for _, p := range pages {
			h := p.a.Header
			if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Errorf("%s: not HTML: %s", p.name, p.a)
				continue
			}
			csp := h.Get("Content-Security-Policy")
			script, ok := cspDirective(csp, "script-src")
			if !ok {
				script, ok = cspDirective(csp, "default-src")
			}
			if !ok || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") || strings.Contains(script, "*") {
				t.Errorf("%s: scripts not restricted by %q", p.name, csp)
			}
			if fa, _ := cspDirective(csp, "frame-ancestors"); fa != "'none'" {
				t.Errorf("%s: frame-ancestors %q, want 'none'", p.name, fa)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("%s: X-Content-Type-Options %q", p.name, got)
			}
			if got := h.Get("Referrer-Policy"); got == "" || got == "unsafe-url" || got == "no-referrer-when-downgrade" {
				t.Errorf("%s: Referrer-Policy %q leaks addresses to other sites", p.name, got)
			}
			for _, tag := range inlineScriptRe.FindAllString(p.a.Body, -1) {
				if !strings.Contains(tag, " src=") {
					t.Errorf("%s: inline script, which the policy blocks: %s", p.name, tag)
				}
			}
			if m := inlineHandlerRe.FindString(p.a.Body); m != "" {
				t.Errorf("%s: inline event handler, which the policy blocks: %s", p.name, m)
			}
			if m := inlineStyleRe.FindString(p.a.Body); m != "" {
				t.Errorf("%s: inline style, which the policy blocks: %s", p.name, m)
			}
		}
	})
}

// TestCrossOriginPostRefused: another site cannot make a signed-in browser
// change anything; API calls with a bearer token are not affected.
func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		ctx := context.Background()

		crossSite := header("Sec-Fetch-Site", "cross-site")
		for name, a := range map[string]*answer{
			"language": send(t, env, "POST", "/language", crossSite, withCookie(admin.Cookie), form("lang", "en")),
			"sign out": send(t, env, "POST", "/sign-out", crossSite, withCookie(admin.Cookie)),
			"new user": send(t, env, "POST", "/admin/users", crossSite, withCookie(admin.Cookie), form("name", "Mallory", "email", "mallory@example.org", "role", "admin")),
			"old browser": send(t, env, "POST", "/admin/users", header("Origin", "https://evil.example.org"), withCookie(admin.Cookie),
				form("name", "Mallory", "email", "mallory@example.org", "role", "admin")),
		} {
			if a.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site %s: %s, want 403", name, a)
			}
		}
		if u, _ := auth.UserByID(ctx, db, admin.User.ID); u.Language == "en" {
			t.Error("a cross-site request changed the language")
		}
		if got := signedInAs(t, env, admin.Cookie); got != admin.User.Email {
			t.Error("a cross-site request signed the admin out")
		}
		if _, err := auth.UserByEmail(ctx, db, "mallory@example.org"); err == nil {
			t.Fatal("a cross-site request created an admin")
		}

		// The same request from the site itself goes through.
		if a := send(t, env, "POST", "/language", header("Sec-Fetch-Site", "same-origin"), withCookie(admin.Cookie), form("lang", "en")); !a.redirectsTo("/") {
			t.Errorf("same-origin language change: %s", a)
		}
		// A bearer token is no ambient credential: no cross-origin check.
		a := send(t, env, "POST", "/api/v1/users", crossSite, bearer(admin.Token), jsonBody(`{"email":"ops@example.org","name":"Ops","role":"agent"}`))
		if a.StatusCode != http.StatusCreated {
			t.Errorf("cross-site API call with a bearer token: %s, want 201", a)
		}
		// A session cookie on the API is: the check applies.
		a = send(t, env, "POST", "/api/v1/users", crossSite, withCookie(admin.Cookie), jsonBody(`{"email":"eve@example.org","name":"Eve","role":"admin"}`))
		if e := errorOf(t, a, http.StatusForbidden); e.Code != "forbidden" {
			t.Errorf("cross-site API call with a cookie: %+v", e)
		}
	})
}

func TestBodyOverOneMebibyteRefused(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		huge := strings.Repeat("x", 1<<20+1)

		e := errorOf(t, send(t, env, "POST", "/api/v1/sign-in", jsonBody(`{"email":"`+huge+`"}`)), http.StatusRequestEntityTooLarge)
		if e.Code != "too_large" {
			t.Errorf("public API: %+v", e)
		}
		e = errorOf(t, send(t, env, "PUT", "/api/v1/settings", bearer(admin.Token), jsonBody(`{"site_name":"`+huge+`"}`)), http.StatusRequestEntityTooLarge)
		if e.Code != "too_large" {
			t.Errorf("settings: %+v", e)
		}
		// Just under the limit is read (and refused for its content only).
		under := strings.Repeat("x", 1<<20-100)
		e = errorOf(t, send(t, env, "PUT", "/api/v1/settings", bearer(admin.Token), jsonBody(`{"site_name":"`+under+`"}`)), http.StatusUnprocessableEntity)
		if e.Fields["site_name"] != fr("error.too_long") {
			t.Errorf("large but allowed body: %+v", e)
		}
	})
}
