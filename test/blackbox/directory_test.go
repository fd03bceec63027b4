package blackbox

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ogforum/ogforum/internal/store"
)

// The directory through the real binary: organisations are public and
// carry no personal data; people, imports, exports and audiences are for
// organisers; a person who joins by mail and is then erased disappears
// from every answer.

const (
	csvType  = "text/csv"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	utf8BOM  = "\uFEFF"
)

type orgJSON struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	College string   `json:"college"`
	Sectors []string `json:"sectors"`
	City    string   `json:"city"`
}

type personJSON struct {
	ID             string   `json:"id"`
	FirstName      string   `json:"first_name"`
	LastName       string   `json:"last_name"`
	Name           string   `json:"name"`
	Email          string   `json:"email"`
	OrganisationID string   `json:"organisation_id"`
	Organisation   string   `json:"organisation"`
	College        string   `json:"college"`
	Function       string   `json:"function"`
	Sectors        []string `json:"sectors"`
}

type importJSON struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Errors    []struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
	Error struct{ Code, Message string } `json:"error"`
}

// problems lists an import's errors as "row:field", in order.
func (r importJSON) problems() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, fmt.Sprintf("%d:%s", e.Row, e.Field))
	}
	return out
}

// jsonOf encodes v for a request body.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// createOrg creates an organisation through the API (as an organiser) at
// path, /api/v1/organisations or its /api/v1/organizations alias.
func createOrg(t *testing.T, srv *server, token, path string, body map[string]any) orgJSON {
	t.Helper()
	var o orgJSON
	decode(t, srv.api(t, "POST", path, token, jsonOf(t, body)), http.StatusCreated, &o)
	return o
}

func createPerson(t *testing.T, srv *server, token string, body map[string]any) personJSON {
	t.Helper()
	var p personJSON
	decode(t, srv.api(t, "POST", "/api/v1/people", token, jsonOf(t, body)), http.StatusCreated, &p)
	return p
}

// orgNames lists the organisations a public GET returns, sorted.
func orgNames(t *testing.T, srv *server, query string) []string {
	t.Helper()
	var list struct {
		Organisations []orgJSON `json:"organisations"`
		Total         int       `json:"total"`
	}
	decode(t, srv.api(t, "GET", "/api/v1/organisations?"+query, "", ""), http.StatusOK, &list)
	var names []string
	for _, o := range list.Organisations {
		names = append(names, o.Name)
	}
	if list.Total != len(names) {
		t.Errorf("GET /api/v1/organisations?%s: total %d for %d organisations", query, list.Total, len(names))
	}
	slices.Sort(names)
	return names
}

// people searches people as an organiser.
func people(t *testing.T, srv *server, token, query string) []personJSON {
	t.Helper()
	var list struct {
		People []personJSON `json:"people"`
		Total  int          `json:"total"`
	}
	decode(t, srv.api(t, "GET", "/api/v1/people?"+query, token, ""), http.StatusOK, &list)
	if list.Total != len(list.People) {
		t.Errorf("GET /api/v1/people?%s: total %d for %d people", query, list.Total, len(list.People))
	}
	return list.People
}

func emailsOf(list []personJSON) []string {
	var out []string
	for _, p := range list {
		out = append(out, p.Email)
	}
	slices.Sort(out)
	return out
}

// importFile posts a spreadsheet to the import API.
func importFile(t *testing.T, srv *server, token, contentType, query string, body []byte) response {
	t.Helper()
	return request(t, "POST", srv.URL+"/api/v1/people/import?"+query, string(body),
		"Authorization", "Bearer "+token, "Content-Type", contentType, "Accept-Language", "en")
}

// csvRows parses an export.
func csvRows(t *testing.T, body []byte, comma rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = comma
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse CSV (%q): %v\n%s", comma, err, body)
	}
	return rows
}

// xlsxRows opens a workbook and returns the rows of its only sheet.
func xlsxRows(t *testing.T, body []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("open the XLSX export: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{sheet}) {
		t.Errorf("XLSX sheets %q, want [%q]", got, sheet)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("read sheet %q: %v", sheet, err)
	}
	return rows
}

// column returns the values of the named column of a table, header excluded, sorted.
func column(t *testing.T, rows [][]string, name string) []string {
	t.Helper()
	if len(rows) == 0 {
		t.Fatalf("no header row")
	}
	i := slices.Index(rows[0], name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, rows[0])
	}
	var out []string
	for _, r := range rows[1:] {
		if i < len(r) {
			out = append(out, r[i])
		} else {
			out = append(out, "")
		}
	}
	slices.Sort(out)
	return out
}

// Organisations: created by organisers under both spellings, listed and
// filtered for anyone, and nothing personal in what anyone can read.
func TestDirectoryOrganisationsAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		organiser := s.token(s.createUser("organiser@example.org", "organiser"))
		agent := s.token(s.createUser("agent@example.org", "agent"))
		member := s.token(s.createUser("member@example.org", "member"))
		srv := s.serve()

		habitat := createOrg(t, srv, organiser, "/api/v1/organisations", map[string]any{
			"name": "Habitat Solidaire", "kind": "association", "sectors": []string{"housing", "social"},
			"city": "Lyon", "website": "https://habitat-solidaire.example.org", "description": "Logement d'abord.",
		})
		ministry := createOrg(t, srv, organiser, "/api/v1/organizations", map[string]any{
			"name": "Ministère de la Santé", "kind": "central_administration", "sectors": []string{"health"}, "city": "Paris",
		})
		network := createOrg(t, srv, organiser, "/api/v1/organisations", map[string]any{
			"name": "Réseau Santé Précarité", "kind": "collective", "sectors": []string{"health", "social"},
		})
		lab := createOrg(t, srv, organiser, "/api/v1/organizations", map[string]any{
			"name": "Observatoire du numérique", "kind": "research", "college": "administration", "sectors": []string{"digital"},
		})
		for _, c := range []struct {
			o                orgJSON
			college, sectors string
		}{
			{habitat, "civil_society", "housing,social"}, {ministry, "administration", "health"},
			{network, "civil_society", "health,social"}, {lab, "administration", "digital"},
		} {
			if c.o.ID == "" || c.o.College != c.college || strings.Join(c.o.Sectors, ",") != c.sectors {
				t.Errorf("created %+v, want college %s and sectors %s", c.o, c.college, c.sectors)
			}
		}

		// Only organisers create, change and delete; fields are checked.
		body := `{"name":"Intrus","kind":"association"}`
		for _, path := range []string{"/api/v1/organisations", "/api/v1/organizations"} {
			wantAPIError(t, srv.api(t, "POST", path, "", body), http.StatusUnauthorized, "unauthorized")
			wantAPIError(t, srv.api(t, "POST", path, agent, body), http.StatusForbidden, "forbidden")
			wantAPIError(t, srv.api(t, "POST", path, member, body), http.StatusForbidden, "forbidden")
			wantAPIError(t, srv.api(t, "PATCH", path+"/"+habitat.ID, member, `{"city":"Nulle part"}`), http.StatusForbidden, "forbidden")
			wantAPIError(t, srv.api(t, "DELETE", path+"/"+habitat.ID, "", ""), http.StatusUnauthorized, "unauthorized")
		}
		e := wantAPIError(t, srv.api(t, "POST", "/api/v1/organisations", organiser, `{"name":" ","kind":"castle","sectors":["astrology"]}`),
			http.StatusUnprocessableEntity, "invalid")
		for _, f := range []string{"name", "kind", "sectors"} {
			if e.Error.Fields[f] == "" {
				t.Errorf("invalid organisation: fields %v, want a message for %q", e.Error.Fields, f)
			}
		}
		var got orgJSON
		decode(t, srv.api(t, "PATCH", "/api/v1/organizations/"+habitat.ID, organiser, `{"city":"Villeurbanne"}`), http.StatusOK, &got)
		if got.City != "Villeurbanne" || got.Name != "Habitat Solidaire" || got.Kind != "association" || len(got.Sectors) != 2 {
			t.Errorf("PATCH city: %+v, want only the city changed", got)
		}
		decode(t, srv.api(t, "GET", "/api/v1/organizations/"+habitat.ID, "", ""), http.StatusOK, &got)
		if got.City != "Villeurbanne" {
			t.Errorf("public GET after PATCH: city %q", got.City)
		}
		gone := createOrg(t, srv, organiser, "/api/v1/organizations", map[string]any{"name": "Éphémère", "kind": "collective"})
		if r := srv.api(t, "DELETE", "/api/v1/organizations/"+gone.ID, organiser, ""); r.Status != http.StatusNoContent {
			t.Errorf("DELETE an organisation: %d %s", r.Status, r.Body)
		}
		wantAPIError(t, srv.api(t, "GET", "/api/v1/organisations/"+gone.ID, "", ""), http.StatusNotFound, "not_found")

		// People attached to them: the personal data that must not leak.
		helene := createPerson(t, srv, organiser, map[string]any{
			"first_name": "Hélène", "last_name": "Dupré", "email": "Helene.Dupre@Habitat-Solidaire.example.org",
			"organisation_id": habitat.ID, "function": "Chargée de mission", "phone": "+33 6 12 34 56 78",
		})
		aissatou := createPerson(t, srv, organiser, map[string]any{
			"name": "Aïssatou N’Diaye", "email": "a.ndiaye@sante.gouv.example", "organization_id": ministry.ID,
		})
		if helene.Email != "helene.dupre@habitat-solidaire.example.org" || helene.Organisation != "Habitat Solidaire" {
			t.Errorf("person created: %+v, want the e-mail normalised and the organisation named", helene)
		}
		if aissatou.FirstName != "Aïssatou" || aissatou.LastName != "N’Diaye" || aissatou.OrganisationID != ministry.ID || aissatou.College != "administration" {
			t.Errorf("person created with a full name and organization_id: %+v", aissatou)
		}

		// Public filters, accents and case ignored.
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"", []string{"Habitat Solidaire", "Ministère de la Santé", "Observatoire du numérique", "Réseau Santé Précarité"}},
			{"q=sante", []string{"Ministère de la Santé", "Réseau Santé Précarité"}},
			{"q=" + url.QueryEscape("SANTÉ PRÉCA"), []string{"Réseau Santé Précarité"}},
			{"q=numerique", []string{"Observatoire du numérique"}},
			{"kind=association", []string{"Habitat Solidaire"}},
			{"college=administration", []string{"Ministère de la Santé", "Observatoire du numérique"}},
			{"college=civil_society", []string{"Habitat Solidaire", "Réseau Santé Précarité"}},
			{"sector=health", []string{"Ministère de la Santé", "Réseau Santé Précarité"}},
			{"sector=health&college=civil_society", []string{"Réseau Santé Précarité"}},
			{"q=habitat&kind=collective", nil},
		} {
			if got := orgNames(t, srv, c.query); !slices.Equal(got, c.want) {
				t.Errorf("GET /api/v1/organisations?%s: %q, want %q", c.query, got, c.want)
			}
		}
		var alias struct{ Total int }
		decode(t, srv.api(t, "GET", "/api/v1/organizations?sector=social", "", ""), http.StatusOK, &alias)
		if alias.Total != 2 {
			t.Errorf("GET /api/v1/organizations?sector=social: total %d, want 2", alias.Total)
		}

		// Nothing personal in anything a visitor can fetch.
		personal := []string{"@", "helene", "hélène", "dupré", "dupre", "aïssatou", "n’diaye", "ndiaye", "chargée de mission", "12 34 56"}
		public := map[string]response{}
		for _, path := range []string{
			"/api/v1/organisations", "/api/v1/organizations?q=habitat", "/api/v1/organisations/" + habitat.ID,
			"/api/v1/organizations/" + ministry.ID, "/organisations", "/organisations/" + habitat.ID,
			"/api/v1/organisations/export.csv?format=excel", "/api/v1/organisations/export.csv?format=open",
			"/api/v1/organizations/export.csv", "/api/v1/organisations/export.xlsx", "/api/v1/organizations/export.xlsx",
		} {
			r := request(t, "GET", srv.URL+path, "")
			if r.Status != http.StatusOK {
				t.Fatalf("public GET %s: %d %s", path, r.Status, r.Body)
			}
			public[path] = r
			text := string(r.Body)
			if strings.HasSuffix(path, ".xlsx") {
				var cells []string
				for _, row := range xlsxRows(t, r.Body, "Organisations") {
					cells = append(cells, row...)
				}
				text = strings.Join(cells, "\n")
			} else if strings.HasPrefix(path, "/organisations") {
				// Pages: their text, not the markup (which holds "@" in no address either).
				text = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(text, " ")
			}
			for _, p := range personal {
				if strings.Contains(strings.ToLower(text), p) {
					t.Errorf("public GET %s shows %q:\n%s", path, p, text)
				}
			}
		}

		// The exports themselves: French Excel, open data, workbook.
		excel := public["/api/v1/organisations/export.csv?format=excel"]
		if ct := excel.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("organisations export.csv: Content-Type %q", ct)
		}
		if !strings.Contains(excel.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("organisations export.csv: Content-Disposition %q", excel.Header.Get("Content-Disposition"))
		}
		if !bytes.HasPrefix(excel.Body, []byte(utf8BOM+"Nom;Type;Collège;Secteurs;Site web;Ville;Description\r\n")) {
			t.Errorf("Excel CSV of organisations does not start with a BOM and French headers separated by semicolons:\n%q", excel.Body)
		}
		rows := csvRows(t, bytes.TrimPrefix(excel.Body, []byte(utf8BOM)), ';')
		if got := column(t, rows, "Nom"); len(got) != 4 || got[0] != "Habitat Solidaire" {
			t.Errorf("Excel CSV of organisations: names %q", got)
		}
		if got := column(t, rows, "Collège"); !slices.Equal(got, []string{"Administration", "Administration", "Société civile", "Société civile"}) {
			t.Errorf("Excel CSV of organisations: colleges %q, want French labels", got)
		}
		open := public["/api/v1/organisations/export.csv?format=open"]
		if !bytes.HasPrefix(open.Body, []byte("name,kind,college,sectors,website,city,description\n")) {
			t.Errorf("open CSV of organisations: want no BOM and English headers separated by commas:\n%q", open.Body)
		}
		if got := column(t, csvRows(t, open.Body, ','), "college"); !slices.Equal(got, []string{"administration", "administration", "civil_society", "civil_society"}) {
			t.Errorf("open CSV of organisations: colleges %q, want slugs", got)
		}
		if def := public["/api/v1/organizations/export.csv"]; !bytes.Equal(def.Body, excel.Body) {
			t.Errorf("export.csv without format (alias path) differs from format=excel")
		}
		book := public["/api/v1/organisations/export.xlsx"]
		if ct := book.Header.Get("Content-Type"); ct != xlsxType {
			t.Errorf("organisations export.xlsx: Content-Type %q", ct)
		}
		if got := column(t, xlsxRows(t, book.Body, "Organisations"), "Ville"); !slices.Equal(got, []string{"", "", "Paris", "Villeurbanne"}) {
			t.Errorf("XLSX of organisations: cities %q", got)
		}
		wantAPIError(t, srv.api(t, "GET", "/api/v1/organisations/export.csv?format=pdf", "", ""), http.StatusUnprocessableEntity, "invalid")
		srv.stop()
	})
}

// People: organisers only, with validation and accent-insensitive search.
func TestDirectoryPeopleAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		organiser := s.token(s.createUser("organiser@example.org", "organiser"))
		agent := s.token(s.createUser("agent@example.org", "agent"))
		member := s.token(s.createUser("member@example.org", "member"))
		srv := s.serve()

		helene := createPerson(t, srv, organiser, map[string]any{
			"first_name": "Hélène", "last_name": "Dupré", "email": "helene@example.org", "sectors": []string{"housing"},
			"consent_info": true,
		})
		id := helene.ID
		person := `{"first_name":"Intruse","last_name":"Martin","email":"intruse@example.org"}`
		for _, who := range []struct {
			name, token string
			status      int
			code        string
		}{
			{"a visitor", "", http.StatusUnauthorized, "unauthorized"},
			{"an agent", agent, http.StatusForbidden, "forbidden"},
			{"a member", member, http.StatusForbidden, "forbidden"},
		} {
			for _, c := range []struct{ method, path, body string }{
				{"GET", "/api/v1/people", ""},
				{"GET", "/api/v1/people?q=helene", ""},
				{"POST", "/api/v1/people", person},
				{"GET", "/api/v1/people/" + id, ""},
				{"PATCH", "/api/v1/people/" + id, `{"function":"Pirate"}`},
				{"DELETE", "/api/v1/people/" + id, ""},
				{"GET", "/api/v1/people/" + id + "/data", ""},
				{"POST", "/api/v1/people/" + id + "/erase", ""},
				{"GET", "/api/v1/people/export.csv?format=open", ""},
				{"GET", "/api/v1/people/export.xlsx", ""},
				{"GET", "/api/v1/audiences", ""},
				{"POST", "/api/v1/audiences", `{"name":"Tous","filter":{}}`},
				{"GET", "/api/v1/duplicates", ""},
			} {
				r := srv.api(t, c.method, c.path, who.token, c.body)
				if r.Status != who.status || strings.Contains(string(r.Body), "helene@example.org") {
					t.Errorf("%s %s by %s: %d %s, want %d without personal data", c.method, c.path, who.name, r.Status, r.Body, who.status)
					continue
				}
				wantAPIError(t, r, who.status, who.code)
			}
		}
		// None of those attempts changed anything.
		var p personJSON
		decode(t, srv.api(t, "GET", "/api/v1/people/"+id, organiser, ""), http.StatusOK, &p)
		if p.Email != "helene@example.org" || p.Function != "" {
			t.Errorf("after refused calls: %+v", p)
		}
		if got := emailsOf(people(t, srv, organiser, "")); !slices.Equal(got, []string{"helene@example.org"}) {
			t.Errorf("after refused calls, people %q", got)
		}

		// Validation, field by field, and conflicts.
		for _, c := range []struct {
			name, body string
			status     int
			code       string
			fields     []string
		}{
			{"bad e-mail", `{"last_name":"X","email":"x@"}`, 422, "invalid", []string{"email"}},
			{"no name", `{"email":"noname@example.org"}`, 422, "invalid", []string{"last_name"}},
			{"unknown sector and language", `{"last_name":"X","email":"x@example.org","sectors":["astrology"],"language":"tlh"}`, 422, "invalid", []string{"sectors", "language"}},
			{"unknown organisation", `{"last_name":"X","email":"x@example.org","organisation_id":"nope"}`, 422, "invalid", []string{"organisation_id"}},
			{"taken e-mail, other case", `{"last_name":"Bis","email":" HELENE@Example.ORG "}`, 409, "conflict", []string{"email"}},
			{"broken JSON", `{"last_name":`, 400, "bad_json", nil},
		} {
			e := wantAPIError(t, srv.api(t, "POST", "/api/v1/people", organiser, c.body), c.status, c.code)
			for _, f := range c.fields {
				if e.Error.Fields[f] == "" {
					t.Errorf("%s: fields %v, want a message for %q", c.name, e.Error.Fields, f)
				}
			}
		}

		// Search: accents, case, e-mail, organisation.
		francois := createPerson(t, srv, organiser, map[string]any{"name": "François Lefèvre", "email": "f.lefevre@example.net", "sectors": []string{"health"}})
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"q=helene", []string{"helene@example.org"}},
			{"q=" + url.QueryEscape("DUPRÉ"), []string{"helene@example.org"}},
			{"q=francois+lefevre", []string{"f.lefevre@example.net"}},
			{"q=example.net", []string{"f.lefevre@example.net"}},
			{"sector=housing", []string{"helene@example.org"}},
			{"sector=housing,health", []string{"f.lefevre@example.net", "helene@example.org"}},
			{"college=civil_society&q=lef", []string{"f.lefevre@example.net"}},
			{"college=administration", nil},
		} {
			if got := emailsOf(people(t, srv, organiser, c.query)); !slices.Equal(got, c.want) {
				t.Errorf("GET /api/v1/people?%s: %q, want %q", c.query, got, c.want)
			}
		}
		wantAPIError(t, srv.api(t, "GET", "/api/v1/people?college=nobody", organiser, ""), http.StatusUnprocessableEntity, "invalid")

		// PATCH changes what it names and keeps the rest; a new full name is split.
		decode(t, srv.api(t, "PATCH", "/api/v1/people/"+id, organiser, `{"function":"Directrice"}`), http.StatusOK, &p)
		if p.Function != "Directrice" || p.FirstName != "Hélène" || p.Email != "helene@example.org" || !slices.Equal(p.Sectors, []string{"housing"}) {
			t.Errorf("PATCH function: %+v", p)
		}
		decode(t, srv.api(t, "PATCH", "/api/v1/people/"+id, organiser, `{"name":"Hélène Dupré-Martin"}`), http.StatusOK, &p)
		if p.FirstName != "Hélène" || p.LastName != "Dupré-Martin" || p.Name != "Hélène Dupré-Martin" {
			t.Errorf("PATCH name: %+v", p)
		}
		e := wantAPIError(t, srv.api(t, "PATCH", "/api/v1/people/"+id, organiser, `{"email":"f.lefevre@example.net"}`), http.StatusConflict, "conflict")
		if e.Error.Fields["email"] == "" {
			t.Errorf("PATCH to a taken e-mail: fields %v", e.Error.Fields)
		}
		wantAPIError(t, srv.api(t, "PATCH", "/api/v1/people/"+id, organiser, `{"email":"nope"}`), http.StatusUnprocessableEntity, "invalid")

		if r := srv.api(t, "DELETE", "/api/v1/people/"+francois.ID, organiser, ""); r.Status != http.StatusNoContent {
			t.Errorf("DELETE a person: %d %s", r.Status, r.Body)
		}
		wantAPIError(t, srv.api(t, "GET", "/api/v1/people/"+francois.ID, organiser, ""), http.StatusNotFound, "not_found")
		wantAPIError(t, srv.api(t, "DELETE", "/api/v1/people/"+francois.ID, organiser, ""), http.StatusNotFound, "not_found")
		srv.stop()
	})
}

// Import through the API: mapping by parameters, a dry run that tells each
// bad row, a refusal that writes nothing, skip_invalid, an idempotent
// re-import, XLSX, and files that are too big or not spreadsheets. Then the
// three exports of people.
func TestDirectoryImportAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		organiser := s.token(s.createUser("organiser@example.org", "organiser"))
		srv := s.serve()

		// Column names no suggestion knows, so the mapping must be given.
		file := []byte("Famille,Petit nom,Contact,Rattachement,Thèmes suivis\n" +
			"Dupré,Hélène,helene.dupre@habitat.example.org,Habitat Solidaire,\"logement, santé\"\n" + // line 2
			"Lefèvre,François,FRANCOIS.LEFEVRE@Sante-Commune.example.org,Santé Commune,\"Santé\nAction sociale\"\n" + // lines 3-4
			"Moreau,Zoé,zoe.moreau(at)example.org,Cœur des Villes,Logement\n" + // line 5: bad e-mail
			"Roux,Jérôme,jerome.roux@example.org,,Astrologie\n" + // line 6: unknown sector
			"Garnier,Anaïs,anais.garnier@example.org,,Housing\n" + // line 7
			",,,,\n" + // line 8: blank, ignored
			"Faure,Gaëlle,gaelle.faure@example.org,Numérique Ouvert,digital; open-data\n" + // line 9
			"Petit,Bérénice,Anais.Garnier@example.org,,\n") // line 10: same address as line 7
		mapping := url.Values{
			"map.last_name": {"Famille"}, "map.first_name": {"Petit nom"}, "map.email": {"Contact"},
			"map.organization": {"Rattachement"}, "map.sectors": {"Thèmes suivis"},
		}
		wantProblems := []string{"5:email", "6:sectors", "10:email"}
		good := []string{"anais.garnier@example.org", "francois.lefevre@sante-commune.example.org", "gaelle.faure@example.org", "helene.dupre@habitat.example.org"}

		// Without the mapping, the file's columns are not understood.
		e := wantAPIError(t, importFile(t, srv, organiser, csvType, "dry_run=1", file), http.StatusUnprocessableEntity, "invalid")
		if e.Error.Fields["map.email"] == "" {
			t.Errorf("import without a mapping: fields %v, want map.email", e.Error.Fields)
		}

		var res importJSON
		decode(t, importFile(t, srv, organiser, csvType, "dry_run=1&"+mapping.Encode(), file), http.StatusOK, &res)
		if res.Created != 4 || res.Updated != 0 || res.Unchanged != 0 || !slices.Equal(res.problems(), wantProblems) {
			t.Errorf("dry run: %+v, want 4 created and problems %q", res, wantProblems)
		}
		for _, pe := range res.Errors {
			if pe.Message == "" || strings.HasPrefix(pe.Message, "error.") {
				t.Errorf("dry run: row %d has message %q, want a sentence", pe.Row, pe.Message)
			}
		}
		if n := len(people(t, srv, organiser, "")); n != 0 {
			t.Fatalf("a dry run wrote %d people", n)
		}

		// One bad row: nothing at all is written, organisations included.
		res = importJSON{}
		decode(t, importFile(t, srv, organiser, csvType, mapping.Encode(), file), http.StatusUnprocessableEntity, &res)
		if res.Error.Code != "invalid_rows" || res.Error.Message == "" || res.Created != 4 || !slices.Equal(res.problems(), wantProblems) {
			t.Errorf("import with bad rows: %+v, want invalid_rows with the counts and problems", res)
		}
		if n := len(people(t, srv, organiser, "")); n != 0 {
			t.Errorf("a refused import wrote %d people", n)
		}
		if got := orgNames(t, srv, ""); len(got) != 0 {
			t.Errorf("a refused import created organisations %q", got)
		}

		// skip_invalid imports the good rows and reports the others.
		res = importJSON{}
		decode(t, importFile(t, srv, organiser, csvType, "skip_invalid=1&"+mapping.Encode(), file), http.StatusOK, &res)
		if res.Created != 4 || res.Updated != 0 || res.Unchanged != 0 || !slices.Equal(res.problems(), wantProblems) {
			t.Errorf("import with skip_invalid: %+v", res)
		}
		all := people(t, srv, organiser, "")
		if got := emailsOf(all); !slices.Equal(got, good) {
			t.Errorf("after the import, people %q, want %q", got, good)
		}
		for _, p := range all {
			if p.Email == "francois.lefevre@sante-commune.example.org" &&
				(p.FirstName != "François" || p.Organisation != "Santé Commune" || p.College != "civil_society" || !slices.Equal(p.Sectors, []string{"health", "social"})) {
				t.Errorf("imported from a cell with a line break: %+v", p)
			}
		}
		if got := orgNames(t, srv, "college=civil_society"); !slices.Equal(got, []string{"Habitat Solidaire", "Numérique Ouvert", "Santé Commune"}) {
			t.Errorf("organisations made on the fly: %q", got)
		}

		// The same file again changes nothing.
		res = importJSON{}
		decode(t, importFile(t, srv, organiser, csvType, "skip_invalid=1&"+mapping.Encode(), file), http.StatusOK, &res)
		if res.Created != 0 || res.Updated != 0 || res.Unchanged != 4 {
			t.Errorf("re-import of the same file: %+v, want 4 unchanged", res)
		}

		// A workbook, with the mapping suggested from French headers.
		book := excelize.NewFile()
		for i, row := range [][]any{
			{"Nom", "Prénom", "E-mail", "Organisme", "Secteurs"},
			{"Dupré", "Hélène", "helene.dupre@habitat.example.org", "HABITAT SOLIDAIRE", "Logement;Santé"},
			{"Blanc", "Loïc", "loic.blanc@example.org", "Santé Commune", "Santé"},
			{"Chevalier", "Agnès", "agnes.chevalier@example.org", "Préfecture du Rhône", "Logement"},
		} {
			if err := book.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
				t.Fatal(err)
			}
		}
		var xlsx bytes.Buffer
		if err := book.Write(&xlsx); err != nil {
			t.Fatal(err)
		}
		book.Close()
		res = importJSON{}
		decode(t, importFile(t, srv, organiser, xlsxType, "", xlsx.Bytes()), http.StatusOK, &res)
		if res.Created != 2 || res.Updated != 0 || res.Unchanged != 1 || len(res.Errors) != 0 {
			t.Errorf("XLSX import: %+v, want 2 created and 1 unchanged", res)
		}

		// Too big: refused with a clear error, and the server carries on.
		huge := bytes.Repeat([]byte("Nom;Courriel\nMartin;martin@example.org\n"), 51<<20/37+1)
		r := importFile(t, srv, organiser, csvType, "", huge)
		e = wantAPIError(t, r, http.StatusRequestEntityTooLarge, "too_large")
		if e.Error.Fields["file"] == "" || !strings.Contains(e.Error.Message+e.Error.Fields["file"], "50") {
			t.Errorf("51 MB upload: %+v, want a message naming the 50 MB limit at the file", e.Error)
		}
		if ready := request(t, "GET", srv.URL+"/readyz", ""); ready.Status != http.StatusOK {
			t.Errorf("after a 51 MB upload, /readyz: %d", ready.Status)
		}
		// The same file picked in the browser's import form.
		cookie := signIn(t, signInLink.FindString(s.ok("login-link", "--email", "organiser@example.org", "--base-url", srv.URL)))
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		part, err := mw.CreateFormFile("file", "contacts.csv")
		if err != nil {
			t.Fatal(err)
		}
		part.Write(huge)
		mw.Close()
		page := request(t, "POST", srv.URL+"/directory/import", form.String(), "Content-Type", mw.FormDataContentType(),
			"Cookie", cookie.Name+"="+cookie.Value, "Accept-Language", "en")
		if page.Status != http.StatusRequestEntityTooLarge || !bytes.Contains(page.Body, []byte(`id="f-file-error"`)) ||
			!bytes.Contains(page.Body, []byte("50 M")) {
			t.Errorf("51 MB file in the import form: %d, want 413 and the form with the message at the file field:\n%.2000s", page.Status, page.Body)
		}

		// Not a spreadsheet: random bytes, a broken zip, nothing at all.
		rng := rand.New(rand.NewPCG(3, 14))
		garbage := make([]byte, 64<<10)
		for i := range garbage {
			garbage[i] = byte(rng.UintN(256))
		}
		for name, body := range map[string][]byte{
			"random bytes":  garbage,
			"a broken zip":  append([]byte("PK\x03\x04"), garbage[:4096]...),
			"an empty body": nil,
		} {
			e := wantAPIError(t, importFile(t, srv, organiser, "application/octet-stream", "", body), http.StatusUnprocessableEntity, "invalid")
			if e.Error.Fields["file"] == "" {
				t.Errorf("import of %s: fields %v, want an error at file", name, e.Error.Fields)
			}
		}
		if n := len(people(t, srv, organiser, "")); n != 6 {
			t.Errorf("after the refused uploads, %d people, want 6", n)
		}
		if left, _ := os.ReadDir(filepath.Join(s.dataDir, "imports")); len(left) != 0 {
			t.Errorf("uploads left behind in DATA_DIR/imports: %d file(s)", len(left))
		}

		// Exports of people: French Excel, open data, workbook, filtered.
		everyone := append(slices.Clone(good), "agnes.chevalier@example.org", "loic.blanc@example.org")
		slices.Sort(everyone)
		auth := []string{"Authorization", "Bearer " + organiser}
		excel := request(t, "GET", srv.URL+"/api/v1/people/export.csv?format=excel", "", auth...)
		if excel.Status != http.StatusOK || excel.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("people export.csv?format=excel: %d %q", excel.Status, excel.Header.Get("Content-Type"))
		}
		if !bytes.HasPrefix(excel.Body, []byte(utf8BOM+"Prénom;Nom;Courriel;Organisation;Collège;")) || !bytes.Contains(excel.Body, []byte("\r\n")) {
			t.Errorf("people Excel CSV: want a BOM, French headers, semicolons and CRLF:\n%q", excel.Body)
		}
		rows := csvRows(t, bytes.TrimPrefix(excel.Body, []byte(utf8BOM)), ';')
		if got := column(t, rows, "Courriel"); !slices.Equal(got, everyone) {
			t.Errorf("people Excel CSV: e-mails %q, want %q", got, everyone)
		}
		open := request(t, "GET", srv.URL+"/api/v1/people/export.csv?format=open", "", auth...)
		if open.Status != http.StatusOK || !bytes.HasPrefix(open.Body, []byte("first_name,last_name,email,organisation,college,")) {
			t.Errorf("people open CSV: %d, want no BOM and English headers with commas:\n%q", open.Status, open.Body)
		}
		if got := column(t, csvRows(t, open.Body, ','), "email"); !slices.Equal(got, everyone) {
			t.Errorf("people open CSV: e-mails %q", got)
		}
		xl := request(t, "GET", srv.URL+"/api/v1/people/export.xlsx", "", auth...)
		if xl.Status != http.StatusOK || xl.Header.Get("Content-Type") != xlsxType || !bytes.HasPrefix(xl.Body, []byte("PK\x03\x04")) {
			t.Fatalf("people export.xlsx: %d %q, want a zip", xl.Status, xl.Header.Get("Content-Type"))
		}
		if got := column(t, xlsxRows(t, xl.Body, "Personnes"), "Courriel"); !slices.Equal(got, everyone) {
			t.Errorf("people XLSX: e-mails %q", got)
		}
		digital := request(t, "GET", srv.URL+"/api/v1/people/export.csv?format=open&sector=digital", "", auth...)
		if got := column(t, csvRows(t, digital.Body, ','), "email"); !slices.Equal(got, []string{"gaelle.faure@example.org"}) {
			t.Errorf("people open CSV filtered on digital: %q", got)
		}
		// An export re-imported changes nothing.
		res = importJSON{}
		decode(t, importFile(t, srv, organiser, csvType, "", excel.Body), http.StatusOK, &res)
		if res.Created != 0 || res.Updated != 0 || res.Unchanged != len(everyone) || len(res.Errors) != 0 {
			t.Errorf("re-import of the Excel export: %+v, want %d unchanged", res, len(everyone))
		}
		wantAPIError(t, srv.api(t, "GET", "/api/v1/people/export.csv?format=pdf", organiser, ""), http.StatusUnprocessableEntity, "invalid")
		srv.stop()
	})
}

// An audience of civil society in housing and health, and a person who
// joins by mail, asks for their data and is erased: afterwards nothing
// an organiser or an admin can read holds their address or their name.
func TestDirectoryAudienceAndErasure(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		admin := s.token(s.createUser("admin@example.org", "admin"))
		organiser := s.token(s.createUser("organiser@example.org", "organiser"))
		srv := s.serve()

		var sectors struct {
			Sectors []struct{ Slug, LabelFR, LabelEN string } `json:"sectors"`
		}
		decode(t, srv.api(t, "GET", "/api/v1/sectors", "", ""), http.StatusOK, &sectors)
		var slugs []string
		for _, sec := range sectors.Sectors {
			slugs = append(slugs, sec.Slug)
		}
		if want := []string{"digital", "open-data", "transparency", "participation", "social", "housing", "health",
			"environment", "education", "justice", "culture", "economy", "international", "research"}; !slices.Equal(slugs, want) {
			t.Errorf("GET /api/v1/sectors (public): %q, want %q", slugs, want)
		}
		var raw struct {
			Sectors []map[string]string `json:"sectors"`
		}
		decode(t, srv.api(t, "GET", "/api/v1/sectors", "", ""), http.StatusOK, &raw)
		if len(raw.Sectors) < 6 || raw.Sectors[5]["label_fr"] != "Logement" || raw.Sectors[5]["label_en"] != "Housing" {
			t.Errorf("GET /api/v1/sectors: %v, want French and English labels", raw.Sectors)
		}

		habitat := createOrg(t, srv, organiser, "/api/v1/organisations", map[string]any{"name": "Habitat Solidaire", "kind": "association", "sectors": []string{"housing"}})
		ministry := createOrg(t, srv, organiser, "/api/v1/organisations", map[string]any{"name": "Ministère de la Santé", "kind": "central_administration", "sectors": []string{"health"}})
		network := createOrg(t, srv, organiser, "/api/v1/organisations", map[string]any{"name": "Réseau Santé Précarité", "kind": "collective", "sectors": []string{"health"}})
		culture := createOrg(t, srv, organiser, "/api/v1/organisations", map[string]any{"name": "Culture pour tous", "kind": "association", "sectors": []string{"culture"}})
		for _, p := range []map[string]any{
			{"name": "Hélène Dupré", "email": "helene@habitat.example.org", "organisation_id": habitat.ID},                                      // in: her organisation
			{"name": "Aïssatou N’Diaye", "email": "aissatou@sante.gouv.example", "organisation_id": ministry.ID, "sectors": []string{"health"}}, // out: administration
			{"name": "Théo Lambert", "email": "theo@reseau.example.org", "organisation_id": network.ID},                                         // in: his organisation
			{"name": "Bérénice Petit", "email": "berenice@culture.example.org", "organisation_id": culture.ID},                                  // out: culture
			{"name": "Anaïs Garnier", "email": "anais@example.org", "sectors": []string{"housing"}},                                             // in: no organisation, her sector
			{"name": "Jérôme Roux", "email": "jerome@culture.example.org", "organisation_id": culture.ID, "sectors": []string{"health"}},        // in: his sector
		} {
			createPerson(t, srv, organiser, p)
		}
		members := func(id string) []string {
			t.Helper()
			var m struct {
				Members []personJSON `json:"members"`
				Total   int          `json:"total"`
			}
			decode(t, srv.api(t, "GET", "/api/v1/audiences/"+id+"/members", organiser, ""), http.StatusOK, &m)
			got := emailsOf(m.Members)
			if m.Total != len(got) {
				t.Errorf("audience members: total %d for %d members", m.Total, len(got))
			}
			return got
		}

		e := wantAPIError(t, srv.api(t, "POST", "/api/v1/audiences", organiser, `{"name":"","filter":{"sectors":["astrology"],"college":"nobody"}}`),
			http.StatusUnprocessableEntity, "invalid")
		for _, f := range []string{"name", "filter.sectors", "filter.college"} {
			if e.Error.Fields[f] == "" {
				t.Errorf("invalid audience: fields %v, want a message for %q", e.Error.Fields, f)
			}
		}
		var aud struct {
			ID     string
			Name   string
			Count  int
			Filter struct {
				Sectors []string
				College string
			}
		}
		decode(t, srv.api(t, "POST", "/api/v1/audiences", organiser,
			`{"name":"Société civile logement et santé","filter":{"sectors":["housing","health"],"college":"civil_society"}}`), http.StatusCreated, &aud)
		want := []string{"anais@example.org", "helene@habitat.example.org", "jerome@culture.example.org", "theo@reseau.example.org"}
		if aud.Name != "Société civile logement et santé" || aud.Count != len(want) || aud.Filter.College != "civil_society" {
			t.Errorf("audience created: %+v, want %d people", aud, len(want))
		}
		if got := members(aud.ID); !slices.Equal(got, want) {
			t.Errorf("audience members %q, want %q", got, want)
		}

		// Léa joins through the public form (no API token: a browser's POST).
		const email = "lea.fontaine@exemple.org"
		form := url.Values{"first_name": {"Léa"}, "last_name": {"Fontaine"}, "email": {"Lea.Fontaine@Exemple.org"},
			"organisation": {"habitat solidaire"}, "sectors": {"housing"}, "language": {"fr"}, "consent": {"1"}, "info": {"1"}, "invitations": {"1"}}
		r := request(t, "POST", srv.URL+"/join", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/join/sent" {
			t.Fatalf("POST /join: %d (Location %q), want a redirect to /join/sent; body: %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		if n := len(people(t, srv, organiser, "q=fontaine")); n != 0 {
			t.Errorf("before confirming, %d people named Fontaine, want none (double opt-in)", n)
		}
		var text string
		eventually(t, mailTimeout, "the confirmation mail is written", func() bool {
			for _, f := range mailFiles(t, s.dataDir) {
				if to, body := readMail(t, f); to == email {
					text = body
					return true
				}
			}
			return false
		})
		link := regexp.MustCompile(`http://\S+/join/confirm/[A-Za-z0-9_-]+`).FindString(text)
		if !strings.HasPrefix(link, srv.URL+"/join/confirm/") || !strings.Contains(text, "Léa Fontaine") {
			t.Fatalf("confirmation mail without a link to %s:\n%s", srv.URL, text)
		}
		if page := request(t, "GET", link, ""); page.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", link, page.Status)
		}
		if n := len(people(t, srv, organiser, "q=fontaine")); n != 0 {
			t.Errorf("opening the link (GET) confirmed the sign-up")
		}
		confirmed := request(t, "POST", link, "", "Content-Type", "application/x-www-form-urlencoded")
		prefs := regexp.MustCompile(`/preferences/[A-Za-z0-9_.-]+`).FindString(string(confirmed.Body))
		if confirmed.Status != http.StatusOK || prefs == "" {
			t.Fatalf("POST %s: %d, want 200 with a preferences link", link, confirmed.Status)
		}
		found := people(t, srv, organiser, "q=fontaine")
		if len(found) != 1 || found[0].Email != email || found[0].Organisation != "Habitat Solidaire" {
			t.Fatalf("after confirming: %+v, want Léa at Habitat Solidaire", found)
		}
		lea := found[0]
		if got := members(aud.ID); !slices.Contains(got, email) || len(got) != len(want)+1 {
			t.Errorf("audience after Léa joined: %q", got)
		}

		// She also has an account and asked for a sign-in link: her address
		// is now in the audit log and in the outbox.
		if r := srv.api(t, "POST", "/api/v1/users", admin, `{"email":"`+email+`","name":"Léa Fontaine","role":"member"}`); r.Status != http.StatusCreated {
			t.Fatalf("create Léa's account: %d %s", r.Status, r.Body)
		}
		if r := srv.api(t, "POST", "/api/v1/sign-in", "", `{"email":"LEA.FONTAINE@exemple.org"}`); r.Status != http.StatusAccepted {
			t.Fatalf("sign-in request: %d %s", r.Status, r.Body)
		}
		var outbox struct {
			Mails []struct{ Recipient, Status string }
		}
		eventually(t, mailTimeout, "both of Léa's mails are sent", func() bool {
			decode(t, srv.api(t, "GET", "/api/v1/outbox?status=done", admin, ""), http.StatusOK, &outbox)
			n := 0
			for _, m := range outbox.Mails {
				if m.Recipient == email {
					n++
				}
			}
			return n == 2
		})
		mentions := func(path string) bool {
			t.Helper()
			r := srv.api(t, "GET", path, admin, "")
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, r.Status)
			}
			body := strings.ToLower(string(r.Body))
			return strings.Contains(body, "lea.fontaine") || strings.Contains(body, "fontaine") || strings.Contains(body, "léa")
		}
		// An organiser looked her up by her address, typed as she writes
		// it, and exported the result: the search is in the audit log.
		lookup := request(t, "GET", srv.URL+"/api/v1/people/export.csv?format=open&q="+url.QueryEscape("Lea.Fontaine@Exemple.org"), "",
			"Authorization", "Bearer "+organiser)
		if got := column(t, csvRows(t, lookup.Body, ','), "email"); !slices.Equal(got, []string{email}) {
			t.Errorf("export of a search by address: %q", got)
		}
		if !mentions("/api/v1/audit") || !mentions("/api/v1/outbox") {
			t.Fatalf("before erasure, the audit log or the outbox does not mention Léa: the checks below would prove nothing")
		}

		// Her data, as an organiser downloads it.
		data := srv.api(t, "GET", "/api/v1/people/"+lea.ID+"/data", organiser, "")
		var export struct {
			Person         personJSON       `json:"person"`
			ConsentHistory []map[string]any `json:"consent_history"`
			Mails          []map[string]any `json:"mails"`
		}
		decode(t, data, http.StatusOK, &export)
		if export.Person.Email != email || len(export.ConsentHistory) == 0 || len(export.Mails) != 2 ||
			!strings.Contains(data.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("GET /api/v1/people/{id}/data: %s", data.Body)
		}

		// Erased: gone from every answer.
		var erased map[string]string
		decode(t, srv.api(t, "POST", "/api/v1/people/"+lea.ID+"/erase", organiser, ""), http.StatusOK, &erased)
		if erased["status"] != "erased" {
			t.Errorf("erase: %v", erased)
		}
		for _, q := range []string{"q=fontaine", "q=" + url.QueryEscape(email), "q=lea", "sector=housing"} {
			if got := emailsOf(people(t, srv, organiser, q)); slices.Contains(got, email) {
				t.Errorf("after erasure, GET /api/v1/people?%s still finds Léa", q)
			}
		}
		wantAPIError(t, srv.api(t, "GET", "/api/v1/people/"+lea.ID, organiser, ""), http.StatusNotFound, "not_found")
		wantAPIError(t, srv.api(t, "GET", "/api/v1/people/"+lea.ID+"/data", organiser, ""), http.StatusNotFound, "not_found")
		wantAPIError(t, srv.api(t, "POST", "/api/v1/people/"+lea.ID+"/erase", organiser, ""), http.StatusNotFound, "not_found")
		if got := members(aud.ID); !slices.Equal(got, want) {
			t.Errorf("audience after erasure: %q, want %q", got, want)
		}
		for _, path := range []string{"/api/v1/audit", "/api/v1/outbox", "/api/v1/users", "/api/v1/duplicates"} {
			if mentions(path) {
				t.Errorf("after erasure, GET %s still mentions Léa", path)
			}
		}
		var audit struct {
			Entries []struct{ Action string } `json:"entries"`
		}
		decode(t, srv.api(t, "GET", "/api/v1/audit", admin, ""), http.StatusOK, &audit)
		var actions []string
		for _, a := range audit.Entries {
			actions = append(actions, a.Action)
		}
		for _, a := range []string{"person.join", "person.export", "person.erase"} {
			if !slices.Contains(actions, a) {
				t.Errorf("audit log %q, want %s", actions, a)
			}
		}
		// An old spreadsheet that still lists her does not bring her back.
		var res importJSON
		decode(t, importFile(t, srv, organiser, csvType, "skip_invalid=1", []byte("Nom;Prénom;Courriel\nFontaine;Léa;LEA.FONTAINE@exemple.org\n")),
			http.StatusOK, &res)
		if res.Created != 0 || !slices.Equal(res.problems(), []string{"2:email"}) {
			t.Errorf("import of her address after erasure: %+v, want it refused at row 2", res)
		}
		if mentions("/api/v1/audit") {
			t.Errorf("after the refused import, the audit log mentions Léa")
		}
		if r := request(t, "GET", srv.URL+prefs, ""); r.Status != http.StatusNotFound {
			t.Errorf("her preferences link after erasure: %d, want 404", r.Status)
		}
		if r := request(t, "POST", link, "", "Content-Type", "application/x-www-form-urlencoded"); r.Status != http.StatusGone {
			t.Errorf("her confirmation link after erasure: %d, want 410", r.Status)
		}
		srv.stop()
	})
}
