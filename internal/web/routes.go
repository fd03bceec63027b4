package web

import "net/http"

// routeTable is the whole site: every route with who may use it. A test
// walks it with every role.
func (s *Server) routeTable() []route {
	return []route{
		// Public pages.
		{pattern: "GET /{$}", access: anyone, handler: s.home},
		{pattern: "GET /accessibility", access: anyone, handler: s.accessibility},
		{pattern: "GET /privacy", access: anyone, handler: s.privacy},
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

		// Directory: organisations are public, people are for organisers.
		{pattern: "GET /organisations", access: anyone, handler: s.organisations},
		{pattern: "GET /organisations/{id}", access: anyone, handler: s.organisation},
		{pattern: "GET /organisations/{id}/edit", access: organisers, handler: s.organisationEdit},
		{pattern: "POST /organisations/{id}/edit", access: organisers, handler: s.organisationUpdate},
		{pattern: "POST /organisations/{id}/delete", access: organisers, handler: s.organisationDelete},
		{pattern: "GET /directory", access: organisers, handler: s.directoryHome},
		{pattern: "GET /directory/organisations/new", access: organisers, handler: s.organisationNew},
		{pattern: "POST /directory/organisations", access: organisers, handler: s.organisationCreate},
		{pattern: "GET /directory/people/new", access: organisers, handler: s.personNew},
		{pattern: "POST /directory/people", access: organisers, handler: s.personCreate},
		{pattern: "GET /directory/people/{id}", access: organisers, handler: s.person},
		{pattern: "GET /directory/people/{id}/edit", access: organisers, handler: s.personEdit},
		{pattern: "POST /directory/people/{id}/edit", access: organisers, handler: s.personUpdate},
		{pattern: "GET /directory/people/{id}/data", access: organisers, handler: s.personDataDownload},
		{pattern: "GET /directory/people/{id}/erase", access: organisers, handler: s.personEraseConfirm},
		{pattern: "POST /directory/people/{id}/erase", access: organisers, handler: s.personErase},
		{pattern: "GET /directory/audiences", access: organisers, handler: s.audiences},
		{pattern: "GET /directory/audiences/new", access: organisers, handler: s.audienceNew},
		{pattern: "POST /directory/audiences", access: organisers, handler: s.audienceCreate},
		{pattern: "GET /directory/audiences/{id}", access: organisers, handler: s.audience},
		{pattern: "POST /directory/audiences/{id}/delete", access: organisers, handler: s.audienceDelete},
		{pattern: "GET /directory/duplicates", access: organisers, handler: s.duplicates},
		{pattern: "POST /directory/duplicates/merge", access: organisers, handler: s.duplicatesMerge},

		// Joining the community and personal preferences (links from mail).
		{pattern: "GET /join", access: anyone, handler: s.joinForm},
		{pattern: "POST /join", access: anyone, handler: s.joinRequest, limit: "join"},
		{pattern: "GET /join/sent", access: anyone, handler: s.joinSent},
		{pattern: "GET /join/confirm/{token}", access: anyone, handler: s.joinConfirmForm},
		{pattern: "POST /join/confirm/{token}", access: anyone, handler: s.joinConfirm, limit: "join"},
		{pattern: "GET /preferences/{token}", access: anyone, handler: s.preferences},
		{pattern: "POST /preferences/{token}", access: anyone, handler: s.preferencesSave, limit: "preferences"},
		{pattern: "POST /preferences/{token}/unsubscribe", access: anyone, handler: s.preferencesUnsubscribe, limit: "preferences"},
		{pattern: "GET /preferences/{token}/data", access: anyone, handler: s.preferencesData},
		{pattern: "GET /preferences/{token}/erase", access: anyone, handler: s.preferencesEraseConfirm},
		{pattern: "POST /preferences/{token}/erase", access: anyone, handler: s.preferencesErase, limit: "preferences"},

		// Administration.
		{pattern: "GET /admin", access: admins, handler: s.adminHome},
		{pattern: "GET /admin/outbox", access: admins, handler: s.adminOutbox},
		{pattern: "GET /admin/outbox/{id}", access: admins, handler: s.adminMail},
		{pattern: "POST /admin/outbox/{id}/retry", access: admins, handler: s.adminMailRetry},
		{pattern: "GET /admin/audit", access: admins, handler: s.adminAudit},
		{pattern: "GET /admin/settings", access: admins, handler: s.adminSettings},
		{pattern: "POST /admin/settings", access: admins, handler: s.adminSettingsSave},
		{pattern: "GET /admin/sectors", access: admins, handler: s.adminSectors},
		{pattern: "POST /admin/sectors", access: admins, handler: s.adminSectorSave},
		{pattern: "POST /admin/sectors/{slug}/delete", access: admins, handler: s.adminSectorDelete},
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

		// Directory API. "organization" spellings are aliases.
		{pattern: "GET /api/v1/sectors", access: anyone, handler: s.apiSectors},
		{pattern: "GET /api/v1/organisations", access: anyone, handler: s.apiOrganisations},
		{pattern: "POST /api/v1/organisations", access: organisers, handler: s.apiOrganisationCreate},
		{pattern: "GET /api/v1/organisations/{id}", access: anyone, handler: s.apiOrganisation},
		{pattern: "PATCH /api/v1/organisations/{id}", access: organisers, handler: s.apiOrganisationPatch},
		{pattern: "DELETE /api/v1/organisations/{id}", access: organisers, handler: s.apiOrganisationDelete},
		{pattern: "GET /api/v1/organizations", access: anyone, handler: s.apiOrganisations},
		{pattern: "POST /api/v1/organizations", access: organisers, handler: s.apiOrganisationCreate},
		{pattern: "GET /api/v1/organizations/{id}", access: anyone, handler: s.apiOrganisation},
		{pattern: "PATCH /api/v1/organizations/{id}", access: organisers, handler: s.apiOrganisationPatch},
		{pattern: "DELETE /api/v1/organizations/{id}", access: organisers, handler: s.apiOrganisationDelete},
		{pattern: "GET /api/v1/people", access: organisers, handler: s.apiPeople},
		{pattern: "POST /api/v1/people", access: organisers, handler: s.apiPersonCreate},
		{pattern: "GET /api/v1/people/{id}", access: organisers, handler: s.apiPerson},
		{pattern: "PATCH /api/v1/people/{id}", access: organisers, handler: s.apiPersonPatch},
		{pattern: "DELETE /api/v1/people/{id}", access: organisers, handler: s.apiPersonDelete},
		{pattern: "GET /api/v1/people/{id}/data", access: organisers, handler: s.apiPersonData},
		{pattern: "POST /api/v1/people/{id}/erase", access: organisers, handler: s.apiPersonErase},
		{pattern: "POST /api/v1/people/{id}/merge", access: organisers, handler: s.apiPersonMerge},
		{pattern: "GET /api/v1/duplicates", access: organisers, handler: s.apiDuplicates},
		{pattern: "GET /api/v1/audiences", access: organisers, handler: s.apiAudiences},
		{pattern: "POST /api/v1/audiences", access: organisers, handler: s.apiAudienceCreate},
		{pattern: "GET /api/v1/audiences/{id}", access: organisers, handler: s.apiAudience},
		{pattern: "PATCH /api/v1/audiences/{id}", access: organisers, handler: s.apiAudiencePatch},
		{pattern: "DELETE /api/v1/audiences/{id}", access: organisers, handler: s.apiAudienceDelete},
		{pattern: "GET /api/v1/audiences/{id}/members", access: organisers, handler: s.apiAudienceMembers},

		// Anything else: a 404 in the caller's language (JSON under /api/).
		{pattern: "/", access: anyone, handler: s.notFound},
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound)
}
