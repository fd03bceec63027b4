package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// planWorld is a site with two ministries, an agent of each, an
// organiser, an admin and a member.
type planWorld struct {
	env                   *webtest.Env
	economy, culture      *directory.Organisation
	association           *directory.Organisation
	admin, organiser      *webtest.Person
	ecoAgent, cultAgent   *webtest.Person
	member                *webtest.Person
	planID, ecoID, cultID string // a plan and a commitment led by each ministry
}

func newPlanWorld(t *testing.T, db *store.DB) *planWorld {
	t.Helper()
	w := &planWorld{env: webtest.New(t, db)}
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
		if w.economy, err = directory.CreateOrganisation(ctx, tx, directory.OrganisationInput{Name: "Ministère de l'Économie", Kind: "central_administration"}); err != nil {
			return err
		}
		if w.culture, err = directory.CreateOrganisation(ctx, tx, directory.OrganisationInput{Name: "Ministère de la Culture", Kind: "central_administration"}); err != nil {
			return err
		}
		w.association, err = directory.CreateOrganisation(ctx, tx, directory.OrganisationInput{Name: "Regards Citoyens", Kind: "association"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.admin = w.env.SignedIn(t, auth.Admin, "admin@example.org")
	w.organiser = w.env.SignedIn(t, auth.Organiser, "organiser@example.org")
	w.member = w.env.SignedIn(t, auth.Member, "member@example.org")
	w.ecoAgent = planAgent(t, w.env, "nadia@economie.gouv.example", w.economy.ID)
	w.cultAgent = planAgent(t, w.env, "paul@culture.gouv.example", w.culture.ID)
	return w
}

// planAgent is an agent of an organisation, signed in, with a token.
func planAgent(t *testing.T, e *webtest.Env, email, orgID string) *webtest.Person {
	t.Helper()
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, e.DB, auth.NewUser{Email: email, Name: "Agent " + email, Role: string(auth.Agent), OrganisationID: orgID})
	if err != nil {
		t.Fatal(err)
	}
	s, err := auth.CreateSession(ctx, e.DB, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	token, err := auth.CreateAPIToken(ctx, e.DB, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &webtest.Person{User: u, Cookie: &http.Cookie{Name: "ogforum_session", Value: s.Cookie}, Token: token}
}

// api sends a JSON request as p (nil: the public), in French.
func (w *planWorld) api(t *testing.T, p *webtest.Person, method, path, body string) *answer {
	t.Helper()
	opts := []opt{header("Accept-Language", "fr")}
	if p != nil {
		opts = append(opts, bearer(p.Token))
	}
	if body != "" {
		opts = append(opts, jsonBody(body))
	}
	return send(t, w.env, method, path, opts...)
}

// seed creates, as the organiser, a plan with two axes and a commitment
// led by each ministry.
func (w *planWorld) seed(t *testing.T) {
	t.Helper()
	var p plan.Plan
	decode(t, w.api(t, w.organiser, "POST", "/api/v1/plans", `{"title":"Plan 2021-2023","starts_on":"2021-01-01","ends_on":"2023-12-31",
		"status":"implementation","axes":[{"title":"Transparence"},{"title":"Participation"}]}`), http.StatusCreated, &p)
	w.planID = p.ID
	var c plan.Commitment
	decode(t, w.api(t, w.organiser, "POST", "/api/v1/plans/"+p.ID+"/commitments", mustJSON(t, map[string]any{
		"reference": "FR0004", "number": "2", "title": "Transparence de la commande publique", "title_en": "Transparency in public procurement",
		"description": "Publier les données essentielles.", "axis": "Transparence", "lead_organisation_id": w.economy.ID,
		"support_organisation_ids": []string{w.association.ID}, "ogp_values": []string{"access_to_information", "public_accountability"},
	})), http.StatusCreated, &c)
	w.ecoID = c.ID
	decode(t, w.api(t, w.organiser, "POST", "/api/v1/plans/"+p.ID+"/commitments", mustJSON(t, map[string]any{
		"reference": "FR0015", "number": "12", "title": "Ouvrir les ressources juridiques", "axis": "2", "lead_organisation_id": w.culture.ID,
	})), http.StatusCreated, &c)
	w.cultID = c.ID
}

func TestPlanAPIPlansAndCommitments(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newPlanWorld(t, db)
		var list struct{ Plans []plan.Plan }
		decode(t, w.api(t, nil, "GET", "/api/v1/plans", ""), http.StatusOK, &list)
		if len(list.Plans) != 0 {
			t.Fatalf("plans before any: %+v", list.Plans)
		}

		// Who may create a plan, and what a bad one gets.
		good := `{"title":"Plan 2021-2023","starts_on":"2021-01-01","ends_on":"2023-12-31","status":"co_creation"}`
		if e := errorOf(t, w.api(t, nil, "POST", "/api/v1/plans", good), http.StatusUnauthorized); e.Code != "unauthorized" {
			t.Errorf("no token: %+v", e)
		}
		for _, p := range []*webtest.Person{w.ecoAgent, w.member} {
			if e := errorOf(t, w.api(t, p, "POST", "/api/v1/plans", good), http.StatusForbidden); e.Code != "forbidden" {
				t.Errorf("%s: %+v", p.User.Role, e)
			}
		}
		e := errorOf(t, w.api(t, w.organiser, "POST", "/api/v1/plans", `{"starts_on":"31/12/2023","ends_on":"2021-01-01","status":"draft"}`),
			http.StatusUnprocessableEntity)
		want := map[string]string{"title": fr("error.required"), "ends_on": fr("error.plan_ends_before_start"), "status": fr("error.status_invalid")}
		for k, v := range want {
			if e.Fields[k] != v {
				t.Errorf("bad plan: field %s = %q, want %q (all: %v)", k, e.Fields[k], v, e.Fields)
			}
		}
		if e := errorOf(t, w.api(t, w.organiser, "POST", "/api/v1/plans", `{"title":"x","starts_on":"2021-02-30","ends_on":"2021-12-31"}`),
			http.StatusUnprocessableEntity); e.Fields["starts_on"] != fr("error.plan_date_invalid") {
			t.Errorf("impossible day: %v", e.Fields)
		}
		if e := errorOf(t, w.api(t, w.organiser, "POST", "/api/v1/plans", `{"title": 12}`), http.StatusBadRequest); e.Code != "bad_json" {
			t.Errorf("title as a number: %+v", e)
		}

		w.seed(t)
		var p struct {
			plan.Plan
			Summary plan.Summary
		}
		decode(t, w.api(t, nil, "GET", "/api/v1/plans/"+w.planID, ""), http.StatusOK, &p)
		if p.Title != "Plan 2021-2023" || p.StartsOn != "2021-01-01" || p.EndsOn != "2023-12-31" || p.Status != "implementation" ||
			len(p.Axes) != 2 || p.CommitmentCount != 2 || p.Summary.Commitments != 2 {
			t.Errorf("GET plan: %+v", p)
		}
		errorOf(t, w.api(t, nil, "GET", "/api/v1/plans/"+store.NewID(), ""), http.StatusNotFound)

		// PATCH changes what the body has; the axes stay unless given.
		decode(t, w.api(t, w.organiser, "PATCH", "/api/v1/plans/"+w.planID, `{"status":"closed","title_en":"Plan 2021-2023 (EN)"}`), http.StatusOK, &p.Plan)
		if p.Status != "closed" || p.TitleEN != "Plan 2021-2023 (EN)" || p.Title != "Plan 2021-2023" || len(p.Axes) != 2 {
			t.Errorf("PATCH plan: %+v", p.Plan)
		}
		decode(t, w.api(t, w.organiser, "PATCH", "/api/v1/plans/"+w.planID, mustJSON(t, map[string]any{"status": "implementation",
			"axes": []map[string]string{{"id": p.Axes[0].ID, "title": "Transparence de l'action publique"}, {"id": p.Axes[1].ID, "title": "Participation"}, {"title": "Communs"}}})),
			http.StatusOK, &p.Plan)
		if len(p.Axes) != 3 || p.Axes[0].Title != "Transparence de l'action publique" || p.Axes[2].Title != "Communs" {
			t.Errorf("PATCH axes: %+v", p.Axes)
		}
		if e := errorOf(t, w.api(t, w.organiser, "PATCH", "/api/v1/plans/"+w.planID, mustJSON(t, map[string]any{"axes": []map[string]string{{"title": "Seul"}}})),
			http.StatusUnprocessableEntity); e.Fields["axes"] != fr("error.plan_axis_in_use") {
			t.Errorf("removing axes in use: %v", e.Fields)
		}
		errorOf(t, w.api(t, w.ecoAgent, "PATCH", "/api/v1/plans/"+w.planID, `{"status":"closed"}`), http.StatusForbidden)
		errorOf(t, w.api(t, w.organiser, "PATCH", "/api/v1/plans/"+store.NewID(), `{"status":"closed"}`), http.StatusNotFound)

		// Commitments: what the organiser gave, and what is refused.
		var c plan.Commitment
		decode(t, w.api(t, nil, "GET", "/api/v1/commitments/"+w.ecoID, ""), http.StatusOK, &c)
		if c.Reference != "FR0004" || c.Number != "2" || c.AxisID != p.Axes[0].ID || c.LeadOrganisationID != w.economy.ID ||
			!slices.Equal(c.SupportOrganisationIDs, []string{w.association.ID}) ||
			!slices.Equal(c.OGPValues, []string{"access_to_information", "public_accountability"}) || c.TitleEN != "Transparency in public procurement" {
			t.Errorf("commitment as created: %+v", c)
		}
		bad := map[string]string{"reference": "fr 30!", "title": "", "lead_organisation_id": store.NewID(), "axis": "Nulle part"}
		e = errorOf(t, w.api(t, w.organiser, "POST", "/api/v1/plans/"+w.planID+"/commitments", mustJSON(t, bad)), http.StatusUnprocessableEntity)
		for field, key := range map[string]string{"reference": "error.plan_reference_invalid", "title": "error.required",
			"lead_organisation_id": "error.organisation_unknown", "axis": "error.plan_axis_unknown"} {
			if e.Fields[field] != fr(key) {
				t.Errorf("bad commitment: %s = %q, want %q", field, e.Fields[field], fr(key))
			}
		}
		if e := errorOf(t, w.api(t, w.organiser, "POST", "/api/v1/plans/"+w.planID+"/commitments", `{"reference":"FR0004","title":"Doublon"}`),
			http.StatusUnprocessableEntity); e.Fields["reference"] != fr("error.plan_reference_taken") {
			t.Errorf("reference taken: %v", e.Fields)
		}
		errorOf(t, w.api(t, w.organiser, "POST", "/api/v1/plans/"+store.NewID()+"/commitments", `{"title":"Nulle part"}`), http.StatusNotFound)
		errorOf(t, w.api(t, w.ecoAgent, "POST", "/api/v1/plans/"+w.planID+"/commitments", `{"title":"Par un agent"}`), http.StatusForbidden)

		var cs struct {
			Commitments []plan.Commitment
			Total       int
		}
		decode(t, w.api(t, nil, "GET", "/api/v1/plans/"+w.planID+"/commitments?lead_organisation_id="+w.culture.ID, ""), http.StatusOK, &cs)
		if cs.Total != 2 || len(cs.Commitments) != 1 || cs.Commitments[0].ID != w.cultID {
			t.Errorf("commitments led by the culture ministry: %d of %d", len(cs.Commitments), cs.Total)
		}
		if e := errorOf(t, w.api(t, nil, "GET", "/api/v1/plans/"+w.planID+"/commitments?state=asleep", ""), http.StatusUnprocessableEntity); e.Fields["state"] == "" {
			t.Errorf("unknown state: %v", e.Fields)
		}

		// Each change is audited once.
		log := auditLog(t, w.env, w.admin)
		for action, n := range map[string]int{"plan.create": 1, "plan.update": 2, "commitment.create": 2} {
			if got := len(entriesFor(log, action)); got != n {
				t.Errorf("%d %q entries in the audit log, want %d", got, action, n)
			}
		}
	})
}

// An agent changes only the commitments of their own administration.
func TestPlanAPIAgentRule(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newPlanWorld(t, db)
		w.seed(t)
		changes := []struct{ method, path, body string }{
			{"PATCH", "/api/v1/commitments/%s", `{"title":"Nouveau titre"}`},
			{"POST", "/api/v1/commitments/%s/milestones", `{"title":"Publier le bilan","due_on":"2023-06-30"}`},
			{"POST", "/api/v1/commitments/%s/indicators", `{"name":"Jeux de données publiés","unit":"jeux"}`},
			{"POST", "/api/v1/commitments/%s/updates", `{"body":"Le portail est ouvert.","status":"on_track"}`},
		}
		for _, ch := range changes {
			other := strings.Replace(ch.path, "%s", w.cultID, 1)
			if e := errorOf(t, w.api(t, w.ecoAgent, ch.method, other, ch.body), http.StatusForbidden); e.Code != "forbidden" {
				t.Errorf("%s %s by the other ministry's agent: %+v", ch.method, other, e)
			}
			// A 403 comes before the body is read.
			errorOf(t, w.api(t, w.ecoAgent, ch.method, other, `{"title":`), http.StatusForbidden)
			errorOf(t, w.api(t, w.member, ch.method, other, ch.body), http.StatusForbidden)
			errorOf(t, w.api(t, nil, ch.method, other, ch.body), http.StatusUnauthorized)
			errorOf(t, w.api(t, w.ecoAgent, ch.method, strings.Replace(ch.path, "%s", store.NewID(), 1), ch.body), http.StatusNotFound)
			own := strings.Replace(ch.path, "%s", w.ecoID, 1)
			if a := w.api(t, w.ecoAgent, ch.method, own, ch.body); a.StatusCode != http.StatusOK && a.StatusCode != http.StatusCreated {
				t.Errorf("%s %s by the lead's agent: %s", ch.method, own, a)
			}
		}
		var c plan.Commitment
		decode(t, w.api(t, nil, "GET", "/api/v1/commitments/"+w.cultID, ""), http.StatusOK, &c)
		if c.Title != "Ouvrir les ressources juridiques" || len(c.Milestones)+len(c.Indicators) != 0 || c.Status != "not_started" {
			t.Errorf("the other ministry's commitment changed: %+v", c)
		}
		// What organisers decide stays theirs.
		e := errorOf(t, w.api(t, w.ecoAgent, "PATCH", "/api/v1/commitments/"+w.ecoID, `{"reference":"FR9999","lead_organisation_id":"`+w.culture.ID+`"}`),
			http.StatusUnprocessableEntity)
		if e.Fields["reference"] != fr("error.plan_organisers_only") || e.Fields["lead_organisation_id"] != fr("error.plan_organisers_only") {
			t.Errorf("agent changing the reference and lead: %v", e.Fields)
		}
		decode(t, w.api(t, w.organiser, "PATCH", "/api/v1/commitments/"+w.cultID, `{"irm":{"completion":"limited"},"axis":"Transparence"}`), http.StatusOK, &c)
		if c.IRM.Completion != "limited" || c.AxisID == "" || c.Title != "Ouvrir les ressources juridiques" {
			t.Errorf("organiser's PATCH: %+v", c)
		}
		// An agent without an administration changes nothing.
		loner := planAgent(t, w.env, "seul@example.org", "")
		errorOf(t, w.api(t, loner, "POST", "/api/v1/commitments/"+w.ecoID+"/updates", `{"body":"x","status":"late"}`), http.StatusForbidden)
	})
}

func TestPlanAPIMilestonesIndicatorsValuesUpdates(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newPlanWorld(t, db)
		w.seed(t)
		base := "/api/v1/commitments/" + w.ecoID

		// Milestones: a period as the plan writes it, then done.
		var m plan.Milestone
		decode(t, w.api(t, w.ecoAgent, "POST", base+"/milestones", `{"title":"Ouvrir le portail","due_label":"Fin 2022"}`), http.StatusCreated, &m)
		if m.DueOn != "2022-12-31" || m.DueLabel != "Fin 2022" || m.Status != "not_started" {
			t.Errorf("milestone: %+v", m)
		}
		if e := errorOf(t, w.api(t, w.ecoAgent, "POST", base+"/milestones", `{"title":"","due_on":"2022-13-01","status":"late"}`),
			http.StatusUnprocessableEntity); e.Fields["title"] == "" || e.Fields["due_on"] != fr("error.plan_date_invalid") ||
			e.Fields["status"] != fr("error.plan_status_late_computed") {
			t.Errorf("bad milestone: %v", e.Fields)
		}
		decode(t, w.api(t, w.ecoAgent, "PATCH", "/api/v1/milestones/"+m.ID, `{"status":"done","completed_on":"2022-11-30"}`), http.StatusOK, &m)
		if m.Status != "done" || m.CompletedOn != "2022-11-30" || m.Title != "Ouvrir le portail" || m.DueOn != "2022-12-31" {
			t.Errorf("milestone done: %+v", m)
		}
		decode(t, w.api(t, w.ecoAgent, "PATCH", "/api/v1/milestones/"+m.ID, `{"due_label":"Mi-2023"}`), http.StatusOK, &m)
		if m.DueOn != "2023-06-30" {
			t.Errorf("new period without a day: due %s, want 2023-06-30", m.DueOn)
		}
		errorOf(t, w.api(t, w.cultAgent, "PATCH", "/api/v1/milestones/"+m.ID, `{"status":"not_started"}`), http.StatusForbidden)
		errorOf(t, w.api(t, w.ecoAgent, "PATCH", "/api/v1/milestones/"+store.NewID(), `{"status":"done"}`), http.StatusNotFound)

		// An indicator and its values, with warnings.
		var ind plan.Indicator
		decode(t, w.api(t, w.ecoAgent, "POST", base+"/indicators", `{"name":"Part des marchés publiés","unit":"%","baseline":10,
			"baseline_on":"2021-01-01","target":80,"target_on":"2023-12-31"}`), http.StatusCreated, &ind)
		if ind.Name != "Part des marchés publiés" || ind.Baseline == nil || *ind.Baseline != 10 || ind.TargetOn != "2023-12-31" {
			t.Errorf("indicator: %+v", ind)
		}
		if e := errorOf(t, w.api(t, w.ecoAgent, "POST", base+"/indicators", `{"name":"x","baseline":1,"baseline_on":"2022-01-01","target":2,"target_on":"2021-01-01"}`),
			http.StatusUnprocessableEntity); e.Fields["target_on"] != fr("error.plan_target_before_baseline") {
			t.Errorf("target before baseline: %v", e.Fields)
		}
		type valueAnswer struct {
			Value    plan.IndicatorValue
			Warnings []struct{ Code, Message string }
		}
		var va valueAnswer
		values := "/api/v1/indicators/" + ind.ID + "/values"
		decode(t, w.api(t, w.ecoAgent, "POST", values, `{"date":"2022-06-30","value":40,"source":"data.gouv.fr","comment":"Premier bilan"}`), http.StatusCreated, &va)
		if va.Value.Value != 40 || va.Value.Date != "2022-06-30" || len(va.Warnings) != 0 {
			t.Errorf("first value: %+v", va)
		}
		decode(t, w.api(t, w.ecoAgent, "POST", values, `{"date":"2022-01-31","value":30}`), http.StatusCreated, &va)
		if len(va.Warnings) != 1 || va.Warnings[0].Code != "value_out_of_order" || va.Warnings[0].Message != fr("warning.plan_value_out_of_order") {
			t.Errorf("value out of order: warnings %+v", va.Warnings)
		}
		decode(t, w.api(t, w.ecoAgent, "POST", values, `{"date":"2022-12-31","value":12,"unit":"marchés"}`), http.StatusCreated, &va)
		if len(va.Warnings) != 1 || va.Warnings[0].Code != "value_unit_differs" || va.Value.Unit != "marchés" {
			t.Errorf("value in another unit: %+v", va)
		}
		tomorrow := time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02")
		e := errorOf(t, w.api(t, w.ecoAgent, "POST", values, `{"date":"`+tomorrow+`"}`), http.StatusUnprocessableEntity)
		if e.Fields["date"] != fr("error.plan_date_in_future") || e.Fields["value"] != fr("error.required") {
			t.Errorf("future value without a number: %v", e.Fields)
		}
		errorOf(t, w.api(t, w.ecoAgent, "POST", values, `{"date":"2022-06-30","value":"quarante"}`), http.StatusBadRequest)
		errorOf(t, w.api(t, w.cultAgent, "POST", values, `{"date":"2022-06-30","value":41}`), http.StatusForbidden)
		errorOf(t, w.api(t, w.ecoAgent, "POST", "/api/v1/indicators/"+store.NewID()+"/values", `{"date":"2022-06-30","value":41}`), http.StatusNotFound)

		// A progress update reaches the commitment's followers.
		if a := send(t, w.env, "POST", "/commitments/"+w.ecoID+"/follow", withCookie(w.member.Cookie), form()); !a.redirectsTo("/commitments/" + w.ecoID) {
			t.Fatalf("follow: %s", a)
		}
		e = errorOf(t, w.api(t, w.ecoAgent, "POST", base+"/updates", `{"body":"","status":"sideways"}`), http.StatusUnprocessableEntity)
		if e.Fields["body"] != fr("error.required") || e.Fields["status"] != fr("error.status_invalid") {
			t.Errorf("bad update: %v", e.Fields)
		}
		var u plan.Update
		decode(t, w.api(t, w.ecoAgent, "POST", base+"/updates", `{"body":"Les données sont publiées.","status":"at_risk",
			"evidence":[{"title":"Jeu de données","url":"www.data.gouv.fr/datasets/marches"}]}`), http.StatusCreated, &u)
		if u.Status != "at_risk" || u.Organisation != w.economy.Name || len(u.Evidence) != 1 || u.Evidence[0].URL != "https://www.data.gouv.fr/datasets/marches" {
			t.Errorf("update: %+v", u)
		}
		mails, err := mail.List(context.Background(), db, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		var toMember []string
		for _, m := range mails {
			if strings.Contains(m.Recipient, "member@example.org") {
				toMember = append(toMember, m.Subject)
			}
		}
		if len(toMember) != 1 {
			t.Errorf("the follower got %d mails, want 1: %q", len(toMember), toMember)
		}

		// The commitment's JSON carries it all, and no one's address.
		a := w.api(t, nil, "GET", base, "")
		var c struct {
			plan.Commitment
			Updates []plan.Update
		}
		decode(t, a, http.StatusOK, &c)
		if len(c.Milestones) != 1 || c.Milestones[0].DueOn != "2023-06-30" || c.LeadOrganisationID != w.economy.ID ||
			len(c.Indicators) != 1 || len(c.Indicators[0].Values) != 3 || len(c.Updates) != 1 || c.Status != "at_risk" {
			t.Errorf("commitment JSON: %+v", c)
		}
		for _, personal := range []string{"nadia@economie.gouv.example", "organiser@example.org", "member@example.org", "Agent "} {
			if strings.Contains(a.Body, personal) {
				t.Errorf("the public commitment JSON shows %q", personal)
			}
		}
		log := auditLog(t, w.env, w.admin)
		for action, n := range map[string]int{"milestone.create": 1, "milestone.update": 2, "indicator.create": 1, "indicator_value.add": 3, "update.post": 1} {
			if got := len(entriesFor(log, action)); got != n {
				t.Errorf("%d %q entries in the audit log, want %d", got, action, n)
			}
		}
	})
}

func TestPlanAPIExport(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newPlanWorld(t, db)
		w.seed(t)
		w.api(t, w.ecoAgent, "POST", "/api/v1/commitments/"+w.ecoID+"/updates", `{"body":"Avancé.","status":"on_track"}`)
		a := w.api(t, nil, "GET", "/api/v1/plans/"+w.planID+"/export.csv", "")
		if a.StatusCode != http.StatusOK || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(a.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export.csv: %s (%s)", a, a.Header)
		}
		rows, err := csv.NewReader(strings.NewReader(a.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], plan.ExportColumns) || len(rows) != 3 {
			t.Fatalf("export.csv: header %q, %d rows", rows[0], len(rows))
		}
		col := func(name string) []string {
			i := slices.Index(rows[0], name)
			return []string{rows[1][i], rows[2][i]}
		}
		if got := col("Commitment Unique Identifier"); !slices.Equal(got, []string{"FR0004", "FR0015"}) {
			t.Errorf("identifiers %q", got)
		}
		if got := col("Lead Institution"); !slices.Equal(got, []string{"Ministère de l'Économie", "Ministère de la Culture"}) {
			t.Errorf("lead institutions %q", got)
		}
		if got := col("URL"); got[0] != w.env.Config.BaseURL+"/commitments/"+w.ecoID {
			t.Errorf("URL column %q", got)
		}
		if strings.Contains(a.Body, "@") {
			t.Errorf("the export holds an address")
		}
		var j struct {
			Licence     string
			Columns     []string
			Commitments []map[string]string
		}
		decode(t, w.api(t, nil, "GET", "/api/v1/plans/"+w.planID+"/export.json", ""), http.StatusOK, &j)
		if j.Licence != plan.Licence || len(j.Commitments) != 2 || j.Commitments[0]["Commitment Title"] != "Transparence de la commande publique" {
			t.Errorf("export.json: %+v", j)
		}
		errorOf(t, w.api(t, nil, "GET", "/api/v1/plans/"+store.NewID()+"/export.csv", ""), http.StatusNotFound)
	})
}

// commitmentsSheet is a plan's commitments as a spreadsheet with French
// headers; bad makes its third row invalid.
func commitmentsSheet(bad bool) string {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Comma = ';'
	third := []string{"FR0016", "13", "Réformer la participation", "Premier ministre; CNDP", "Fin 2017 : Publier le bilan"}
	if bad {
		third = []string{"fr 16!", "13", "", "Premier ministre", "2017-02-30: Bilan"}
	}
	cw.WriteAll([][]string{
		{"Référence", "N°", "Intitulé", "Porteur", "Étapes clés"},
		{"FR0004", "2", "Transparence de la commande publique", "Ministère de l'Économie", "End 2018: Publier les données | 2017-06-30: Ouvrir le portail"},
		{"FR0007", "5", "Associer les citoyens aux travaux de la Cour des comptes", "Cour des comptes", ""},
		third,
	})
	return b.String()
}

func TestPlanAPIImport(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newPlanWorld(t, db)
		var p plan.Plan
		decode(t, w.api(t, w.organiser, "POST", "/api/v1/plans", `{"title":"Plan 2015-2017","starts_on":"2015-07-16","ends_on":"2017-07-15"}`), http.StatusCreated, &p)
		path := "/api/v1/plans/" + p.ID + "/commitments/import"
		post := func(who *webtest.Person, query, sheet string) *answer {
			return send(t, w.env, "POST", path+"?"+query, bearer(who.Token), body("text/csv", sheet), header("Accept-Language", "fr"))
		}
		// "Étapes clés" is no known header: it is mapped by parameter.
		mapping := "map." + plan.FieldMilestones + "=" + url.QueryEscape("Étapes clés")
		type result struct {
			Created, Updated, Unchanged int
			Organisations               int `json:"organisations_created"`
			Errors                      []struct {
				Row            int
				Field, Message string
			}
			Error struct{ Code string }
		}
		var r result
		decode(t, post(w.organiser, mapping+"&dry_run=1", commitmentsSheet(false)), http.StatusOK, &r)
		if r.Created != 3 || len(r.Errors) != 0 {
			t.Errorf("dry run: %+v", r)
		}
		count := func() int {
			var cs struct{ Total int }
			decode(t, w.api(t, nil, "GET", "/api/v1/plans/"+p.ID+"/commitments", ""), http.StatusOK, &cs)
			return cs.Total
		}
		if n := count(); n != 0 {
			t.Fatalf("a dry run wrote %d commitments", n)
		}
		decode(t, post(w.organiser, mapping, commitmentsSheet(true)), http.StatusUnprocessableEntity, &r)
		var problems []string
		for _, e := range r.Errors {
			problems = append(problems, e.Field)
			if e.Row != 4 || e.Message == "" || strings.HasPrefix(e.Message, "error.") {
				t.Errorf("row error %+v", e)
			}
		}
		if r.Error.Code != "invalid_rows" || !slices.Equal(problems, []string{"reference", "title", "milestones"}) {
			t.Errorf("bad rows: %+v", r)
		}
		if n := count(); n != 0 {
			t.Fatalf("a refused import wrote %d commitments", n)
		}
		decode(t, post(w.organiser, mapping+"&skip_invalid=true", commitmentsSheet(true)), http.StatusOK, &r)
		if r.Created != 2 || len(r.Errors) != 3 || r.Organisations != 1 {
			t.Errorf("skipping the bad row: %+v", r)
		}
		decode(t, post(w.organiser, mapping, commitmentsSheet(false)), http.StatusOK, &r)
		if r.Created != 1 || r.Updated != 0 || r.Unchanged != 2 || r.Organisations != 2 {
			t.Errorf("again, fixed: %+v", r)
		}
		var cs struct{ Commitments []plan.Commitment }
		decode(t, w.api(t, nil, "GET", "/api/v1/plans/"+p.ID+"/commitments", ""), http.StatusOK, &cs)
		fr4 := cs.Commitments[0]
		if fr4.Reference != "FR0004" || fr4.LeadOrganisationID != w.economy.ID || len(fr4.Milestones) != 2 ||
			fr4.Milestones[0].DueOn != "2018-12-31" || fr4.Milestones[0].DueLabel != "End 2018" || fr4.Milestones[1].DueOn != "2017-06-30" {
			t.Errorf("imported FR0004: %+v", fr4)
		}
		if last := cs.Commitments[2]; last.LeadOrganisation != "Premier ministre" || len(last.Supporters) != 1 || last.Supporters[0].Name != "CNDP" {
			t.Errorf("joint leads: %+v", last)
		}
		errorOf(t, post(w.ecoAgent, mapping, commitmentsSheet(false)), http.StatusForbidden)
		a := send(t, w.env, "POST", "/api/v1/plans/"+store.NewID()+"/commitments/import", bearer(w.organiser.Token), body("text/csv", commitmentsSheet(false)))
		errorOf(t, a, http.StatusNotFound)
		if e := errorOf(t, post(w.organiser, "map.title=Nope", commitmentsSheet(false)), http.StatusUnprocessableEntity); e.Fields["map.title"] == "" {
			t.Errorf("mapping to a missing column: %v", e.Fields)
		}
		if got := len(entriesFor(auditLog(t, w.env, w.admin), "plan.import")); got != 2 {
			t.Errorf("%d imports audited, want 2 (the written ones)", got)
		}
	})
}
