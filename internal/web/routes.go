package web

import "net/http"

// routeTable is the whole site: every route with who may use it. A test
// walks it with every role. Each domain lists its routes in its own file
// (routes_<domain>.go); the catch-all comes last.
func (s *Server) routeTable() []route {
	var all []route
	for _, part := range [][]route{s.platformRoutes(), s.directoryRoutes(), s.planRoutes(), s.forumRoutes()} {
		all = append(all, part...)
	}
	return append(all, route{pattern: "/", access: anyone, handler: s.notFound})
}

// platformRoutes are the frame: public pages, sign-in, administration,
// operations and the platform's API.
func (s *Server) platformRoutes() []route {
	return []route{
		// Public pages.
		{pattern: "GET /{$}", access: anyone, handler: s.home, cache: true},
		{pattern: "GET /accessibility", access: anyone, handler: s.accessibility, cache: true},
		{pattern: "GET /privacy", access: anyone, handler: s.privacy, cache: true},
		{pattern: "POST /language", access: anyone, handler: s.setLanguage},
		{pattern: "GET /static/", access: anyone, handler: s.assets.serve},

		// Sign-in and account.
		{pattern: "GET /sign-in", access: anyone, handler: s.signInForm},
		{pattern: "POST /sign-in", access: anyone, handler: s.signInRequest, limit: "sign-in"},
		{pattern: "GET /sign-in/sent", access: anyone, handler: s.signInSent},
		{pattern: "GET /sign-in/{token}", access: anyone, handler: s.signInConfirm},
		{pattern: "POST /sign-in/{token}", access: anyone, handler: s.signInRedeem, limit: "sign-in"},
		{pattern: "POST /sign-out", access: signedIn, handler: s.signOut},
		{pattern: "POST /sign-out/everywhere", access: signedIn, handler: s.signOutEverywhere},
		{pattern: "GET /account", access: signedIn, handler: s.account},
		{pattern: "POST /account/tokens", access: signedIn, handler: s.accountToken},

		// Administration.
		{pattern: "GET /admin", access: admins, handler: s.adminHome},
		{pattern: "GET /admin/outbox", access: admins, handler: s.adminOutbox},
		{pattern: "GET /admin/outbox/{id}", access: admins, handler: s.adminMail},
		{pattern: "POST /admin/outbox/{id}/retry", access: admins, handler: s.adminMailRetry},
		{pattern: "GET /admin/audit", access: admins, handler: s.adminAudit},
		{pattern: "GET /admin/settings", access: admins, handler: s.adminSettings},
		{pattern: "POST /admin/settings", access: admins, handler: s.adminSettingsSave},
		{pattern: "GET /admin/users", access: admins, handler: s.adminUsers},
		{pattern: "POST /admin/users", access: admins, handler: s.adminUserCreate},
		{pattern: "POST /admin/users/{id}", access: admins, handler: s.adminUserUpdate},

		// Operations.
		{pattern: "GET /healthz", access: anyone, handler: s.healthz},
		{pattern: "GET /readyz", access: anyone, handler: s.readyz},
		{pattern: "GET /metrics", access: admins, handler: s.metricsHandler(), bypass: s.metricsBypass},

		// JSON API.
		{pattern: "POST /api/v1/sign-in", access: anyone, handler: s.apiSignIn, limit: "sign-in"},
		{pattern: "GET /api/v1/me", access: signedIn, handler: s.apiMe},
		{pattern: "GET /api/v1/users", access: admins, handler: s.apiUsers},
		{pattern: "POST /api/v1/users", access: admins, handler: s.apiUserCreate},
		{pattern: "GET /api/v1/outbox", access: admins, handler: s.apiOutbox},
		{pattern: "GET /api/v1/audit", access: admins, handler: s.apiAudit},
		{pattern: "GET /api/v1/settings", access: admins, handler: s.apiSettings},
		{pattern: "PUT /api/v1/settings", access: admins, handler: s.apiSettingsSave},
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound)
}
