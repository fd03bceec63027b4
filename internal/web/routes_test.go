package web_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/config"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

var wildcardRe = regexp.MustCompile(`\{([A-Za-z_$]*)(?:\.\.\.)?\}`)

// requestFor turns a route pattern into a request that the pattern
// matches: wildcards get syntactically valid values, and the catch-all
// gets a path no other route serves.
func requestFor(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "GET", pattern
	}
	if path == "/" {
		return method, "/no-such-page-" + store.NewID()
	}
	path = wildcardRe.ReplaceAllStringFunc(path, func(w string) string {
		switch name := wildcardRe.FindStringSubmatch(w)[1]; name {
		case "$":
			return ""
		case "token":
			b := make([]byte, 32)
			rand.Read(b)
			return base64.RawURLEncoding.EncodeToString(b)
		default:
			return store.NewID()
		}
	})
	return method, path
}

func roleName(r auth.Role) string {
	if r == auth.Public {
		return "public"
	}
	return string(r)
}

// TestEveryRouteWithEveryRole walks the whole route table as the public,
// as each role, and as a metrics scraper, and checks that each is let in
// or turned away as the route declares.
func TestEveryRouteWithEveryRole(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		const scraperToken = "scraper-secret-for-the-walk"
		env := webtest.New(t, db, func(c *config.Config) { c.MetricsToken = scraperToken })
		people := map[auth.Role]*webtest.Person{}
		for _, r := range auth.Roles {
			people[r] = env.SignedIn(t, r, string(r)+"@walk.example.org")
		}
		routes := env.Server.Routes()
		if len(routes) < 10 {
			t.Fatalf("only %d routes", len(routes))
		}
		for _, rt := range routes {
			if rt.Access.Name == "" {
				t.Errorf("%s declares no access", rt.Pattern)
			}
			if !rt.Access.Public && len(rt.Access.Roles) == 0 {
				t.Errorf("%s (%s) is open to nobody", rt.Pattern, rt.Access.Name)
			}
			method, path := requestFor(rt.Pattern)
			// Whatever else changes, administration stays with admins.
			if (path == "/admin" || strings.HasPrefix(path, "/admin/")) && (rt.Access.Public || len(rt.Access.Roles) != 1 || rt.Access.Roles[0] != auth.Admin) {
				t.Errorf("%s is open to %s, want admins only", rt.Pattern, rt.Access.Name)
			}
			isAPI := strings.HasPrefix(path, "/api/")
			for _, role := range append([]auth.Role{auth.Public}, auth.Roles...) {
				opts := walkBody(method, isAPI)
				if p := people[role]; p != nil {
					if isAPI {
						opts = append(opts, bearer(p.Token))
					} else {
						// A fresh session each time: the walk signs out too.
						opts = append(opts, withCookie(newSession(t, env, p)))
					}
				}
				a := send(t, env, method, path, opts...)
				checkAccess(t, rt, roleName(role), rt.Access.Allows(role), role == auth.Public, path, a)
			}
			// The scraper's token opens /metrics and nothing else: with it,
			// every other route answers as it does to the public.
			a := send(t, env, method, path, append(walkBody(method, isAPI), bearer(scraperToken))...)
			if rt.Pattern == "GET /metrics" {
				if a.StatusCode != http.StatusOK {
					t.Errorf("%s %s with the metrics token: %s", method, path, a)
				}
				continue
			}
			checkAccess(t, rt, "metrics scraper", rt.Access.Allows(auth.Public), true, path, a)
		}
	})
}

// walkBody is a harmless body for a state-changing request: an empty
// form, or an empty JSON object for the API.
func walkBody(method string, isAPI bool) []opt {
	if method != "POST" && method != "PUT" && method != "PATCH" {
		return nil
	}
	if isAPI {
		return []opt{jsonBody("{}")}
	}
	return []opt{form()}
}

func checkAccess(t *testing.T, rt web.RouteInfo, who string, allowed, anonymous bool, path string, a *answer) {
	t.Helper()
	where := rt.Pattern + " (" + rt.Access.Name + ") as " + who
	isAPI := strings.HasPrefix(path, "/api/")
	if a.StatusCode >= 500 {
		t.Errorf("%s: server error %s", where, a)
		return
	}
	if allowed {
		if a.StatusCode == http.StatusUnauthorized || a.StatusCode == http.StatusForbidden || a.redirectsTo("/sign-in") {
			t.Errorf("%s: allowed, yet turned away: %s", where, a)
		}
		return
	}
	switch {
	case isAPI && anonymous:
		if a.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: %s, want 401", where, a)
			return
		}
		if e := errorOf(t, a, http.StatusUnauthorized); e.Code != "unauthorized" {
			t.Errorf("%s: error code %q, want unauthorized", where, e.Code)
		}
	case isAPI:
		if a.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s, want 403", where, a)
			return
		}
		if e := errorOf(t, a, http.StatusForbidden); e.Code != "forbidden" {
			t.Errorf("%s: error code %q, want forbidden", where, e.Code)
		}
	case anonymous:
		if !a.redirectsTo("/sign-in") {
			t.Errorf("%s: %s, want 303 to /sign-in", where, a)
			return
		}
		// A page comes back to itself after sign-in; a form cannot be
		// replayed, so it comes back to the page it was on (the walk sends
		// no Referer: the home page).
		want := path
		if !strings.HasPrefix(rt.Pattern, "GET ") {
			want = "/"
		}
		u, _ := url.Parse(a.Header.Get("Location"))
		if next := u.Query().Get("next"); next != want {
			t.Errorf("%s: sign-in would return to %q, want %q", where, next, want)
		}
	default:
		if a.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s, want 403", where, a)
			return
		}
		if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: 403 as %q, want an HTML page", where, ct)
		}
	}
}
