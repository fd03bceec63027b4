package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/ogforum/ogforum/internal/auth"
)

// Access says who may use a route.
type Access struct {
	Name  string
	Roles []auth.Role // signed-in roles allowed
	// Public routes are open to everyone, signed in or not.
	Public bool
}

// Allows tells whether a person with role r (auth.Public when not signed
// in) may use the route.
func (a Access) Allows(r auth.Role) bool {
	return a.Public || (r != auth.Public && slices.Contains(a.Roles, r))
}

var (
	anyone   = Access{Name: "anyone", Public: true}
	signedIn = Access{Name: "signed-in", Roles: auth.Roles}
	admins   = Access{Name: "admins", Roles: []auth.Role{auth.Admin}}
	// organisers run forums and the directory.
	organisers = Access{Name: "organisers", Roles: []auth.Role{auth.Admin, auth.Organiser}}
)

// RouteInfo describes a route for tests.
type RouteInfo struct {
	Pattern string
	Access  Access
}

type route struct {
	pattern string
	access  Access
	handler http.HandlerFunc
	// limit names the rate-limit bucket of a public form ("" for none).
	limit string
	// maxBody caps the request body (default 1 MiB).
	maxBody int64
	// bypass, when set and true for a request, lets it through whatever
	// its role (the metrics scraper's token).
	bypass func(r *http.Request) bool
	// cache marks a public page that may be served from the page cache to
	// visitors who are not signed in (see pagecache.go).
	cache bool
}

func (rt route) isAPI() bool {
	_, path, _ := strings.Cut(rt.pattern, " ")
	return strings.HasPrefix(path, "/api/")
}

const defaultMaxBody = 1 << 20

// wrap applies the route's declarations: body limit, access check, rate
// limit and metrics.
func (s *Server) wrap(rt route) http.Handler {
	maxBody := rt.maxBody
	if maxBody == 0 {
		maxBody = defaultMaxBody
	}
	api := rt.isAPI()
	var h http.Handler = rt.handler
	return s.instrument(rt.pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		st := state(r)
		role := auth.Public
		if st.User != nil {
			role = st.User.Role
		}
		if !rt.access.Allows(role) && (rt.bypass == nil || !rt.bypass(r)) {
			if st.User == nil {
				if api {
					w.Header().Set("WWW-Authenticate", `Bearer realm="ogforum"`)
					s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "error.unauthorized", nil)
				} else {
					// After sign-in, come back to this page, or for a form
					// to the page it was on.
					http.Redirect(w, r, "/sign-in?next="+safeNext(backPath(r)), http.StatusSeeOther)
				}
				return
			}
			s.forbidden(w, r)
			return
		}
		if rt.limit != "" && r.Method != http.MethodGet && !s.allowRate(w, r, rt.limit) {
			return
		}
		if !api && r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					s.errorPage(w, r, http.StatusRequestEntityTooLarge)
				} else {
					s.errorPage(w, r, http.StatusBadRequest)
				}
				return
			}
		}
		if rt.cache && s.serveCached(w, r, h) {
			return
		}
		h.ServeHTTP(w, r)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.pages.clear() // a change may show on public pages
		}
	}))
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiError(w, r, http.StatusForbidden, "forbidden", "error.forbidden", nil)
		return
	}
	s.errorPage(w, r, http.StatusForbidden)
}

// allowRate applies the per-IP limit of a public form; it answers 429
// itself when the limit is reached.
func (s *Server) allowRate(w http.ResponseWriter, r *http.Request, bucket string) bool {
	ok, wait, err := s.limiter.Allow(r.Context(), bucket+":"+s.clientIP(r))
	if err != nil {
		s.log.Error("rate limit", "err", err, "request_id", state(r).ID)
		return true
	}
	if ok {
		return true
	}
	w.Header().Set("Retry-After", itoa(int(wait.Seconds())+1))
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiError(w, r, http.StatusTooManyRequests, "rate_limited", "error.rate_limited", nil)
	} else {
		s.errorPage(w, r, http.StatusTooManyRequests)
	}
	return false
}

// safeNext keeps only a local path for a redirect after sign-in.
func safeNext(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return urlQueryEscape(p)
}
