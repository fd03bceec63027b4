package web

import "github.com/ogforum/ogforum/internal/directory"

var directoryViews = []string{
	"organisations", "organisation", "organisation_form",
	"directory", "person", "person_form", "person_erase",
	"audiences", "audience_form", "audience", "duplicates",
	"join", "join_sent", "join_confirm", "preferences", "preferences_erase", "admin_sectors",
	"import", "import_mapping", "import_done",
}

// directoryRoutes: organisations are public, people are for organisers;
// the join form and the preferences pages are reached from mail.
func (s *Server) directoryRoutes() []route {
	return []route{
		// Directory: organisations are public, people are for organisers.
		{pattern: "GET /organisations", access: anyone, handler: s.organisations, cache: true},
		{pattern: "GET /organisations/{id}", access: anyone, handler: s.organisation, cache: true},
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
		{pattern: "GET /directory/import", access: organisers, handler: s.importForm},
		{pattern: "POST /directory/import", access: organisers, handler: s.importUpload, maxBody: maxImportSize + 1<<20},
		{pattern: "POST /directory/import/{id}", access: organisers, handler: s.importRun},
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

		{pattern: "GET /admin/sectors", access: admins, handler: s.adminSectors},
		{pattern: "POST /admin/sectors", access: admins, handler: s.adminSectorSave},
		{pattern: "POST /admin/sectors/{slug}/delete", access: admins, handler: s.adminSectorDelete},

		// Directory API. "organization" spellings are aliases.
		{pattern: "GET /api/v1/sectors", access: anyone, handler: s.apiSectors, cache: true},
		{pattern: "GET /api/v1/organisations", access: anyone, handler: s.apiOrganisations, cache: true},
		{pattern: "POST /api/v1/organisations", access: organisers, handler: s.apiOrganisationCreate},
		{pattern: "GET /api/v1/organisations/{id}", access: anyone, handler: s.apiOrganisation, cache: true},
		{pattern: "PATCH /api/v1/organisations/{id}", access: organisers, handler: s.apiOrganisationPatch},
		{pattern: "DELETE /api/v1/organisations/{id}", access: organisers, handler: s.apiOrganisationDelete},
		{pattern: "GET /api/v1/organizations", access: anyone, handler: s.apiOrganisations, cache: true},
		{pattern: "POST /api/v1/organizations", access: organisers, handler: s.apiOrganisationCreate},
		{pattern: "GET /api/v1/organizations/{id}", access: anyone, handler: s.apiOrganisation, cache: true},
		{pattern: "PATCH /api/v1/organizations/{id}", access: organisers, handler: s.apiOrganisationPatch},
		{pattern: "DELETE /api/v1/organizations/{id}", access: organisers, handler: s.apiOrganisationDelete},
		{pattern: "GET /api/v1/organisations/export.csv", access: anyone, handler: s.exportOrganisations(directory.ExportExcel)},
		{pattern: "GET /api/v1/organisations/export.xlsx", access: anyone, handler: s.exportOrganisations(directory.ExportXLSX)},
		{pattern: "GET /api/v1/organizations/export.csv", access: anyone, handler: s.exportOrganisations(directory.ExportExcel)},
		{pattern: "GET /api/v1/organizations/export.xlsx", access: anyone, handler: s.exportOrganisations(directory.ExportXLSX)},
		{pattern: "GET /api/v1/people/export.csv", access: organisers, handler: s.exportPeople(directory.ExportExcel)},
		{pattern: "GET /api/v1/people/export.xlsx", access: organisers, handler: s.exportPeople(directory.ExportXLSX)},
		{pattern: "POST /api/v1/people/import", access: organisers, handler: s.apiImport, maxBody: maxImportSize + 1},
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
	}
}
