package browsertest

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// TestPlanDoneWhen follows issue 4's "done when" in a real browser: an
// organiser creates a plan and imports its commitments from a spreadsheet
// built from France's 2015-2017 plan, and gives one an indicator; an
// agent of its lead ministry signs in by link and posts an update with a
// new indicator value, then a value out of order, and is warned; a
// visitor sees the plan's progress bars and the commitment's chart and
// data table, in French and in English. axe-core checks every page state.
func TestPlanDoneWhen(t *testing.T) {
	axe := axeSource(t)
	browser := startBrowser(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	rows := nap2015(t)
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			env := webtest.New(t, storetest.Open(t, engine))
			s := &planScenario{t: t, env: env, cat: cat, browser: browser, axe: axe, rows: rows}
			s.organiser = s.signedIn("fr-FR,fr;q=0.9", auth.Organiser, "ines.orga@example.org", "")
			s.createPlan()
			s.importCommitments()
			s.addIndicator()
			s.agentReports()
			s.publicVisit()
			s.inEnglish()
		})
	}
}

// napRow is a commitment of France's 2015-2017 plan as the shared data
// gives it.
type napRow struct {
	PlanNo  string `json:"plan_no"`
	ID      string `json:"id"`
	TitleEN string `json:"title_en"`
	Lead    string `json:"lead"`
}

// nap2015 reads the commitments of the 2015-2017 plan that have an OGP
// identifier and a lead, from ../shared/data.
func nap2015(t *testing.T) []napRow {
	t.Helper()
	path := filepath.Join(repoRoot(t), "..", "shared", "data", "france_nap_2015_2017_partial.json")
	b, err := os.ReadFile(path)
	if err != nil {
		missing(t, "the plan's data is not at %s (%v)", path, err)
	}
	var data struct{ Commitments []napRow }
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatal(err)
	}
	var out []napRow
	for _, c := range data.Commitments {
		if c.ID != "" && c.Lead != "" && !strings.Contains(c.Lead, "(") && len(out) < 4 {
			out = append(out, c)
		}
	}
	if len(out) < 3 {
		t.Fatalf("only %d usable commitments in %s", len(out), path)
	}
	return out
}

type planScenario struct {
	t         *testing.T
	env       *webtest.Env
	cat       *i18n.Catalog
	browser   context.Context
	axe       string
	rows      []napRow
	organiser *visitor
	planPath  string // /plans/{id}
	first     string // /commitments/{id} of the first commitment
	lead      string // its lead ministry's name
	indicator string // its indicator's id
}

func (s *planScenario) fr(key string, args ...any) string { return s.cat.T("fr", key, args...) }

// signedIn opens a browser for a new user who signs in with a link as if
// received by mail.
func (s *planScenario) signedIn(acceptLanguage string, role auth.Role, email, orgID string) *visitor {
	t := s.t
	t.Helper()
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, s.env.DB, auth.NewUser{Email: email, Name: "Test " + string(role), Role: string(role), OrganisationID: orgID})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := auth.CreateLoginToken(ctx, s.env.DB, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	v := newVisitor(t, s.browser, s.env.HTTP.URL, s.axe, acceptLanguage)
	if st := v.openURL(auth.SignInURL(s.env.HTTP.URL, secret)); st != http.StatusOK {
		t.Fatalf("sign-in link: status %d", st)
	}
	v.checkA11y()
	if st := v.click(`main form button[type="submit"]`); st != http.StatusOK || v.path() != "/account" {
		t.Fatalf("confirm sign-in: status %d on %s", st, v.path())
	}
	return v
}

// see opens a page, checks its status and h1, and runs axe-core on it.
func (s *planScenario) see(v *visitor, path string, status int64, h1 string) {
	s.t.Helper()
	if st := v.open(path); st != status {
		s.t.Errorf("%s: status %d, want %d", path, st, status)
	}
	if h1 != "" {
		if got := v.text("h1"); got != h1 {
			s.t.Errorf("%s: h1 %q, want %q", path, got, h1)
		}
	}
	v.checkA11y()
}

// submit clicks a form's submit button and checks the status.
func (s *planScenario) submit(v *visitor, form string, status int64) {
	s.t.Helper()
	if st := v.click(form + ` button[type="submit"]`); st != status {
		s.t.Fatalf("submit %s on %s: status %d, want %d; page: %.300s", form, v.path(), st, status, v.text("main"))
	}
}

// fieldError checks the message shown next to a field after a refused form.
func (s *planScenario) fieldError(v *visitor, id, want string) {
	s.t.Helper()
	if got := v.text("#" + id + "-error"); got != want {
		s.t.Errorf("on %s: message at %s %q, want %q", v.path(), id, got, want)
	}
	if !v.besideField("#"+id+"-error", id) || v.attr("#"+id, "aria-invalid") != "true" {
		s.t.Errorf("on %s: the message of %s is not tied to it", v.path(), id)
	}
}

// createPlan: the plan form, refused with bad dates, then accepted.
func (s *planScenario) createPlan() {
	t, v := s.t, s.organiser
	s.see(v, "/plans", http.StatusOK, s.fr("plan.list_title"))
	if st := v.click(`main a[href="/plans/new"]`); st != http.StatusOK {
		t.Fatalf("new plan form: status %d", st)
	}
	v.checkA11y()
	v.typeInto("#f-title", "Plan d'action national 2015-2017")
	v.typeInto(`[id="f-starts_on"]`, "16/07/2015")
	v.typeInto(`[id="f-ends_on"]`, "2015-01-01")
	v.typeInto(`[id="f-axes.0.title"]`, "Rendre des comptes")
	v.typeInto(`[id="f-axes.1.title"]`, "Consulter, concerter, coproduire")
	s.submit(v, `main form[action="/plans"]`, http.StatusUnprocessableEntity)
	s.fieldError(v, "f-ends_on", s.fr("error.plan_ends_before_start"))
	v.checkA11y()
	v.typeInto(`[id="f-ends_on"]`, "15/07/2017")
	v.choose("#f-status", "implementation")
	s.submit(v, `main form[action="/plans"]`, http.StatusOK)
	if !strings.HasPrefix(v.path(), "/plans/") || v.text("h1") != "Plan d'action national 2015-2017" {
		t.Fatalf("after creating the plan: on %s, h1 %q", v.path(), v.text("h1"))
	}
	s.planPath = strings.Split(v.path(), "?")[0]
	v.checkA11y()
}

// spreadsheet writes the plan's commitments as a CSV with the OGP
// dataset's headers; milestones carry "End 2018:" prefixes.
func (s *planScenario) spreadsheet() string {
	s.t.Helper()
	path := filepath.Join(s.t.TempDir(), "engagements-2015-2017.csv")
	f, err := os.Create(path)
	if err != nil {
		s.t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"Commitment Unique Identifier", "Commitment Number", "Commitment Title", "Theme", "Lead Institution", "Milestones"})
	for i, r := range s.rows {
		theme := "Rendre des comptes"
		if i%2 == 1 {
			theme = "2"
		}
		w.Write([]string{r.ID, r.PlanNo, r.TitleEN, theme, r.Lead,
			"End 2016: Publish the first data | End 2018: Review the results with civil society"})
	}
	w.Flush()
	if err := f.Close(); err != nil || w.Error() != nil {
		s.t.Fatal(err, w.Error())
	}
	return path
}

// importCommitments: upload, suggested mapping, preview, import.
func (s *planScenario) importCommitments() {
	t, v := s.t, s.organiser
	s.see(v, s.planPath+"/import", http.StatusOK, s.fr("plan.import.title"))
	s.submit(v, `main form[action="`+s.planPath+`/import"]`, http.StatusUnprocessableEntity)
	s.fieldError(v, "f-file", s.fr("error.import_no_file"))
	v.checkA11y()

	v.upload("#f-file", s.spreadsheet())
	s.submit(v, `main form[action="`+s.planPath+`/import"]`, http.StatusOK)
	for field, header := range map[string]string{"reference": "Commitment Unique Identifier", "number": "Commitment Number",
		"title": "Commitment Title", "axis": "Theme", "lead": "Lead Institution", "milestones": "Milestones", "support": ""} {
		if got := v.value("#f-map-" + field); got != header {
			t.Errorf("suggested mapping: %s ← %q, want %q", field, got, header)
		}
	}
	v.checkA11y()
	if st := v.click(`button[name="action"][value="preview"]`); st != http.StatusOK {
		t.Fatalf("preview: status %d", st)
	}
	counts := s.fr("import.counts", "created", len(s.rows), "updated", 0, "unchanged", 0, "errors", 0)
	if got := v.text("#h-preview + p"); got != counts {
		t.Errorf("preview: %q, want %q", got, counts)
	}
	v.checkA11y()
	if st := v.click(`button[name="action"][value="import"]`); st != http.StatusOK || v.text("h1") != s.fr("import.done_title") {
		t.Fatalf("import: status %d, h1 %q", st, v.text("h1"))
	}
	v.checkA11y()

	// The plan shows every commitment with its progress bar.
	if st := v.click(`main a[href="` + s.planPath + `"]`); st != http.StatusOK {
		t.Fatalf("back to the plan: status %d", st)
	}
	links := eval[[]string](v, `Array.from(document.querySelectorAll('table.commitments tbody tr td:nth-child(2) a'), a => a.getAttribute('href'))`)
	if len(links) != len(s.rows) {
		t.Fatalf("the plan lists %d commitments, want %d", len(links), len(s.rows))
	}
	s.first = links[0]
	s.lead = v.text("table.commitments tbody tr:first-child td:nth-child(4)")
	if !strings.HasPrefix(s.rows[0].Lead, s.lead) {
		t.Errorf("lead of the first commitment %q, want the first of %q", s.lead, s.rows[0].Lead)
	}
	if n := eval[int](v, `document.querySelectorAll('table.commitments progress').length`); n != len(s.rows) {
		t.Errorf("%d progress bars for %d commitments", n, len(s.rows))
	}
	v.checkA11y()
}

// addIndicator: the organiser gives the first commitment an indicator
// and a first measured value.
func (s *planScenario) addIndicator() {
	t, v := s.t, s.organiser
	s.see(v, s.first, http.StatusOK, "")
	if got := v.text("li.milestone-late .late-flag"); !strings.Contains(got, "31/12/2016") {
		t.Errorf("the milestone due end 2016 is not flagged late: %q", got)
	}
	if st := v.click(`main a[href="` + s.first + `/indicators/new"]`); st != http.StatusOK {
		t.Fatalf("indicator form: status %d", st)
	}
	v.typeInto("#f-name", "Jeux de données publiés")
	v.typeInto("#f-unit", "jeux")
	v.typeInto("#f-baseline", "douze")
	v.typeInto("#f-baseline_on", "2015-07-16")
	v.typeInto("#f-target", "100")
	v.typeInto("#f-target_on", "2017-07-15")
	s.submit(v, "main form", http.StatusUnprocessableEntity)
	s.fieldError(v, "f-baseline", s.fr("error.plan_not_a_number"))
	v.checkA11y()
	v.typeInto("#f-baseline", "12")
	s.submit(v, "main form", http.StatusOK)
	s.indicator = strings.TrimPrefix(v.attr(`.indicator`, "id"), "indicator-")
	if s.indicator == "" {
		t.Fatalf("no indicator on the commitment page")
	}
	if st := v.click(`main a[href="/indicators/` + s.indicator + `/values/new"]`); st != http.StatusOK {
		t.Fatalf("value form: status %d", st)
	}
	v.checkA11y()
	v.typeInto("#f-date", "31/12/2015")
	v.typeInto("#f-value", "30")
	v.typeInto("#f-source", "data.gouv.fr")
	s.submit(v, "main form", http.StatusOK)
	if v.exists(".alert-warning") {
		t.Errorf("a first value in order is warned about: %q", v.text(".alert-warning"))
	}
	v.checkA11y()
}

// agentReports: an agent of the lead ministry signs in by link, is refused
// an empty update, posts one with a new value, then a value out of order.
func (s *planScenario) agentReports() {
	t := s.t
	var orgID string
	if err := s.env.DB.QueryRowContext(context.Background(), `SELECT id FROM organisations WHERE name = $1`, s.lead).Scan(&orgID); err != nil {
		t.Fatalf("the imported lead %q: %v", s.lead, err)
	}
	v := s.signedIn("fr-FR,fr;q=0.9", auth.Agent, "agent@finances.gouv.example", orgID)
	s.see(v, s.first, http.StatusOK, "")
	if st := v.click(`main a[href="` + s.first + `/updates/new"]`); st != http.StatusOK {
		t.Fatalf("update form: status %d", st)
	}
	v.checkA11y()
	s.submit(v, "main form", http.StatusUnprocessableEntity)
	s.fieldError(v, "f-body", s.fr("error.required"))
	v.checkA11y()

	v.typeInto("#f-body", "Les premières données sont publiées sur data.gouv.fr.")
	v.choose("#f-status", "on_track")
	v.typeInto("#f-evidence_url", "https://www.data.gouv.fr/fr/datasets/")
	v.choose("#f-value_indicator", s.indicator)
	v.typeInto("#f-value_date", "30/06/2016")
	v.typeInto("#f-value", "45")
	s.submit(v, "main form", http.StatusOK)
	if got := v.text(".alert p"); got != s.fr("plan.notice.update") {
		t.Errorf("after the update: notice %q", got)
	}
	if !strings.Contains(v.text("#updates"), "Les premières données sont publiées") || !strings.Contains(v.text("#updates"), s.lead) {
		t.Errorf("the update is not shown with its ministry: %q", v.text("#updates"))
	}
	v.checkA11y()

	// A value dated before the latest: recorded, with a clear warning.
	if st := v.click(`main a[href="/indicators/` + s.indicator + `/values/new"]`); st != http.StatusOK {
		t.Fatalf("value form: status %d", st)
	}
	v.typeInto("#f-date", "31/03/2016")
	v.typeInto("#f-value", "38")
	s.submit(v, "main form", http.StatusOK)
	if got := v.text(".alert-warning"); got != s.fr("warning.plan_value_out_of_order") {
		t.Errorf("value out of order: warning %q", got)
	}
	if v.attr(".alert-warning", "role") != "alert" {
		t.Errorf("the warning is not announced")
	}
	v.checkA11y()

	// Another ministry's commitment is not theirs.
	if st := v.open(s.secondCommitment() + "/updates/new"); st != http.StatusForbidden {
		t.Errorf("another ministry's update form: status %d, want 403", st)
	}
	if got := v.text("h1"); got != s.fr("errorpage.403.title") {
		t.Errorf("403 page: h1 %q", got)
	}
	v.checkA11y()
}

// secondCommitment is a commitment led by another ministry than the first.
func (s *planScenario) secondCommitment() string {
	var id string
	err := s.env.DB.QueryRowContext(context.Background(), `SELECT c.id FROM commitments c JOIN organisations o ON o.id = c.lead_organisation_id
		WHERE o.name <> $1 ORDER BY c.number LIMIT 1`, s.lead).Scan(&id)
	if err != nil {
		s.t.Fatal(err)
	}
	return "/commitments/" + id
}

// publicVisit: a visitor sees the plan's progress and the chart.
func (s *planScenario) publicVisit() {
	t := s.t
	v := newVisitor(t, s.browser, s.env.HTTP.URL, s.axe, "fr-FR,fr;q=0.9")
	s.see(v, "/", http.StatusOK, "")
	if st := v.click(`.site-nav a[href="/plans"]`); st != http.StatusOK {
		t.Fatalf("plans from the menu: status %d", st)
	}
	v.checkA11y()
	if st := v.click(`main a[href="` + s.planPath + `"]`); st != http.StatusOK {
		t.Fatalf("the plan: status %d", st)
	}
	if got := v.text("#h-summary + .progress-line span"); !strings.Contains(got, "%") {
		t.Errorf("the plan's overall progress: %q", got)
	}
	if got := v.text("table.commitments tbody tr:first-child .state"); got != s.fr("plan.state.late") {
		t.Errorf("first commitment's state %q, want late", got)
	}
	v.checkA11y()

	// Filter by state.
	v.choose("#f-state", "late")
	s.submit(v, `main form[role="search"]`, http.StatusOK)
	if n := eval[int](v, `document.querySelectorAll('table.commitments tbody tr').length`); n != len(s.rows) {
		t.Errorf("late commitments: %d rows, want %d", n, len(s.rows))
	}
	v.checkA11y()
	v.choose("#f-state", "done")
	s.submit(v, `main form[role="search"]`, http.StatusOK)
	if v.exists("table.commitments") || v.text(`main p[role="status"]`) != s.fr("plan.filtered_count", "count", 0, "total", len(s.rows)) {
		t.Errorf("done commitments: %q", v.text(`main p[role="status"]`))
	}
	v.checkA11y()

	s.see(v, s.first, http.StatusOK, "")
	chart := "#indicator-" + s.indicator + " svg.chart"
	if v.attr(chart, "role") != "img" || v.text(chart+" title") != s.fr("plan.chart.title", "name", "Jeux de données publiés") {
		t.Errorf("chart: role %q, title %q", v.attr(chart, "role"), v.text(chart+" title"))
	}
	if n := eval[int](v, `document.querySelectorAll(`+js(chart+" circle")+`).length`); n != 3 {
		t.Errorf("the chart shows %d values, want 3", n)
	}
	if !v.exists(chart+" .chart-baseline") || !v.exists(chart+" .chart-target") {
		t.Errorf("the chart has no baseline or target line")
	}
	table := rowsOf(v, "#indicator-"+s.indicator+" table")
	want := [][]string{{"16/07/2015", "12 jeux", s.fr("plan.indicator.baseline")}, {"31/12/2015", "30 jeux", "data.gouv.fr"},
		{"31/03/2016", "38 jeux", ""}, {"30/06/2016", "45 jeux", ""}, {"15/07/2017", "100 jeux", s.fr("plan.indicator.target")}}
	if len(table) != len(want) {
		t.Errorf("data table %q, want %q", table, want)
	} else {
		for i := range want {
			if strings.Join(table[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("data table row %d: %q, want %q", i, table[i], want[i])
			}
		}
	}
	if !v.exists(`a[href="/sign-in?next=` + s.first + `"]`) {
		t.Errorf("the visitor is not offered to sign in to follow")
	}

	// The lead ministry's page lists the commitment.
	if st := v.click(`main dd a[href^="/organisations/"]`); st != http.StatusOK {
		t.Fatalf("lead ministry's page: status %d", st)
	}
	if !v.exists(`#h-commitments ~ ul a[href="` + s.first + `"]`) {
		t.Errorf("the ministry's page does not list its commitment")
	}
	v.checkA11y()
}

// inEnglish: a visitor whose browser asks for English.
func (s *planScenario) inEnglish() {
	t := s.t
	en := func(key string, args ...any) string { return s.cat.T("en", key, args...) }
	v := newVisitor(t, s.browser, s.env.HTTP.URL, s.axe, "en-GB,en;q=0.9")
	s.see(v, "/plans", http.StatusOK, en("plan.list_title"))
	s.see(v, s.planPath, http.StatusOK, "Plan d'action national 2015-2017")
	if v.lang() != "en" || v.text("#h-commitments") != en("plan.commitments_title") {
		t.Errorf("plan page in English: lang %q, heading %q", v.lang(), v.text("#h-commitments"))
	}
	if v.attr("h1", "lang") != "fr" {
		t.Errorf("the French title on an English page is not marked lang=fr")
	}
	s.see(v, s.first, http.StatusOK, "")
	if got := v.text("#indicator-" + s.indicator + " svg title"); got != en("plan.chart.title", "name", "Jeux de données publiés") {
		t.Errorf("chart title in English: %q", got)
	}
	if got := v.text("#indicator-" + s.indicator + " tbody tr:nth-child(2) td:first-child"); got != "31 Dec 2015" {
		t.Errorf("a date in English: %q", got)
	}
	if !strings.Contains(v.text("#milestones"), en("plan.milestone_status.late")) {
		t.Errorf("milestones in English: %q", v.text("#milestones"))
	}
	s.see(v, s.planPath+"?value=bogus", http.StatusUnprocessableEntity, "Plan d'action national 2015-2017")
	s.fieldError(v, "f-value", en("error.plan_ogp_value_invalid"))
}
