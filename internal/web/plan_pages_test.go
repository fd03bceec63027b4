package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// The HTML side: the plan page and its filters, the commitment page with
// its chart, the organisation's commitments, and an agent reporting.
func TestPlanPages(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newPlanWorld(t, db)
		w.seed(t)
		var ind plan.Indicator
		decode(t, w.api(t, w.organiser, "POST", "/api/v1/commitments/"+w.ecoID+"/indicators",
			`{"name":"Données publiées","unit":"%","baseline":10,"baseline_on":"2021-01-01","target":80,"target_on":"2023-12-31"}`), http.StatusCreated, &ind)
		w.api(t, w.organiser, "POST", "/api/v1/indicators/"+ind.ID+"/values", `{"date":"2022-06-30","value":40}`)
		w.api(t, w.organiser, "POST", "/api/v1/commitments/"+w.ecoID+"/milestones", `{"title":"Ouvrir le portail","due_on":"2021-06-30"}`)

		a := send(t, w.env, "GET", "/plans/"+w.planID)
		if a.StatusCode != http.StatusOK || !strings.Contains(a.text(), "Transparence de la commande publique") ||
			!strings.Contains(a.text(), "Ouvrir les ressources juridiques") || !strings.Contains(a.Body, "<progress") {
			t.Fatalf("plan page: %s", a)
		}
		a = send(t, w.env, "GET", "/plans/"+w.planID+"?lead="+w.culture.ID)
		if strings.Contains(a.text(), "Transparence de la commande publique") || !strings.Contains(a.text(), fr("plan.filtered_count", "count", 1, "total", 2)) {
			t.Errorf("filter by lead: the other commitment shows")
		}
		a = send(t, w.env, "GET", "/plans/"+w.planID+"?state=late")
		if !strings.Contains(a.text(), "Transparence de la commande publique") || strings.Contains(a.text(), "Ouvrir les ressources juridiques") {
			t.Errorf("filter by state late: wrong commitments")
		}
		a = send(t, w.env, "GET", "/plans/"+w.planID+"?value=bogus")
		if a.StatusCode != http.StatusUnprocessableEntity || fieldMessages(a.Body, "value") != fr("error.plan_ogp_value_invalid") {
			t.Errorf("unknown OGP value: %d, message %q", a.StatusCode, fieldMessages(a.Body, "value"))
		}
		if a := send(t, w.env, "GET", "/plans/"+store.NewID()); a.StatusCode != http.StatusNotFound {
			t.Errorf("unknown plan: %d", a.StatusCode)
		}

		// The commitment page: chart with its name, data table, late milestone; in English too.
		a = send(t, w.env, "GET", "/commitments/"+w.ecoID)
		for _, want := range []string{`<svg class="chart"`, `role="img"`, fr("plan.chart.title", "name", "Données publiées"),
			fr("plan.indicator.values_caption", "name", "Données publiées"), "40", fr("plan.milestone_status.late"), "Regards Citoyens",
			fr("plan.ogp_value.public_accountability")} {
			if !strings.Contains(a.text(), want) {
				t.Errorf("commitment page lacks %q", want)
			}
		}
		if hasPostForm(a.Body, "/commitments/"+w.ecoID+"/follow") {
			t.Errorf("the public is offered to follow without signing in")
		}
		a = send(t, w.env, "GET", "/commitments/"+w.ecoID, header("Accept-Language", "en"))
		if !strings.Contains(a.text(), "Transparency in public procurement") || !strings.Contains(a.text(), en("plan.milestones")) ||
			!strings.Contains(a.Body, `lang="fr"`) {
			t.Errorf("English commitment page: title or language marks missing")
		}

		// Every confirmation a change leads to is translated.
		for _, saved := range []string{"commitment", "update", "milestone", "milestone_deleted", "evidence", "evidence_deleted",
			"indicator", "value", "follow", "unfollow"} {
			for _, lang := range []string{"fr", "en"} {
				a := send(t, w.env, "GET", "/commitments/"+w.ecoID+"?saved="+saved, header("Accept-Language", lang))
				if want := catalog.T(lang, "plan.notice."+saved); strings.HasPrefix(want, "plan.") || !strings.Contains(a.text(), want) {
					t.Errorf("notice %q in %s: %q not shown", saved, lang, want)
				}
			}
		}

		// The ministry's page lists what it leads and supports.
		a = send(t, w.env, "GET", "/organisations/"+w.economy.ID)
		if !strings.Contains(a.text(), fr("plan.org.lead")) || !strings.Contains(a.text(), "Transparence de la commande publique") {
			t.Errorf("organisation page lacks its commitments")
		}
		if a := send(t, w.env, "GET", "/organisations/"+w.association.ID); !strings.Contains(a.text(), fr("plan.org.support")) {
			t.Errorf("the supporting association's page lacks the commitment")
		}

		// Another ministry's agent: 403 pages; the lead's agent: the form.
		for _, path := range []string{"/commitments/" + w.ecoID + "/updates/new", "/commitments/" + w.ecoID + "/edit", "/indicators/" + ind.ID + "/values/new"} {
			if a := send(t, w.env, "GET", path, withCookie(w.cultAgent.Cookie)); a.StatusCode != http.StatusForbidden || !strings.Contains(a.text(), fr("errorpage.403.title")) {
				t.Errorf("GET %s by the other ministry's agent: %s", path, a)
			}
			if a := send(t, w.env, "GET", path, withCookie(w.ecoAgent.Cookie)); a.StatusCode != http.StatusOK {
				t.Errorf("GET %s by the lead's agent: %s", path, a)
			}
		}
		if a := send(t, w.env, "POST", "/commitments/"+w.ecoID+"/updates", withCookie(w.cultAgent.Cookie), form("body", "x", "status", "late")); a.StatusCode != http.StatusForbidden {
			t.Errorf("update by the other ministry's agent: %s", a)
		}

		// An update refused, then posted with a value out of order: the warning shows.
		a = send(t, w.env, "POST", "/commitments/"+w.ecoID+"/updates", withCookie(w.ecoAgent.Cookie),
			form("body", "", "status", "on_track", "value_indicator", ind.ID, "value_date", "2022-01-31", "value", "beaucoup"))
		if a.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("empty update: %s", a)
		}
		if got := fieldMessages(a.Body, "body"); got != fr("plan.update.body_hint")+" | "+fr("error.required") {
			t.Errorf("empty update: body field says %q", got)
		}
		if got := fieldMessages(a.Body, "value"); !strings.Contains(got, fr("error.plan_not_a_number")) {
			t.Errorf("value not a number: field says %q", got)
		}
		if fieldValue(a.Body, "value_date") != "2022-01-31" {
			t.Errorf("the form lost what was typed")
		}
		a = send(t, w.env, "POST", "/commitments/"+w.ecoID+"/updates", withCookie(w.ecoAgent.Cookie),
			form("body", "Les données de 2022 sont publiées.", "status", "on_track", "value_indicator", ind.ID, "value_date", "31/01/2022", "value", "35,5"))
		if !a.redirectsTo("/commitments/" + w.ecoID) {
			t.Fatalf("update with a value: %s", a)
		}
		a = send(t, w.env, "GET", a.Header.Get("Location"), withCookie(w.ecoAgent.Cookie))
		for _, want := range []string{fr("warning.plan_value_out_of_order"), fr("plan.notice.update"), "Les données de 2022 sont publiées.", "35,5"} {
			if !strings.Contains(a.text(), want) {
				t.Errorf("after the update, the page lacks %q", want)
			}
		}
		var c plan.Commitment
		decode(t, w.api(t, nil, "GET", "/api/v1/commitments/"+w.ecoID, ""), http.StatusOK, &c)
		if len(c.Indicators[0].Values) != 2 || c.Status != "on_track" {
			t.Errorf("after the update: %d values, status %q", len(c.Indicators[0].Values), c.Status)
		}

		// On an English page a comma separates thousands.
		a = send(t, w.env, "POST", "/indicators/"+ind.ID+"/values", withCookie(w.ecoAgent.Cookie), header("Accept-Language", "en"),
			form("date", "2022-12-31", "value", "1,234.5", "unit", "%"))
		if !a.redirectsTo("/commitments/" + w.ecoID) {
			t.Fatalf("value in English: %s", a)
		}
		decode(t, w.api(t, nil, "GET", "/api/v1/commitments/"+w.ecoID, ""), http.StatusOK, &c)
		if last := c.Indicators[0].Latest(); last == nil || last.Value != 1234.5 {
			t.Errorf("1,234.5 typed in English was read as %+v", last)
		}

		// Follow and unfollow.
		if a := send(t, w.env, "POST", "/commitments/"+w.ecoID+"/follow", withCookie(w.member.Cookie), form()); !a.redirectsTo("/commitments/" + w.ecoID) {
			t.Fatalf("follow: %s", a)
		}
		if a := send(t, w.env, "GET", "/commitments/"+w.ecoID, withCookie(w.member.Cookie)); !hasPostForm(a.Body, "/commitments/"+w.ecoID+"/unfollow") {
			t.Errorf("a follower is not offered to stop following")
		}
		send(t, w.env, "POST", "/commitments/"+w.ecoID+"/unfollow", withCookie(w.member.Cookie), form())
		if ok, _ := plan.Following(context.Background(), db, w.ecoID, w.member.User.ID); ok {
			t.Errorf("still following after unfollow")
		}
		if a := send(t, w.env, "POST", "/commitments/"+store.NewID()+"/unfollow", withCookie(w.member.Cookie), form()); a.StatusCode != http.StatusNotFound {
			t.Errorf("unfollow an unknown commitment: %d", a.StatusCode)
		}
	})
}

// Organisers' forms: a plan with its axes, errors at their rows, the
// commitment form, and the alerts page.
func TestPlanOrganiserForms(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newPlanWorld(t, db)
		org := withCookie(w.organiser.Cookie)
		a := send(t, w.env, "POST", "/plans", org, form("title", "Plan 2024-2026", "starts_on", "2024-01-01", "ends_on", "2023-01-01",
			"status", "co_creation", "axes.0.id", "", "axes.0.title", "Transparence", "axes.0.title_en", "",
			"axes.1.id", "", "axes.1.title", "", "axes.1.title_en", "", "axes.2.id", "", "axes.2.title", "", "axes.2.title_en", "Only English"))
		if a.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad plan: %s", a)
		}
		if got := fieldMessages(a.Body, "ends_on"); !strings.Contains(got, fr("error.plan_ends_before_start")) {
			t.Errorf("ends_on says %q", got)
		}
		if got := fieldMessages(a.Body, "axes.2.title"); got != fr("error.required") {
			t.Errorf("the axis row without a French title says %q", got)
		}
		if !strings.Contains(a.Body, `href="#f-axes.2.title"`) {
			t.Errorf("the error summary does not link to the axis row")
		}
		a = send(t, w.env, "POST", "/plans", org, form("title", "Plan 2024-2026", "starts_on", "01/01/2024", "ends_on", "31/12/2026",
			"status", "implementation", "axes.0.id", "", "axes.0.title", "Transparence", "axes.0.title_en", "Transparency",
			"axes.1.id", "", "axes.1.title", "", "axes.1.title_en", "", "axes.2.id", "", "axes.2.title", "Participation", "axes.2.title_en", ""))
		if a.StatusCode != http.StatusSeeOther {
			t.Fatalf("plan: %s", a)
		}
		planID := strings.TrimPrefix(strings.Split(a.Header.Get("Location"), "?")[0], "/plans/")
		p, err := plan.GetPlan(context.Background(), db, planID)
		if err != nil || p.StartsOn != "2024-01-01" || len(p.Axes) != 2 || p.Axes[1].Title != "Participation" {
			t.Fatalf("plan made by the form: %+v (%v)", p, err)
		}
		if a := send(t, w.env, "GET", "/plans/"+planID+"/edit", org); fieldValue(a.Body, "axes.1.title") != "Participation" {
			t.Errorf("edit form: second axis row %q", fieldValue(a.Body, "axes.1.title"))
		}
		if a := send(t, w.env, "GET", "/plans/new", withCookie(w.ecoAgent.Cookie)); a.StatusCode != http.StatusForbidden {
			t.Errorf("plan form for an agent: %d", a.StatusCode)
		}

		a = send(t, w.env, "POST", "/plans/"+planID+"/commitments", org, form("reference", "FR0100", "number", "1", "title", "",
			"axis_id", p.Axes[0].ID, "lead_organisation_id", w.economy.ID, "ogp_values", "civic_participation", "irm.verifiable", "maybe"))
		if a.StatusCode != http.StatusUnprocessableEntity || fieldMessages(a.Body, "title") != fr("error.required") ||
			fieldMessages(a.Body, "irm.verifiable") != fr("error.plan_irm_value_invalid") {
			t.Fatalf("bad commitment: %d, title %q, irm %q", a.StatusCode, fieldMessages(a.Body, "title"), fieldMessages(a.Body, "irm.verifiable"))
		}
		a = send(t, w.env, "POST", "/plans/"+planID+"/commitments", org, form("reference", "FR0100", "number", "1", "title", "Ouvrir les algorithmes",
			"axis_id", p.Axes[0].ID, "lead_organisation_id", w.economy.ID, "support_organisation_ids", w.association.ID,
			"ogp_values", "civic_participation", "irm.verifiable", "yes"))
		if a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(a.Header.Get("Location"), "/commitments/") {
			t.Fatalf("commitment: %s", a)
		}
		cID := strings.TrimPrefix(strings.Split(a.Header.Get("Location"), "?")[0], "/commitments/")
		// The lead's agent edits the text; what organisers decide stays.
		a = send(t, w.env, "POST", "/commitments/"+cID+"/edit", withCookie(w.ecoAgent.Cookie), form("title", "Ouvrir les algorithmes publics",
			"description", "Publier les règles.", "reference", "HACK", "ogp_values", "access_to_information"))
		if a.StatusCode != http.StatusSeeOther {
			t.Fatalf("agent's edit: %s", a)
		}
		c, _ := plan.GetCommitment(context.Background(), db, cID, "")
		if c.Title != "Ouvrir les algorithmes publics" || c.Reference != "FR0100" || c.IRM.Verifiable != "yes" ||
			!slices.Equal(c.OGPValues, []string{"access_to_information"}) || len(c.Supporters) != 0 {
			t.Errorf("after the agent's edit: %+v", c)
		}

		// A late milestone raises an alert; the organiser dismisses it.
		w.api(t, w.organiser, "POST", "/api/v1/commitments/"+cID+"/milestones", `{"title":"Publier l'inventaire","due_on":"2024-03-31"}`)
		if _, err := plan.SendReminders(context.Background(), db, &plan.Mailer{Cat: catalog, BaseURL: w.env.Config.BaseURL}, 0, time.Now()); err != nil {
			t.Fatal(err)
		}
		a = send(t, w.env, "GET", "/plans/"+planID+"/alerts", org)
		if !strings.Contains(a.text(), "Publier l'inventaire") {
			t.Fatalf("alerts page: %s", a)
		}
		alerts, _ := plan.OpenAlerts(context.Background(), db, planID)
		if len(alerts) == 0 {
			t.Fatal("no alert raised")
		}
		if a := send(t, w.env, "POST", "/plans/"+store.NewID()+"/alerts/"+alerts[0].ID+"/dismiss", org, form()); a.StatusCode != http.StatusNotFound {
			t.Errorf("dismiss through another plan: %d", a.StatusCode)
		}
		if a := send(t, w.env, "POST", "/plans/"+planID+"/alerts/"+alerts[0].ID+"/dismiss", org, form()); !a.redirectsTo("/plans/" + planID + "/alerts") {
			t.Fatalf("dismiss: %s", a)
		}
		if left, _ := plan.OpenAlerts(context.Background(), db, planID); len(left) != len(alerts)-1 {
			t.Errorf("%d alerts left, want %d", len(left), len(alerts)-1)
		}
		if got := len(entriesFor(auditLog(t, w.env, w.admin), "plan.alert.resolve")); got != 1 {
			t.Errorf("%d dismissals audited", got)
		}
	})
}
