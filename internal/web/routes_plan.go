package web

import (
	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/plan"
)

var planViews = []string{
	"plans", "plan", "plan_form", "plan_alerts", "plan_import", "plan_import_mapping", "plan_import_done",
	"commitment", "commitment_form", "commitment_milestone", "commitment_indicator", "commitment_value", "commitment_update",
}

// planEditors may change commitments: organisers and admins any of them,
// agents those their administration leads — which the plan domain checks
// on each change, answering 403 otherwise.
var planEditors = Access{Name: "plan-editors", Roles: []auth.Role{auth.Admin, auth.Organiser, auth.Agent}}

// uploadBody caps a form that may carry a document.
const uploadBody = plan.MaxDocumentSize + 1<<20

// planRoutes: plans and commitments are public; organisers make plans,
// commitments and imports; the agents of the lead administration report
// on their commitments.
func (s *Server) planRoutes() []route {
	return []route{
		// Public pages; visitors who are not signed in may get them from
		// the page cache (exports and documents, with their own headers, not).
		{pattern: "GET /plans", access: anyone, handler: s.plans, cache: true},
		{pattern: "GET /plans/{id}", access: anyone, handler: s.planPage, cache: true},
		{pattern: "GET /commitments/{id}", access: anyone, handler: s.commitmentPage, cache: true},
		{pattern: "GET /evidence/{id}", access: anyone, handler: s.evidenceDownload},
		{pattern: "POST /commitments/{id}/follow", access: signedIn, handler: s.commitmentFollow},
		{pattern: "POST /commitments/{id}/unfollow", access: signedIn, handler: s.commitmentUnfollow},

		// Organisers: plans, commitments, imports, alerts.
		{pattern: "GET /plans/new", access: organisers, handler: s.planNew},
		{pattern: "POST /plans", access: organisers, handler: s.planCreate},
		{pattern: "GET /plans/{id}/edit", access: organisers, handler: s.planEdit},
		{pattern: "POST /plans/{id}/edit", access: organisers, handler: s.planUpdate},
		{pattern: "GET /plans/{id}/commitments/new", access: organisers, handler: s.commitmentNew},
		{pattern: "POST /plans/{id}/commitments", access: organisers, handler: s.commitmentCreate},
		{pattern: "GET /plans/{id}/import", access: organisers, handler: s.planImportForm},
		{pattern: "POST /plans/{id}/import", access: organisers, handler: s.planImportUpload, maxBody: maxImportSize + 1<<20},
		{pattern: "POST /plans/{id}/import/{upload}", access: organisers, handler: s.planImportRun},
		{pattern: "GET /plans/{id}/alerts", access: organisers, handler: s.planAlerts},
		{pattern: "POST /plans/{id}/alerts/{alert}/dismiss", access: organisers, handler: s.planAlertDismiss},
		{pattern: "POST /milestones/{id}/delete", access: organisers, handler: s.milestoneDelete},

		// The lead administration's agents (and organisers): reporting.
		{pattern: "GET /commitments/{id}/edit", access: planEditors, handler: s.commitmentEdit},
		{pattern: "POST /commitments/{id}/edit", access: planEditors, handler: s.commitmentUpdate},
		{pattern: "GET /commitments/{id}/updates/new", access: planEditors, handler: s.updateNew},
		{pattern: "POST /commitments/{id}/updates", access: planEditors, handler: s.updatePost, maxBody: uploadBody},
		{pattern: "GET /commitments/{id}/milestones/new", access: planEditors, handler: s.milestoneNew},
		{pattern: "POST /commitments/{id}/milestones", access: planEditors, handler: s.milestoneCreate},
		{pattern: "GET /milestones/{id}/edit", access: planEditors, handler: s.milestoneEdit},
		{pattern: "POST /milestones/{id}/edit", access: planEditors, handler: s.milestoneUpdate},
		{pattern: "POST /milestones/{id}/evidence", access: planEditors, handler: s.evidenceAdd, maxBody: uploadBody},
		{pattern: "POST /evidence/{id}/delete", access: planEditors, handler: s.evidenceDelete},
		{pattern: "GET /commitments/{id}/indicators/new", access: planEditors, handler: s.indicatorNew},
		{pattern: "POST /commitments/{id}/indicators", access: planEditors, handler: s.indicatorCreate},
		{pattern: "GET /indicators/{id}/edit", access: planEditors, handler: s.indicatorEdit},
		{pattern: "POST /indicators/{id}/edit", access: planEditors, handler: s.indicatorUpdate},
		{pattern: "GET /indicators/{id}/values/new", access: planEditors, handler: s.valueNew},
		{pattern: "POST /indicators/{id}/values", access: planEditors, handler: s.valueCreate},

		// Plan API: reading is public and carries no personal data.
		{pattern: "GET /api/v1/plans", access: anyone, handler: s.apiPlans, cache: true},
		{pattern: "POST /api/v1/plans", access: organisers, handler: s.apiPlanCreate},
		{pattern: "GET /api/v1/plans/{id}", access: anyone, handler: s.apiPlan, cache: true},
		{pattern: "PATCH /api/v1/plans/{id}", access: organisers, handler: s.apiPlanPatch},
		{pattern: "GET /api/v1/plans/{id}/commitments", access: anyone, handler: s.apiCommitments, cache: true},
		{pattern: "POST /api/v1/plans/{id}/commitments", access: organisers, handler: s.apiCommitmentCreate},
		{pattern: "POST /api/v1/plans/{id}/commitments/import", access: organisers, handler: s.apiCommitmentImport, maxBody: maxImportSize + 1},
		{pattern: "GET /api/v1/plans/{id}/export.csv", access: anyone, handler: s.apiPlanExport("csv")},
		{pattern: "GET /api/v1/plans/{id}/export.json", access: anyone, handler: s.apiPlanExport("json")},
		{pattern: "GET /api/v1/commitments/{id}", access: anyone, handler: s.apiCommitment, cache: true},
		{pattern: "PATCH /api/v1/commitments/{id}", access: planEditors, handler: s.apiCommitmentPatch},
		{pattern: "POST /api/v1/commitments/{id}/milestones", access: planEditors, handler: s.apiMilestoneCreate},
		{pattern: "PATCH /api/v1/milestones/{id}", access: planEditors, handler: s.apiMilestonePatch},
		{pattern: "POST /api/v1/commitments/{id}/indicators", access: planEditors, handler: s.apiIndicatorCreate},
		{pattern: "POST /api/v1/indicators/{id}/values", access: planEditors, handler: s.apiValueCreate},
		{pattern: "POST /api/v1/commitments/{id}/updates", access: planEditors, handler: s.apiUpdatePost},
	}
}
