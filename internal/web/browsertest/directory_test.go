package browsertest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// TestDirectoryDoneWhen follows issue 3's "done when" in a real browser: an
// organiser imports a messy French-Excel spreadsheet, is shown its two bad
// rows, fixes them and imports; merges a duplicate; builds the audience
// "civil society in housing and health" and exports it; then a person joins
// by mail, downloads their data and erases themselves, and disappears from
// the directory and the audience. axe-core checks every page shown, in
// French, and the main ones again in English.
func TestDirectoryDoneWhen(t *testing.T) {
	axe := axeSource(t)
	browser := startBrowser(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The engines run side by side, each in browser contexts of its own.
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			env := webtest.New(t, storetest.Open(t, engine))
			d := &dirScenario{t: t, env: env, cat: cat, dir: t.TempDir(), people: map[string]string{}}
			d.existingOrganisations()
			d.organiser = d.signedIn(browser, axe, "fr-FR,fr;q=0.9", auth.Organiser, "claire.orga@example.org")
			d.public = newVisitor(t, browser, env.HTTP.URL, axe, "fr-FR,fr;q=0.9")

			d.createOrganisation()
			d.importSpreadsheet()
			d.searchDirectory()
			d.mergeDuplicate()
			d.buildAudienceAndExport()
			d.organisationPages()
			d.joinThenErase()
			d.adminSectors(browser, axe)
			d.inEnglish(browser, axe)
		})
	}
}

type dirScenario struct {
	t         *testing.T
	env       *webtest.Env
	cat       *i18n.Catalog
	dir       string // where the spreadsheets are written
	organiser *visitor
	public    *visitor
	habitat   string            // id of the organisation made in the form
	audience  string            // path of the audience page
	people    map[string]string // e-mail → id of people met on the way
}

func (d *dirScenario) fr(key string, args ...any) string { return d.cat.T("fr", key, args...) }

// existingOrganisations are in the directory before the organiser starts:
// two administrations and a civil-society network working on health.
func (d *dirScenario) existingOrganisations() {
	ctx := context.Background()
	for _, in := range []directory.OrganisationInput{
		{Name: "Ministère de la Santé", Kind: "central_administration", Sectors: []string{"health"}, City: "Paris"},
		{Name: "Préfecture du Rhône", Kind: "devolved_service", Sectors: []string{"housing"}, City: "Lyon"},
		{Name: "Réseau Santé Précarité", Kind: "collective", Sectors: []string{"health", "social"}, City: "Marseille"},
	} {
		if err := d.env.DB.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.CreateOrganisation(ctx, tx, in)
			return err
		}); err != nil {
			d.t.Fatal(err)
		}
	}
}

// signedIn opens a browser for a new user of the role who signs in with a
// link as if received by mail.
func (d *dirScenario) signedIn(browser context.Context, axe, acceptLanguage string, role auth.Role, email string) *visitor {
	t := d.t
	t.Helper()
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, d.env.DB, auth.NewUser{Email: email, Name: "Claire " + string(role), Role: string(role)})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := auth.CreateLoginToken(ctx, d.env.DB, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	v := newVisitor(t, browser, d.env.HTTP.URL, axe, acceptLanguage)
	if st := v.openURL(auth.SignInURL(d.env.HTTP.URL, secret)); st != http.StatusOK {
		t.Fatalf("sign-in link: status %d", st)
	}
	if st := v.click(`main form button[type="submit"]`); st != http.StatusOK || v.path() != "/account" {
		t.Fatalf("confirm sign-in: status %d on %s", st, v.path())
	}
	return v
}

// see opens a page, checks its status and h1, and runs axe-core on it.
func (d *dirScenario) see(v *visitor, path string, status int64, h1 string) {
	d.t.Helper()
	if st := v.open(path); st != status {
		d.t.Errorf("%s: status %d, want %d", path, st, status)
	}
	if h1 != "" {
		if got := v.text("h1"); got != h1 {
			d.t.Errorf("%s: h1 %q, want %q", path, got, h1)
		}
	}
	v.checkA11y()
}

// fieldError checks the message shown next to a field after a refused form.
func (d *dirScenario) fieldError(v *visitor, id, want string) {
	d.t.Helper()
	if got := v.text("#" + id + "-error"); got != want {
		d.t.Errorf("on %s: message at %s %q, want %q", v.path(), id, got, want)
	}
	if !v.besideField("#"+id+"-error", id) {
		d.t.Errorf("on %s: the message of %s is not next to it", v.path(), id)
	}
	if got := v.attr("#"+id, "aria-invalid"); got != "true" {
		d.t.Errorf("on %s: %s aria-invalid=%q", v.path(), id, got)
	}
}

// createOrganisation: the form refused empty, then Habitat Solidaire, a
// housing association whose people belong in the audience through it.
func (d *dirScenario) createOrganisation() {
	t, v := d.t, d.organiser
	d.see(v, "/directory/organisations/new", http.StatusOK, d.fr("org.new"))
	if st := v.click(`main form button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("organisation without a name: status %d, want 422", st)
	}
	d.fieldError(v, "f-name", d.fr("error.required"))
	v.checkA11y()

	v.typeInto("#f-name", "Habitat Solidaire")
	v.choose("#f-kind", "association")
	v.check(`input[name="sectors"][value="housing"]`)
	v.check(`input[name="sectors"][value="social"]`)
	v.typeInto("#f-city", "Lyon")
	v.typeInto("#f-website", "https://habitat-solidaire.example.org")
	if st := v.click(`main form button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("create Habitat Solidaire: status %d", st)
	}
	id, ok := strings.CutPrefix(v.path(), "/organisations/")
	if !ok || v.text("h1") != "Habitat Solidaire" {
		t.Fatalf("after creating the organisation: on %s, h1 %q", v.path(), v.text("h1"))
	}
	d.habitat = id
	v.checkA11y()
}

// contact is one row of the organiser's spreadsheet.
type contact struct{ last, first, email, org, function, sectors string }

// contacts is the organiser's spreadsheet: accents, a typographic
// apostrophe and a ligature, organisation names in other cases and without
// accents, a cell with a line break, a cell holding a semicolon, and two bad
// rows (fixed in the second version).
func contacts(fixed bool) []contact {
	noel, loic := "noel.martin@exemple,fr", "Santé publique"
	if fixed {
		noel, loic = "noel.martin@exemple.fr", "Santé"
	}
	return []contact{
		{"Dupré", "Hélène", "helene.dupre@habitat-solidaire.example", "Habitat Solidaire", "Chargée de mission", ""},
		{"Lefèvre", "François", "F.Lefevre@Sante-Commune.example", "Santé Commune", "Coordinateur\nréseau santé", "Santé"},
		{"N’Diaye", "Aïssatou", "aissatou.ndiaye@sante.gouv.example", "Ministere de la sante", "Cheffe de bureau", "Santé; Logement"},
		{"Moreau", "Zoé", "zoe.moreau@coeur-des-villes.example", "Cœur des Villes", "Présidente", "Logement, Environnement"},
		{"Martin", "Noël", noel, "Collectif Vélo Lyon", "Trésorier", "Environnement"},
		{"Petit", "Bérénice", "berenice.petit@culture-pour-tous.example", "Culture pour tous", "Médiatrice", "Culture"},
		{"Roux", "Jérôme", "jerome.roux@habitat-solidaire.example", "HABITAT SOLIDAIRE", "Juriste", ""},
		{"Garnier", "Anaïs", "anais.garnier@example.org", "", "Citoyenne", "Logement"},
		{"Faure", "Gaëlle", "gaelle.faure@numerique-ouvert.example", "Numérique Ouvert", "Développeuse", "Numérique, Données ouvertes"},
		{"Blanc", "Loïc", "loic.blanc@sante-commune.example", "Santé Commune", "Infirmier", loic},
		{"Chevalier", "Agnès", "agnes.chevalier@rhone.gouv.example", "Préfecture du Rhône", "Chargée de mission logement", "Logement"},
		{"Lambert", "Théo", "theo.lambert@reseau-sante.example", "reseau sante precarite", "Bénévole", ""},
	}
}

// inAudience are the contacts of civil society in housing or health, by
// their own sectors or by their organisation's.
var inAudience = []string{
	"anais.garnier@example.org", "f.lefevre@sante-commune.example", "helene.dupre@habitat-solidaire.example",
	"jerome.roux@habitat-solidaire.example", "loic.blanc@sante-commune.example", "theo.lambert@reseau-sante.example",
	"zoe.moreau@coeur-des-villes.example",
}

// spreadsheet writes rows as French Excel saves "CSV (séparateur :
// point-virgule)": semicolons, CRLF, quotes only where needed; in
// Windows-1252, or in UTF-8 with a byte-order mark. It returns the file
// and the line on which each row starts (the header is line 1).
func (d *dirScenario) spreadsheet(name string, rows []contact, windows1252 bool) (string, []int) {
	d.t.Helper()
	cell := func(s string) string {
		if strings.ContainsAny(s, ";\"\n") {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		return s
	}
	var b strings.Builder
	b.WriteString("Nom;Prénom;Courriel;Structure;Fonction;Secteurs\r\n")
	line := 2
	var lines []int
	for _, c := range rows {
		lines = append(lines, line)
		rec := []string{c.last, c.first, c.email, c.org, c.function, c.sectors}
		for i, v := range rec {
			rec[i] = cell(v)
			line += strings.Count(v, "\n")
		}
		b.WriteString(strings.Join(rec, ";") + "\r\n")
		line++
	}
	data := []byte("\uFEFF" + b.String())
	if windows1252 {
		enc, err := charmap.Windows1252.NewEncoder().String(b.String())
		if err != nil {
			d.t.Fatalf("encode %s in Windows-1252: %v", name, err)
		}
		data = []byte(enc)
	}
	path := filepath.Join(d.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		d.t.Fatal(err)
	}
	return path, lines
}

// uploadFile sends a file from the import page and returns the status.
func (d *dirScenario) uploadFile(path string) int64 {
	d.t.Helper()
	v := d.organiser
	v.upload("#f-file", path)
	return v.click(`main form[action="/directory/import"] button[type="submit"]`)
}

// rowsOf returns the cells of a table's body rows.
func rowsOf(v *visitor, table string) [][]string {
	return eval[[][]string](v, `Array.from(document.querySelectorAll(`+js(table+" tbody tr")+`),
  tr => Array.from(tr.cells, c => c.textContent.trim().replace(/\s+/g, " ")))`)
}

func (d *dirScenario) importSpreadsheet() {
	t, v := d.t, d.organiser
	d.see(v, "/directory/import", http.StatusOK, d.fr("import.title"))

	// No file, then a file that is no spreadsheet: an error at the field.
	if st := v.click(`main form[action="/directory/import"] button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("import without a file: status %d, want 422", st)
	}
	d.fieldError(v, "f-file", d.fr("error.import_no_file"))
	v.checkA11y()
	garbage := filepath.Join(d.dir, "photo.csv")
	if err := os.WriteFile(garbage, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 512)...), 0o600); err != nil {
		t.Fatal(err)
	}
	if st := d.uploadFile(garbage); st != http.StatusUnprocessableEntity {
		t.Errorf("import of a picture: status %d, want 422", st)
	}
	d.fieldError(v, "f-file", d.fr("error.import_not_spreadsheet"))

	// The messy spreadsheet, in Windows-1252: the mapping is suggested.
	bad, lines := d.spreadsheet("contacts.csv", contacts(false), true)
	if st := d.uploadFile(bad); st != http.StatusOK {
		t.Fatalf("upload the spreadsheet: status %d", st)
	}
	if got := v.text("h1"); got != d.fr("import.mapping_title") {
		t.Errorf("after upload: h1 %q", got)
	}
	for field, header := range map[string]string{
		"last_name": "Nom", "first_name": "Prénom", "email": "Courriel", "organisation": "Structure",
		"function": "Fonction", "sectors": "Secteurs", "name": "", "phone": "", "kind": "",
	} {
		if got := v.value("#f-map-" + field); got != header {
			t.Errorf("suggested mapping: %s ← %q, want %q", field, got, header)
		}
	}
	v.checkA11y()

	// Unmapping the e-mail column is refused at its select.
	v.choose("#f-map-email", "")
	if st := v.click(`button[name="action"][value="preview"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("preview without an e-mail column: status %d, want 422", st)
	}
	if got := v.text("#f-map-email-error"); got != d.fr("error.import_column_required") {
		t.Errorf("preview without an e-mail column: message %q", got)
	}
	if got := v.attr("#f-map-email", "aria-describedby"); got != "f-map-email-error" || v.attr("#f-map-email", "aria-invalid") != "true" {
		t.Errorf("preview without an e-mail column: the select is not marked invalid (aria-describedby=%q)", got)
	}
	v.checkA11y()
	v.choose("#f-map-email", "Courriel")

	// The preview points at the two bad rows, by line.
	wantErrors := [][]string{
		{strconv.Itoa(lines[4]), d.fr("import.field.email"), d.fr("error.email_invalid")},
		{strconv.Itoa(lines[9]), d.fr("import.field.sectors"), d.fr("error.sector_unknown")},
	}
	if lines[4] != 7 || lines[9] != 12 {
		t.Fatalf("the spreadsheet's bad rows start on lines %d and %d, want 7 and 12 (after the cell with a line break)", lines[4], lines[9])
	}
	if st := v.click(`button[name="action"][value="preview"]`); st != http.StatusOK {
		t.Errorf("preview: status %d", st)
	}
	if got := v.text("#h-preview"); got != d.fr("import.preview_title") {
		t.Errorf("preview: heading %q", got)
	}
	if got := rowsOf(v, "#h-preview ~ .table-wrap table"); !slices.EqualFunc(got, wantErrors, slices.Equal) {
		t.Errorf("preview: problems %q, want %q", got, wantErrors)
	}
	counts := d.fr("import.counts", "created", 10, "updated", 0, "unchanged", 0, "errors", 2)
	if got := v.text("#h-preview + p"); got != counts {
		t.Errorf("preview: %q, want %q", got, counts)
	}
	v.checkA11y()

	// Import without skipping: refused, nothing written.
	if st := v.click(`button[name="action"][value="import"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("import with bad rows: status %d, want 422", st)
	}
	if got := v.text("#h-preview"); got != d.fr("import.refused_title") {
		t.Errorf("refused import: heading %q", got)
	}
	if !strings.Contains(v.text("section.alert-error"), d.fr("import.refused")) {
		t.Errorf("refused import: the page does not say that nothing was imported")
	}
	if got := rowsOf(v, "#h-preview ~ .table-wrap table"); !slices.EqualFunc(got, wantErrors, slices.Equal) {
		t.Errorf("refused import: problems %q, want %q", got, wantErrors)
	}
	if n := d.countPeople(); n != 0 {
		t.Errorf("a refused import wrote %d people", n)
	}
	v.checkA11y()

	// The two rows fixed, saved as UTF-8 with a BOM this time: imported.
	if st := v.click(`main a[href="/directory/import"]`); st != http.StatusOK {
		t.Fatalf("back to the import form: status %d", st)
	}
	good, _ := d.spreadsheet("contacts-corrige.csv", contacts(true), false)
	if st := d.uploadFile(good); st != http.StatusOK {
		t.Fatalf("upload the corrected spreadsheet: status %d", st)
	}
	if st := v.click(`button[name="action"][value="preview"]`); st != http.StatusOK {
		t.Errorf("preview of the corrected file: status %d", st)
	}
	if v.exists("#h-preview ~ .table-wrap table") {
		t.Errorf("the corrected file still has problems: %q", rowsOf(v, "#h-preview ~ .table-wrap table"))
	}
	if st := v.click(`button[name="action"][value="import"]`); st != http.StatusOK {
		t.Fatalf("import the corrected file: status %d", st)
	}
	if got := v.text("h1"); got != d.fr("import.done_title") {
		t.Errorf("after the import: h1 %q", got)
	}
	counts = d.fr("import.counts", "created", 12, "updated", 0, "unchanged", 0, "errors", 0)
	if got := v.text("main h1 + p"); got != counts {
		t.Errorf("after the import: %q, want %q", got, counts)
	}
	if n := d.countPeople(); n != 12 {
		t.Errorf("after the import: %d people, want 12", n)
	}
	v.checkA11y()

	// What was read: accents from Windows-1252, the line break, organisations matched.
	ctx := context.Background()
	for _, c := range contacts(true) {
		p, err := directory.PersonByEmail(ctx, d.env.DB, strings.ToLower(c.email))
		if err != nil {
			t.Fatalf("%s not imported: %v", c.email, err)
		}
		d.people[p.Email] = p.ID
	}
	lefevre, _ := directory.PersonByEmail(ctx, d.env.DB, "f.lefevre@sante-commune.example")
	if lefevre.FirstName != "François" || lefevre.Function != "Coordinateur réseau santé" || !slices.Equal(lefevre.Sectors, []string{"health"}) {
		t.Errorf("imported %+v", lefevre)
	}
	for email, org := range map[string]string{
		"jerome.roux@habitat-solidaire.example": d.habitat, "theo.lambert@reseau-sante.example": "Réseau Santé Précarité",
		"aissatou.ndiaye@sante.gouv.example": "Ministère de la Santé",
	} {
		p, _ := directory.PersonByEmail(ctx, d.env.DB, email)
		if p.OrganisationID != org && p.OrganisationName != org {
			t.Errorf("%s: organisation %q (%s), want the existing %s", email, p.OrganisationName, p.OrganisationID, org)
		}
	}
}

func (d *dirScenario) countPeople() int {
	n, err := directory.CountPeople(context.Background(), d.env.DB, directory.Filter{})
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

// searchDirectory uses the directory's filters.
func (d *dirScenario) searchDirectory() {
	t, v := d.t, d.organiser
	// Values no form offers (an edited address) are told at their fields.
	d.see(v, "/directory?kind=castle&sector=astrology", http.StatusUnprocessableEntity, d.fr("dir.title"))
	d.fieldError(v, "f-kind", d.fr("error.kind_invalid"))
	if got := v.text("#f-sector-error"); got != d.fr("error.sector_unknown") {
		t.Errorf("directory with an unknown sector: message %q", got)
	}

	d.see(v, "/directory", http.StatusOK, d.fr("dir.title"))
	v.typeInto("#f-q", "HELENE")
	v.choose("#f-college", "civil_society")
	v.check(`input[name="sector"][value="housing"]`)
	if st := v.click(`main form[role="search"] button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("search: status %d", st)
	}
	if got, want := v.text(`main p[role="status"]`), d.fr("dir.count", "count", 1); got != want {
		t.Errorf("search for HELENE in civil society and housing: %q, want %q", got, want)
	}
	if got := v.texts("main table tbody tr td:first-child"); !slices.Equal(got, []string{"Dupré Hélène"}) {
		t.Errorf("search results %q", got)
	}
	v.checkA11y()

	// Its export links carry the filter: the open-data CSV holds her alone.
	f := v.fetch(v.attr(`main a[href^="/api/v1/people/export.csv?format=open"]`, "href"))
	if f.Status != http.StatusOK || !bytes.HasPrefix(f.Body, []byte("first_name,")) {
		t.Fatalf("open CSV export of the search: %d %q", f.Status, f.Body)
	}
	rows, err := csv.NewReader(bytes.NewReader(f.Body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][2] != "helene.dupre@habitat-solidaire.example" {
		t.Errorf("open CSV export of the search for HELENE: %q (%v), want Hélène alone", rows, err)
	}
}

// mergeDuplicate: a second record of Hélène, with a "+forum" address, is
// flagged and merged into the imported one.
func (d *dirScenario) mergeDuplicate() {
	t, v := d.t, d.organiser
	d.see(v, "/directory/people/new", http.StatusOK, d.fr("person.new"))
	v.typeInto("#f-first_name", "Helene")
	v.typeInto("#f-last_name", "Dupre")
	v.typeInto("#f-email", "Helene.Dupre+forum@habitat-solidaire.example")
	v.choose("#f-organisation_id", d.habitat)
	if st := v.click(`main form button[type="submit"]`); st != http.StatusOK || !strings.HasPrefix(v.path(), "/directory/people/") {
		t.Fatalf("create a person: status %d on %s", st, v.path())
	}
	person := v.path()
	if got := v.text("h1"); got != "Helene Dupre" {
		t.Errorf("new person's page: h1 %q", got)
	}
	v.checkA11y()

	// Her edit form refuses a broken address, next to the field.
	d.see(v, person+"/edit", http.StatusOK, d.fr("person.edit_title"))
	v.typeInto("#f-email", "helene.dupre@")
	if st := v.click(`main form button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("edit with a broken address: status %d, want 422", st)
	}
	d.fieldError(v, "f-email", d.fr("error.email_invalid"))
	if got := v.value("#f-first_name"); got != "Helene" {
		t.Errorf("edit refused: first name shows %q, want what was there", got)
	}
	v.checkA11y()

	d.see(v, "/directory/duplicates", http.StatusOK, d.fr("dup.title"))
	keep := d.people["helene.dupre@habitat-solidaire.example"]
	merge := `form[action="/directory/duplicates/merge"]:has(input[name="into"][value="` + keep + `"]) button`
	if !v.exists(merge) {
		t.Fatalf("duplicates: no pair offering to keep the imported Hélène; rows %q", rowsOf(v, "main table"))
	}
	if st := v.click(merge); st != http.StatusOK || v.path() != "/directory/duplicates?merged=1" {
		t.Errorf("merge: status %d on %s", st, v.path())
	}
	if !strings.Contains(v.text("main"), d.fr("dup.merged")) {
		t.Errorf("after merging: no notice on %q", v.text("main"))
	}
	v.checkA11y()
	if n := d.countPeople(); n != 12 {
		t.Errorf("after merging: %d people, want 12", n)
	}
	if st := v.open(person); st != http.StatusNotFound {
		t.Errorf("the merged record still answers: %d", st)
	}
}

// buildAudienceAndExport: the audience refused without a name, then
// built; its live count and members; its export for French Excel.
func (d *dirScenario) buildAudienceAndExport() {
	t, v := d.t, d.organiser
	d.see(v, "/directory/audiences", http.StatusOK, d.fr("audience.list_title"))
	if st := v.click(`main a[href="/directory/audiences/new"]`); st != http.StatusOK {
		t.Fatalf("new audience: status %d", st)
	}
	v.checkA11y()
	v.choose("#f-college", "civil_society")
	v.check(`input[name="sector"][value="housing"]`)
	v.check(`input[name="sector"][value="health"]`)
	if st := v.click(`main form button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("audience without a name: status %d, want 422", st)
	}
	d.fieldError(v, "f-name", d.fr("error.required"))
	if v.value("#f-college") != "civil_society" || !eval[bool](v, `document.querySelector('input[name="sector"][value="health"]').checked`) {
		t.Errorf("audience refused: the filter chosen was lost")
	}
	v.checkA11y()

	const name = "Société civile logement et santé"
	v.typeInto("#f-name", name)
	if st := v.click(`main form button[type="submit"]`); st != http.StatusOK || !strings.HasPrefix(v.path(), "/directory/audiences/") {
		t.Fatalf("save the audience: status %d on %s", st, v.path())
	}
	d.audience = v.path()
	if got := v.text("h1"); got != name {
		t.Errorf("audience page: h1 %q", got)
	}
	d.audienceHas(inAudience)
	v.checkA11y()
	d.see(v, "/directory/audiences", http.StatusOK, d.fr("audience.list_title"))
	if got := rowsOf(v, "main table"); len(got) != 1 || got[0][0] != name || got[0][1] != strconv.Itoa(len(inAudience)) {
		t.Errorf("audiences: %q, want %s with %d people", got, name, len(inAudience))
	}

	// The export link of the audience, followed with the organiser's session.
	v.open(d.audience)
	href := v.attr(`main a[href^="/api/v1/people/export.csv"]`, "href")
	if !strings.Contains(href, "format=excel") {
		t.Fatalf("audience page: export link %q", href)
	}
	f := v.fetch(href)
	if f.Status != http.StatusOK || f.Type != "text/csv; charset=utf-8" || !strings.Contains(f.Disposition, "attachment") {
		t.Fatalf("export %s: %d %q %q", href, f.Status, f.Type, f.Disposition)
	}
	body, ok := bytes.CutPrefix(f.Body, []byte("\uFEFF"))
	if !ok || !bytes.HasPrefix(body, []byte("Prénom;Nom;Courriel;Organisation;Collège;")) || !bytes.Contains(body, []byte("\r\n")) {
		t.Errorf("export: want a BOM, French headers, semicolons and CRLF; got %q", f.Body[:min(len(f.Body), 120)])
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	var emails []string
	for _, row := range rows[1:] {
		emails = append(emails, row[2])
		if row[4] != "Société civile" {
			t.Errorf("export: %s in college %q", row[2], row[4])
		}
		if row[2] == "jerome.roux@habitat-solidaire.example" && row[3] != "Habitat Solidaire" {
			t.Errorf("export: Jérôme's organisation %q, want the existing Habitat Solidaire", row[3])
		}
	}
	slices.Sort(emails)
	if !slices.Equal(emails, inAudience) {
		t.Errorf("export of the audience: %q, want %q", emails, inAudience)
	}
}

// audienceHas opens the audience page and checks its count and members.
func (d *dirScenario) audienceHas(emails []string) {
	t, v := d.t, d.organiser
	t.Helper()
	if v.path() != d.audience {
		v.open(d.audience)
	}
	if got := v.text(".facts dd"); got != strconv.Itoa(len(emails)) {
		t.Errorf("audience: count %q, want %d", got, len(emails))
	}
	var want []string
	for _, e := range emails {
		p, err := directory.PersonByEmail(context.Background(), d.env.DB, e)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		want = append(want, p.LastName+" "+p.FirstName)
	}
	got := v.texts("main table tbody tr td:first-child")
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("audience members %q, want %q", got, want)
	}
}

// organisationPages: the list and an organisation as a visitor (no
// personal data) and as the organiser (its people).
func (d *dirScenario) organisationPages() {
	t := d.t
	d.see(d.public, "/organisations", http.StatusOK, d.fr("org.list_title"))
	d.public.typeInto("#f-q", "habitat")
	if st := d.public.click(`main form[role="search"] button[type="submit"]`); st != http.StatusOK {
		t.Errorf("search organisations: status %d", st)
	}
	if got := d.public.texts("main table tbody tr td:first-child"); !slices.Equal(got, []string{"Habitat Solidaire"}) {
		t.Errorf("organisations matching habitat: %q", got)
	}
	d.public.checkA11y()
	d.see(d.public, "/organisations/"+d.habitat, http.StatusOK, "Habitat Solidaire")
	main := strings.ToLower(d.public.text("main"))
	for _, personal := range []string{"@", "dupré", "hélène", "roux", d.fr("org.people")} {
		if strings.Contains(main, strings.ToLower(personal)) {
			t.Errorf("the public page of Habitat Solidaire shows %q", personal)
		}
	}
	d.see(d.organiser, "/organisations/"+d.habitat, http.StatusOK, "Habitat Solidaire")
	if got := d.organiser.texts("main ul:not(.actions) li a"); !slices.Equal(got, []string{"Hélène Dupré", "Jérôme Roux"}) {
		t.Errorf("Habitat Solidaire's people, as the organiser sees them: %q", got)
	}
	d.see(d.organiser, "/directory/people/"+d.people["f.lefevre@sante-commune.example"], http.StatusOK, "François Lefèvre")
}

// joinThenErase: Léa joins with the public form (refused once), confirms
// from the mail, downloads her data and erases herself.
func (d *dirScenario) joinThenErase() {
	t, v := d.t, d.public
	d.see(v, "/join", http.StatusOK, d.fr("join.title"))
	if st := v.click(`main form[action="/join"] button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("empty join form: status %d, want 422", st)
	}
	d.fieldError(v, "f-last_name", d.fr("error.required"))
	d.fieldError(v, "f-email", d.fr("error.required"))
	if got := v.text("#f-consent-error"); got != d.fr("error.consent_required") {
		t.Errorf("empty join form: consent message %q", got)
	}
	v.checkA11y()

	v.typeInto("#f-first_name", "Léa")
	v.typeInto("#f-last_name", "Fontaine")
	v.typeInto("#f-email", "Lea.Fontaine@Exemple.org")
	v.typeInto("#f-organisation", "habitat solidaire")
	v.check(`input[name="sectors"][value="housing"]`)
	v.check("#f-consent")
	if st := v.click(`main form[action="/join"] button[type="submit"]`); st != http.StatusOK || v.path() != "/join/sent" {
		t.Fatalf("join: status %d on %s", st, v.path())
	}
	if got := v.text("h1"); got != d.fr("join.sent_title") {
		t.Errorf("join sent: h1 %q", got)
	}
	v.checkA11y()
	const email = "lea.fontaine@exemple.org"
	if _, err := directory.PersonByEmail(context.Background(), d.env.DB, email); err == nil {
		t.Errorf("Léa is in the directory before confirming")
	}

	// The link from the mail in the outbox.
	link := d.mailedLink(email, `/join/confirm/[A-Za-z0-9_-]+`)
	if st := v.openURL(link); st != http.StatusOK {
		t.Fatalf("confirmation link: status %d", st)
	}
	if got := v.text("h1"); got != d.fr("join.confirm_title") {
		t.Errorf("confirmation page: h1 %q", got)
	}
	v.checkA11y()
	if st := v.click(`main form button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("confirm: status %d", st)
	}
	if !strings.Contains(v.text("main"), d.fr("join.welcome")) {
		t.Errorf("after confirming: %q", v.text("main"))
	}
	v.checkA11y()
	if st := v.click(`main a[href^="/preferences/"]`); st != http.StatusOK {
		t.Fatalf("preferences: status %d", st)
	}
	prefs := v.path()
	if got := v.text("h1"); got != d.fr("prefs.title") {
		t.Errorf("preferences: h1 %q", got)
	}
	if !strings.Contains(v.text("main"), email) {
		t.Errorf("preferences page does not show whose they are")
	}
	v.checkA11y()

	// In the directory and the audience now.
	d.organiser.open("/directory?q=fontaine")
	if got := d.organiser.texts("main table tbody tr td:first-child"); !slices.Equal(got, []string{"Fontaine Léa"}) {
		t.Errorf("directory search for fontaine after she joined: %q", got)
	}
	d.organiser.open(d.audience)
	d.audienceHas(append(slices.Clone(inAudience), email))

	// Her data, downloaded from her page.
	f := v.fetch(prefs + "/data")
	var data struct {
		Person struct {
			Email, Name, Organisation string
			Sectors                   []string
		} `json:"person"`
		ConsentHistory []map[string]any `json:"consent_history"`
		Mails          []map[string]any `json:"mails"`
	}
	if f.Status != http.StatusOK || !strings.HasPrefix(f.Type, "application/json") || !strings.Contains(f.Disposition, "attachment") {
		t.Fatalf("download my data: %d %q %q", f.Status, f.Type, f.Disposition)
	}
	if err := json.Unmarshal(f.Body, &data); err != nil {
		t.Fatalf("download my data: %v\n%s", err, f.Body)
	}
	if data.Person.Email != email || data.Person.Name != "Léa Fontaine" || data.Person.Organisation != "Habitat Solidaire" ||
		!slices.Equal(data.Person.Sectors, []string{"housing"}) || len(data.ConsentHistory) == 0 || len(data.Mails) != 1 {
		t.Errorf("my data: %s", f.Body)
	}

	// Erasure, confirmed.
	if st := v.click(`main a[href="` + prefs + `/erase"]`); st != http.StatusOK {
		t.Fatalf("erase: status %d", st)
	}
	if got := v.text("h1"); got != d.fr("prefs.erase") {
		t.Errorf("erase page: h1 %q", got)
	}
	v.checkA11y()
	if st := v.click(`main form button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("confirm erasure: status %d", st)
	}
	if !strings.Contains(v.text("main"), d.fr("prefs.erased")) {
		t.Errorf("after erasure: %q", v.text("main"))
	}
	v.checkA11y()

	// Gone: her link, the directory, the audience, the outbox.
	if st := v.open(prefs); st != http.StatusNotFound {
		t.Errorf("preferences link after erasure: status %d, want 404", st)
	}
	for _, q := range []string{"fontaine", "lea.fontaine", "exemple.org"} {
		d.organiser.open("/directory?q=" + q)
		if got, want := d.organiser.text(`main p[role="status"]`), d.fr("dir.count", "count", 0); got != want {
			t.Errorf("directory search for %s after erasure: %q, want %q", q, got, want)
		}
	}
	d.organiser.checkA11y()
	d.organiser.open(d.audience)
	d.audienceHas(inAudience)
	entries, err := mail.List(context.Background(), d.env.DB, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(strings.ToLower(e.Recipient+e.Subject), "fontaine") {
			t.Errorf("outbox after erasure: %+v", e)
		}
	}
}

// mailedLink finds the address matching path in the last mail to email.
func (d *dirScenario) mailedLink(email, path string) string {
	d.t.Helper()
	ctx := context.Background()
	entries, err := mail.List(ctx, d.env.DB, "", 100)
	if err != nil {
		d.t.Fatal(err)
	}
	for _, e := range entries {
		if e.Recipient != email {
			continue
		}
		m, err := mail.Load(ctx, d.env.DB, e.ID)
		if err != nil {
			d.t.Fatal(err)
		}
		link := regexp.MustCompile(regexp.QuoteMeta(d.env.HTTP.URL) + path).FindString(m.Text)
		if link == "" {
			d.t.Fatalf("mail to %s holds no link to %s%s:\n%s", email, d.env.HTTP.URL, path, m.Text)
		}
		return link
	}
	d.t.Fatalf("no mail to %s in the outbox", email)
	return ""
}

// adminSectors: the taxonomy page, and its form refused empty.
func (d *dirScenario) adminSectors(browser context.Context, axe string) {
	t := d.t
	v := d.signedIn(browser, axe, "fr-FR,fr;q=0.9", auth.Admin, "admin.secteurs@example.org")
	d.see(v, "/admin/sectors", http.StatusOK, d.fr("sectors.title"))
	if got := v.value("#fr-housing"); got != "Logement" {
		t.Errorf("sector housing: French label %q", got)
	}
	if st := v.click(`main form[action="/admin/sectors"][novalidate] button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("empty new sector: status %d, want 422", st)
	}
	d.fieldError(v, "f-slug", d.fr("error.slug_invalid"))
	d.fieldError(v, "f-label_fr", d.fr("error.required"))
	v.checkA11y()
}

// inEnglish: the main pages again, after the switcher, and the join form
// for an English-speaking visitor.
func (d *dirScenario) inEnglish(browser context.Context, axe string) {
	t, v := d.t, d.organiser
	en := func(key string, args ...any) string { return d.cat.T("en", key, args...) }
	v.open("/directory")
	v.switchLanguage("en")
	for _, p := range []struct{ path, h1 string }{
		{"/directory?q=dupre&college=civil_society&sector=housing&sector=health", en("dir.title")},
		{"/directory/people/" + d.people["f.lefevre@sante-commune.example"], "François Lefèvre"},
		{"/directory/people/new", en("person.new")},
		{"/directory/audiences", en("audience.list_title")},
		{"/directory/audiences/new", en("audience.new")},
		{d.audience, "Société civile logement et santé"},
		{"/directory/duplicates", en("dup.title")},
		{"/organisations", en("org.list_title")},
		{"/organisations/" + d.habitat, "Habitat Solidaire"},
		{"/directory/organisations/new", en("org.new")},
		{"/directory/import", en("import.title")},
	} {
		d.see(v, p.path, http.StatusOK, p.h1)
		if got := v.lang(); got != "en" {
			t.Errorf("%s: <html lang=%q> after switching to English", p.path, got)
		}
	}
	bad, _ := d.spreadsheet("contacts-en.csv", contacts(false), true)
	if st := d.uploadFile(bad); st != http.StatusOK {
		t.Fatalf("upload in English: status %d", st)
	}
	v.checkA11y()
	if st := v.click(`button[name="action"][value="preview"]`); st != http.StatusOK {
		t.Errorf("preview in English: status %d", st)
	}
	if got := rowsOf(v, "#h-preview ~ .table-wrap table"); len(got) != 2 || got[0][2] != en("error.email_invalid") || got[1][2] != en("error.sector_unknown") {
		t.Errorf("preview in English: %q", got)
	}
	v.checkA11y()

	visitor := newVisitor(t, browser, d.env.HTTP.URL, axe, "en-GB,en;q=0.9")
	d.see(visitor, "/join", http.StatusOK, en("join.title"))
	if st := visitor.click(`main form[action="/join"] button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("empty join form in English: status %d, want 422", st)
	}
	d.fieldError(visitor, "f-email", en("error.required"))
	visitor.checkA11y()
}
