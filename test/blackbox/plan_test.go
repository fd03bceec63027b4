package blackbox

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/store"
)

// The action plan through the real binary: an organiser makes a plan and
// its commitments, each ministry's agent reports on its own commitment
// only, the public reads everything without a token and without anyone's
// address, and the plan exports in the OGP dataset's columns.

type commitmentJSON struct {
	ID                 string `json:"id"`
	Reference          string `json:"reference"`
	Title              string `json:"title"`
	Status             string `json:"status"`
	LeadOrganisationID string `json:"lead_organisation_id"`
	Milestones         []struct {
		Title string `json:"title"`
		DueOn string `json:"due_on"`
	} `json:"milestones"`
	Indicators []struct {
		Name   string `json:"name"`
		Values []struct {
			Value float64 `json:"value"`
		} `json:"values"`
	} `json:"indicators"`
}

func TestPlanAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		organiser := s.token(s.createUser("organiser@example.org", "organiser"))
		srv := s.serve()
		economy := createOrg(t, srv, organiser, "/api/v1/organisations", map[string]any{"name": "Ministère de l'Économie", "kind": "central_administration"})
		culture := createOrg(t, srv, organiser, "/api/v1/organisations", map[string]any{"name": "Ministère de la Culture", "kind": "central_administration"})
		ecoAgent := s.token(s.createUser("nadia@economie.gouv.example", "agent", "--organisation", economy.ID))
		cultAgent := s.token(s.createUser("paul@culture.gouv.example", "agent", "--organisation", culture.ID))

		var p struct{ ID, Title, Status string }
		decode(t, srv.api(t, "POST", "/api/v1/plans", organiser, `{"title":"Plan 2021-2023","starts_on":"2021-01-01",
			"ends_on":"2023-12-31","status":"implementation","axes":[{"title":"Transparence"}]}`), http.StatusCreated, &p)
		if p.ID == "" || p.Status != "implementation" {
			t.Fatalf("plan: %+v", p)
		}
		wantAPIError(t, srv.api(t, "POST", "/api/v1/plans", ecoAgent, `{"title":"Par un agent","starts_on":"2021-01-01","ends_on":"2022-01-01"}`),
			http.StatusForbidden, "forbidden")
		wantAPIError(t, srv.api(t, "POST", "/api/v1/plans", "", `{"title":"Anonyme"}`), http.StatusUnauthorized, "unauthorized")

		var eco, cult commitmentJSON
		decode(t, srv.api(t, "POST", "/api/v1/plans/"+p.ID+"/commitments", organiser, jsonOf(t, map[string]any{
			"reference": "FR0067", "number": "3", "title": "Rendre la commande publique plus transparente", "axis": "Transparence",
			"lead_organisation_id": economy.ID, "support_organisation_ids": []string{culture.ID}, "ogp_values": []string{"access_to_information"},
		})), http.StatusCreated, &eco)
		decode(t, srv.api(t, "POST", "/api/v1/plans/"+p.ID+"/commitments", organiser, jsonOf(t, map[string]any{
			"reference": "FR0015", "number": "12", "title": "Ouvrir les ressources juridiques", "lead_organisation_id": culture.ID,
		})), http.StatusCreated, &cult)
		e := wantAPIError(t, srv.api(t, "POST", "/api/v1/plans/"+p.ID+"/commitments", organiser, `{"reference":"FR0067","title":""}`),
			http.StatusUnprocessableEntity, "invalid")
		if e.Error.Fields["reference"] == "" || e.Error.Fields["title"] == "" {
			t.Errorf("duplicate reference and no title: %v", e.Error.Fields)
		}

		// Each agent reports on their own ministry's commitment only.
		wantAPIError(t, srv.api(t, "POST", "/api/v1/commitments/"+eco.ID+"/updates", cultAgent, `{"body":"Pas le nôtre.","status":"done"}`),
			http.StatusForbidden, "forbidden")
		wantAPIError(t, srv.api(t, "POST", "/api/v1/commitments/"+eco.ID+"/milestones", cultAgent, `{"title":"Pas le nôtre"}`),
			http.StatusForbidden, "forbidden")
		var m struct {
			DueOn string `json:"due_on"`
		}
		decode(t, srv.api(t, "POST", "/api/v1/commitments/"+eco.ID+"/milestones", ecoAgent, `{"title":"Évaluer la qualité des données","due_label":"Fin 2023"}`),
			http.StatusCreated, &m)
		if m.DueOn != "2023-12-31" {
			t.Errorf("milestone due %q, want 2023-12-31", m.DueOn)
		}
		var ind struct{ ID string }
		decode(t, srv.api(t, "POST", "/api/v1/commitments/"+eco.ID+"/indicators", ecoAgent,
			`{"name":"Part des marchés publiés","unit":"%","baseline":60,"baseline_on":"2021-01-01","target":100,"target_on":"2023-12-31"}`),
			http.StatusCreated, &ind)
		var v struct {
			Warnings []struct{ Code, Message string }
		}
		decode(t, srv.api(t, "POST", "/api/v1/indicators/"+ind.ID+"/values", ecoAgent, `{"date":"2022-12-31","value":85}`), http.StatusCreated, &v)
		decode(t, srv.api(t, "POST", "/api/v1/indicators/"+ind.ID+"/values", ecoAgent, `{"date":"2022-06-30","value":78}`), http.StatusCreated, &v)
		if len(v.Warnings) != 1 || v.Warnings[0].Code != "value_out_of_order" || v.Warnings[0].Message == "" {
			t.Errorf("value out of order: warnings %+v", v.Warnings)
		}
		wantAPIError(t, srv.api(t, "POST", "/api/v1/indicators/"+ind.ID+"/values", cultAgent, `{"date":"2022-06-30","value":1}`),
			http.StatusForbidden, "forbidden")
		r := srv.api(t, "POST", "/api/v1/commitments/"+eco.ID+"/updates", ecoAgent, `{"body":"Les données sont publiées.","status":"on_track"}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("update by the lead's agent: %d %s", r.Status, r.Body)
		}
		wantAPIError(t, srv.api(t, "PATCH", "/api/v1/commitments/"+cult.ID, ecoAgent, `{"title":"Détourné"}`), http.StatusForbidden, "forbidden")

		// The public reads without a token, and sees no one's address.
		for _, path := range []string{"/api/v1/plans", "/api/v1/plans/" + p.ID, "/api/v1/plans/" + p.ID + "/commitments",
			"/api/v1/commitments/" + eco.ID, "/api/v1/plans/" + p.ID + "/export.json"} {
			r := srv.api(t, "GET", path, "", "")
			if r.Status != http.StatusOK {
				t.Errorf("public GET %s: %d %s", path, r.Status, r.Body)
			}
			if strings.Contains(string(r.Body), "@") {
				t.Errorf("public GET %s shows an address: %s", path, r.Body)
			}
		}
		var got commitmentJSON
		decode(t, srv.api(t, "GET", "/api/v1/commitments/"+eco.ID, "", ""), http.StatusOK, &got)
		if got.LeadOrganisationID != economy.ID || got.Status != "on_track" || len(got.Milestones) != 1 || got.Milestones[0].DueOn != "2023-12-31" ||
			len(got.Indicators) != 1 || len(got.Indicators[0].Values) != 2 {
			t.Errorf("the commitment as the public reads it: %+v", got)
		}
		decode(t, srv.api(t, "GET", "/api/v1/commitments/"+cult.ID, "", ""), http.StatusOK, &got)
		if got.Title != "Ouvrir les ressources juridiques" {
			t.Errorf("the other ministry's commitment was changed: %q", got.Title)
		}
		wantAPIError(t, srv.api(t, "GET", "/api/v1/commitments/"+store.NewID(), "", ""), http.StatusNotFound, "not_found")

		// The export, in the OGP commitment dataset's columns.
		r = srv.api(t, "GET", "/api/v1/plans/"+p.ID+"/export.csv", "", "")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("export.csv: %d %q", r.Status, r.Header.Get("Content-Type"))
		}
		rows := csvRows(t, r.Body, ',')
		for _, name := range []string{"Commitment Unique Identifier", "Commitment Title", "Lead Institution", "Supporting Institution(s)",
			"OGP Value Access To Information", "OGP Value Civic Participation", "OGP Value Public Accountability", "OGP Value Technology",
			"Completion", "Progress (%)", "Licence"} {
			if !slices.Contains(rows[0], name) {
				t.Errorf("export.csv has no column %q: %q", name, rows[0])
			}
		}
		if got := column(t, rows, "Lead Institution"); !slices.Equal(got, []string{"Ministère de l'Économie", "Ministère de la Culture"}) {
			t.Errorf("Lead Institution %q", got)
		}
		if got := column(t, rows, "Supporting Institution(s)"); !slices.Equal(got, []string{"", "Ministère de la Culture"}) {
			t.Errorf("Supporting Institution(s) %q", got)
		}
		if got := column(t, rows, "OGP Value Access To Information"); !slices.Equal(got, []string{"No", "Yes"}) {
			t.Errorf("OGP Value Access To Information %q", got)
		}
	})
}
