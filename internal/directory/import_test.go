package directory_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// messyCSV is a contacts sheet as French Excel saves it: semicolons,
// "Nom" and "Prénom" apart, accents, a quoted cell spanning two lines,
// sectors as French labels and slugs in one cell, an organisation written
// in two cases, an empty trailing row.
const messyCSV = "Nom;Prénom;Courriel;Structure;Fonction;Secteurs;Téléphone\r\n" +
	"Dubois;Hélène;Helene.Dubois@Example.org;Regards Citoyens;\"Chargée de\r\nmission\";\"Logement; santé\";01 23 45 67 89\r\n" +
	"Martin;Jean;jean.martin@example.org;REGARDS CITOYENS;Président;Données ouvertes, transparency;\r\n" +
	"Durand;Zoé;zoe.durand@example.fr;Fondation Abbé Pierre;;\"Logement\r\nAction sociale\";\r\n" +
	"Lefèvre;Élodie;elodie@example.fr;;Chercheuse;research;+33 6 12 34 56 78\r\n" +
	";;;;;;\r\n"

func ieEncodings() map[string][]byte {
	cp1252, err := charmap.Windows1252.NewEncoder().String(messyCSV)
	if err != nil {
		panic(err)
	}
	return map[string][]byte{
		"utf-8 with BOM": append([]byte("\uFEFF"), messyCSV...),
		"utf-8":          []byte(messyCSV),
		"windows-1252":   []byte(cp1252),
	}
}

func ieImport(t *testing.T, db *store.DB, file []byte, opts directory.ImportOptions) *directory.ImportResult {
	t.Helper()
	res, err := directory.ImportPeople(context.Background(), db, bytes.NewReader(file), opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

func ieCount(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func ieTx(t *testing.T, db *store.DB, fn func(tx *sql.Tx) error) {
	t.Helper()
	if err := db.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func iePerson(t *testing.T, db *store.DB, email string) *directory.Person {
	t.Helper()
	p, err := directory.PersonByEmail(context.Background(), db, email)
	if err != nil {
		t.Fatalf("person %s: %v", email, err)
	}
	return p
}

func ieCounts(res *directory.ImportResult) [3]int {
	return [3]int{res.Created, res.Updated, res.Unchanged}
}

func TestImportMessyFrenchExcelCSV(t *testing.T) {
	for name, file := range ieEncodings() {
		t.Run(name, func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				var rc *directory.Organisation
				ieTx(t, db, func(tx *sql.Tx) (err error) {
					rc, err = directory.CreateOrganisation(ctx, tx, directory.OrganisationInput{Name: "Regards Citoyens", Kind: "association"})
					return err
				})
				res := ieImport(t, db, file, directory.ImportOptions{})
				if got := ieCounts(res); got != [3]int{4, 0, 0} || len(res.Errors) != 0 || !res.Written() {
					t.Fatalf("counts %v, errors %v", got, res.Errors)
				}
				h := iePerson(t, db, "helene.dubois@example.org")
				if h.FirstName != "Hélène" || h.LastName != "Dubois" || h.Function != "Chargée de mission" ||
					h.Phone != "01 23 45 67 89" || h.Language != "fr" || h.Source != "import" {
					t.Errorf("Hélène stored as %+v", h)
				}
				if !reflect.DeepEqual(h.Sectors, []string{"health", "housing"}) {
					t.Errorf("Hélène's sectors %v", h.Sectors)
				}
				// "REGARDS CITOYENS" is the existing "Regards Citoyens".
				if j := iePerson(t, db, "jean.martin@example.org"); h.OrganisationID != rc.ID || j.OrganisationID != rc.ID ||
					!reflect.DeepEqual(j.Sectors, []string{"open-data", "transparency"}) {
					t.Errorf("organisations %q %q, want %q; Jean's sectors %v", h.OrganisationID, j.OrganisationID, rc.ID, j.Sectors)
				}
				z := iePerson(t, db, "zoe.durand@example.fr")
				if z.OrganisationName != "Fondation Abbé Pierre" || z.College != directory.CollegeCivilSociety ||
					!reflect.DeepEqual(z.Sectors, []string{"housing", "social"}) {
					t.Errorf("Zoé: %+v", z)
				}
				if e := iePerson(t, db, "elodie@example.fr"); e.OrganisationID != "" || e.FirstName != "Élodie" {
					t.Errorf("Élodie: %+v", e)
				}
				if n := ieCount(t, db, "organisations"); n != 2 {
					t.Errorf("%d organisations, want 2", n)
				}
				if n := ieCount(t, db, "consents"); n != 0 {
					t.Errorf("%d consents recorded without a consent column", n)
				}
			})
		})
	}
}

// badCSV has a quoted cell over two lines before its bad rows, so that a
// row's number is its starting line in the file, not its record count.
const badCSV = "Prénom;Nom;Courriel;Secteurs;Structure\n" +
	"Hélène;Dubois;helene@example.org;\"logement\nsanté\";Droit au logement\n" + // lines 2-3
	"Jean;Martin;jean.martin@;social;Droit au logement\n" + // line 4: bad e-mail
	"Zoé;Durand;zoe@example.org;astrologie;Nouvelle Asso\n" + // line 5: unknown sector
	"Paul;Petit;paul@example.org;;\n" + // line 6
	"Marie;;marie@example.org;;\n" + // line 7: last name missing
	";;anon@example.org;;\n" + // line 8: no name at all
	"Hélène;Dubois;HELENE@example.org;;\n" // line 9: duplicate in file

func TestImportBadRows(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		want := []directory.ImportError{
			{Row: 4, Field: "email", Message: "error.email_invalid"},
			{Row: 5, Field: "sectors", Message: "error.sector_unknown"},
			{Row: 7, Field: "last_name", Message: "error.required"},
			{Row: 8, Field: "name", Message: "error.name_required"},
			{Row: 9, Field: "email", Message: "error.duplicate_in_file"},
		}
		for _, dry := range []bool{true, false} {
			res := ieImport(t, db, []byte(badCSV), directory.ImportOptions{DryRun: dry})
			if !reflect.DeepEqual(res.Errors, want) {
				t.Fatalf("dry run %v: errors %+v, want %+v", dry, res.Errors, want)
			}
			if got := ieCounts(res); got != [3]int{2, 0, 0} || res.Written() {
				t.Errorf("dry run %v: counts %v written %v", dry, got, res.Written())
			}
			if n, o := ieCount(t, db, "people"), ieCount(t, db, "organisations"); n != 0 || o != 0 {
				t.Fatalf("an import with bad rows wrote %d people, %d organisations", n, o)
			}
		}

		res := ieImport(t, db, []byte(badCSV), directory.ImportOptions{SkipInvalid: true})
		if got := ieCounts(res); got != [3]int{2, 0, 0} || !reflect.DeepEqual(res.Errors, want) || !res.Written() {
			t.Fatalf("skip invalid: counts %v, errors %+v", got, res.Errors)
		}
		if n := ieCount(t, db, "people"); n != 2 {
			t.Errorf("%d people, want 2", n)
		}
		// Only the good rows' organisation was created, not that of row 5.
		if n := ieCount(t, db, "organisations"); n != 1 {
			t.Errorf("%d organisations, want 1", n)
		}
		res = ieImport(t, db, []byte(badCSV), directory.ImportOptions{SkipInvalid: true})
		if got := ieCounts(res); got != [3]int{0, 0, 2} {
			t.Errorf("second import counts %v, want all unchanged", got)
		}
	})
}

func TestImportAgainChangesNothing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		file := ieEncodings()["windows-1252"]
		withConsent := strings.Replace(messyCSV, "Téléphone\r\n", "Téléphone;Consentement\r\n", 1)
		withConsent = strings.ReplaceAll(withConsent, "89\r\n", "89;oui\r\n")
		for _, f := range [][]byte{file, []byte(withConsent)} {
			first := ieImport(t, db, f, directory.ImportOptions{})
			if first.Created+first.Updated == 0 || len(first.Errors) != 0 {
				t.Fatalf("first import: %+v", first)
			}
			before := iePerson(t, db, "helene.dubois@example.org")
			consents := ieCount(t, db, "consents")
			for _, dry := range []bool{true, false} {
				again := ieImport(t, db, f, directory.ImportOptions{DryRun: dry})
				if got := ieCounts(again); got != [3]int{0, 0, 4} || len(again.Errors) != 0 {
					t.Fatalf("re-import (dry run %v): counts %v, errors %v", dry, got, again.Errors)
				}
			}
			after := iePerson(t, db, "helene.dubois@example.org")
			if !after.UpdatedAt.Equal(before.UpdatedAt) || ieCount(t, db, "consents") != consents {
				t.Errorf("re-import wrote: updated_at %v → %v, consents %d → %d", before.UpdatedAt, after.UpdatedAt,
					consents, ieCount(t, db, "consents"))
			}
		}
		// The consent column recorded Hélène's consent, with its method.
		h := iePerson(t, db, "helene.dubois@example.org")
		history, err := directory.ConsentHistory(context.Background(), db, h.ID)
		if err != nil || !h.Consent.Info || !h.Consent.Invitations || len(history) != 2 || history[0].Method != directory.MethodImport {
			t.Errorf("consent %+v, history %+v (%v)", h.Consent, history, err)
		}
	})
}

func TestImportUpdatesWhatChangedAndKeepsEmptyCells(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ieImport(t, db, []byte(messyCSV), directory.ImportOptions{})
		// Hélène changes job and sectors; her phone cell is empty now; Jean
		// and Zoé are the same; a new person comes.
		changed := "Courriel;Nom;Prénom;Fonction;Secteurs;Téléphone;Langue\n" +
			"helene.dubois@example.org;Dubois;Hélène;Déléguée;environment;;\n" +
			"jean.martin@example.org;Martin;Jean;Président;;;\n" +
			"zoe.durand@example.fr;Durand;Zoé;;;;fr\n" +
			"new@example.org;Neuf;Nina;;;;English\n"
		res := ieImport(t, db, []byte(changed), directory.ImportOptions{DryRun: true})
		if got := ieCounts(res); got != [3]int{1, 1, 2} {
			t.Fatalf("preview counts %v, want 1 created, 1 updated, 2 unchanged", got)
		}
		if got := ieCounts(ieImport(t, db, []byte(changed), directory.ImportOptions{})); got != [3]int{1, 1, 2} {
			t.Fatalf("counts %v differ from the preview", got)
		}
		h := iePerson(t, db, "helene.dubois@example.org")
		if h.Function != "Déléguée" || h.Phone != "01 23 45 67 89" || h.OrganisationName != "Regards Citoyens" ||
			!reflect.DeepEqual(h.Sectors, []string{"environment"}) {
			t.Errorf("Hélène after update: %+v", h)
		}
		if n := iePerson(t, db, "new@example.org"); n.Language != "en" {
			t.Errorf("language %q, want en", n.Language)
		}
		// The search text follows the name.
		found, err := directory.SearchPeople(context.Background(), db, directory.Filter{Q: "nina"}, 10, 0)
		if err != nil || len(found) != 1 {
			t.Errorf("search for the new person: %d found (%v)", len(found), err)
		}
	})
}

func TestImportOrganisationsCreatedOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		file := "E-mail,Full name,Organisation,Kind,College\n" +
			"a@example.org,Ann Lee,Mairie de Lyon,local_authority,\n" +
			"b@example.org,Bob Ray,MAIRIE DE LYON,,\n" +
			"c@example.org,Cy Ode,Collectif Logement,Collectif,\n" +
			"d@example.org,Di Ana,Préfecture du Rhône,,Administration\n" +
			"e@example.org,Ed Wood,Mairie de Lyon,Association,\n"
		res := ieImport(t, db, []byte(file), directory.ImportOptions{})
		if got := ieCounts(res); got != [3]int{5, 0, 0} || len(res.Errors) != 0 {
			t.Fatalf("counts %v, errors %v", got, res.Errors)
		}
		orgs, total, err := directory.ListOrganisations(context.Background(), db, directory.OrganisationFilter{})
		if err != nil || total != 3 {
			t.Fatalf("%d organisations (%v), want 3", total, err)
		}
		got := map[string]string{}
		for _, o := range orgs {
			got[o.Name] = o.Kind + "/" + o.College
		}
		want := map[string]string{
			"Collectif Logement":  "collective/civil_society",
			"Mairie de Lyon":      "local_authority/administration",
			"Préfecture du Rhône": "association/administration",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("organisations %v, want %v", got, want)
		}
		if p := iePerson(t, db, "b@example.org"); p.FirstName != "Bob" || p.LastName != "Ray" || p.OrganisationName != "Mairie de Lyon" {
			t.Errorf("Bob: %+v", p)
		}
	})
}

func TestImportRespectsOptOutAndSuppression(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ieTx(t, db, func(tx *sql.Tx) error {
			p, err := directory.CreatePerson(ctx, tx, directory.PersonInput{FirstName: "Olivia", LastName: "Out", Email: "out@example.org"})
			if err != nil {
				return err
			}
			if err := directory.Unsubscribe(ctx, tx, p.ID, directory.MethodForm); err != nil {
				return err
			}
			gone, err := directory.CreatePerson(ctx, tx, directory.PersonInput{FirstName: "Gaston", LastName: "Gone", Email: "gone@example.org"})
			if err != nil {
				return err
			}
			_, err = directory.Erase(ctx, tx, gone.ID)
			return err
		})
		file := "Nom;Prénom;Courriel;Consentement\nOut;Olivia;out@example.org;oui\nGone;Gaston;gone@example.org;oui\nNew;Nora;nora@example.org;peut-être\n"
		res := ieImport(t, db, []byte(file), directory.ImportOptions{SkipInvalid: true})
		want := []directory.ImportError{
			{Row: 3, Field: "email", Message: "error.email_suppressed"},
			{Row: 4, Field: "consent", Message: "error.import_consent_invalid"},
		}
		if got := ieCounts(res); got != [3]int{0, 0, 1} || !reflect.DeepEqual(res.Errors, want) {
			t.Fatalf("counts %v, errors %+v", got, res.Errors)
		}
		if p := iePerson(t, db, "out@example.org"); p.Consent.Info || p.Consent.Invitations || !p.OptedOut {
			t.Errorf("an import gave consent back to someone who opted out: %+v", p)
		}
		if _, err := directory.PersonByEmail(ctx, db, "gone@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an erased person came back: %v", err)
		}
	})
}

func TestImportMappingErrors(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		cases := []struct {
			file    string
			mapping map[string]string
			want    directory.FieldErrors
		}{
			{"Nom;Prénom;Téléphone\nA;B;0123456789\n", nil, directory.FieldErrors{"map.email": "error.import_column_required"}},
			{"Courriel;Fonction\na@example.org;x\n", nil, directory.FieldErrors{"map.name": "error.import_column_required"}},
			{"Nom;Courriel\nA;a@example.org\n", map[string]string{"phone": "Portable", "shoe_size": "Nom"},
				directory.FieldErrors{"map.phone": "error.import_column_missing", "map.shoe_size": "error.import_field_unknown"}},
			{"Nom;Courriel\nA;a@example.org\n", map[string]string{"email": ""}, directory.FieldErrors{"map.email": "error.import_column_required"}},
		}
		for _, c := range cases {
			_, err := directory.ImportPeople(context.Background(), db, strings.NewReader(c.file), directory.ImportOptions{Mapping: c.mapping})
			var fe directory.FieldErrors
			if !errors.As(err, &fe) || !reflect.DeepEqual(fe, c.want) {
				t.Errorf("%q %v: error %v, want %v", c.file, c.mapping, err, c.want)
			}
		}
		// A mapping given by the caller overrides the suggestion, matching
		// headers whatever their case and accents.
		file := "Nom;Courriel;Domaines;Employeur\nDupont;d@example.org;santé;Asso\n"
		res := ieImport(t, db, []byte(file), directory.ImportOptions{Mapping: map[string]string{"sectors": "DOMAINES", "organization": ""}})
		if got := ieCounts(res); got != [3]int{1, 0, 0} {
			t.Fatalf("counts %v, errors %v", got, res.Errors)
		}
		if p := iePerson(t, db, "d@example.org"); !reflect.DeepEqual(p.Sectors, []string{"health"}) || p.OrganisationID != "" {
			t.Errorf("person %+v", p)
		}
	})
}

func TestImportRefusesWhatIsNotASpreadsheet(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(i*7919 + i>>3)
	}
	cases := map[string]struct {
		file []byte
		want string
	}{
		"empty":        {nil, "error.import_empty"},
		"blank lines":  {[]byte("\r\n\r\n  \n"), "error.import_empty"},
		"random bytes": {random, "error.import_not_spreadsheet"},
		"png":          {append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), random[:200]...), "error.import_not_spreadsheet"},
		"pdf":          {[]byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), "error.import_not_spreadsheet"},
		"nul in csv":   {[]byte("Nom;Courriel\n" + strings.Repeat("Dupont;d@example.org\n", 1000) + "Nul\x00;x@example.org\n"), "error.import_not_spreadsheet"},
		"zip garbage":  {append([]byte("PK\x03\x04"), random[:5000]...), "error.import_xlsx_invalid"},
		"old xls":      {append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), random[:600]...), "error.import_xls_unsupported"},
	}
	for name, c := range cases {
		for _, read := range []string{"import", "headers"} {
			var err error
			if read == "import" {
				_, err = directory.ImportPeople(context.Background(), db, bytes.NewReader(c.file), directory.ImportOptions{})
			} else {
				_, err = directory.ReadHeaders(bytes.NewReader(c.file))
			}
			var fe directory.FieldErrors
			if !errors.As(err, &fe) || fe["file"] != c.want {
				t.Errorf("%s (%s): error %v, want file=%s", name, read, err, c.want)
			}
		}
	}
	if n := ieCount(t, db, "people"); n != 0 {
		t.Errorf("%d people written", n)
	}
}

func TestSuggestMapping(t *testing.T) {
	cases := []struct {
		headers []string
		want    map[string]string
	}{
		{[]string{"Nom", "Prénom", "Courriel", "Structure", "Fonction", "Secteurs", "Tél.", "Langue", "Collège", "Nature"},
			map[string]string{"last_name": "Nom", "first_name": "Prénom", "email": "Courriel", "organisation": "Structure",
				"function": "Fonction", "sectors": "Secteurs", "phone": "Tél.", "language": "Langue", "college": "Collège", "kind": "Nature"}},
		{[]string{"NOM DE FAMILLE", "PRÉNOM", "Adresse électronique", "Organisme", "Poste", "Thématiques", "Téléphone"},
			map[string]string{"last_name": "NOM DE FAMILLE", "first_name": "PRÉNOM", "email": "Adresse électronique",
				"organisation": "Organisme", "function": "Poste", "sectors": "Thématiques", "phone": "Téléphone"}},
		{[]string{"Name", "E-mail", "Organization", "Job title", "Sectors", "Phone", "Language", "Kind"},
			map[string]string{"name": "Name", "email": "E-mail", "organisation": "Organization", "function": "Job title",
				"sectors": "Sectors", "phone": "Phone", "language": "Language", "kind": "Kind"}},
		{[]string{"First name", "Name", "Email", "Employeur", "Role"},
			map[string]string{"first_name": "First name", "last_name": "Name", "email": "Email", "organisation": "Employeur", "function": "Role"}},
		{[]string{"Nom complet", "Mail", "Association", "Type", "Secteur"},
			map[string]string{"name": "Nom complet", "email": "Mail", "organisation": "Association", "kind": "Type", "sectors": "Secteur"}},
		{[]string{"Surname", "Last name", "Full name", "Courriel", "Email"},
			map[string]string{"last_name": "Surname", "email": "Courriel"}},
		{[]string{"first_name", "last_name", "email", "organisation", "consent_info", "created_at"},
			map[string]string{"first_name": "first_name", "last_name": "last_name", "email": "email", "organisation": "organisation"}},
		{[]string{"Remarques", ""}, map[string]string{}},
	}
	for _, c := range cases {
		if got := directory.SuggestMapping(c.headers); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SuggestMapping(%q) = %v, want %v", c.headers, got, c.want)
		}
	}
}

func TestImportListsAThousandErrorsAtMost(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	var b strings.Builder
	b.WriteString("Nom;Courriel\n")
	for i := range 1200 {
		fmt.Fprintf(&b, "N%d;not-an-address-%d\n", i, i)
	}
	res := ieImport(t, db, []byte(b.String()), directory.ImportOptions{})
	if len(res.Errors) != directory.MaxImportErrors || res.ErrorsOmitted != 200 || res.Errors[999].Row != 1001 {
		t.Errorf("%d errors listed, %d omitted", len(res.Errors), res.ErrorsOmitted)
	}
}

// On SQLite an import runs with foreign keys off and inserts that roll the
// whole transaction back on a violation (see importTx): the connection
// must enforce foreign keys again afterwards, whether the import was
// written, a dry run, or failed.
func TestImportLeavesForeignKeysEnforced(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		db.SetMaxOpenConns(1) // the import's connection is the one tested
		ctx := context.Background()
		ieImport(t, db, []byte(messyCSV), directory.ImportOptions{DryRun: true})
		ieImport(t, db, []byte(messyCSV), directory.ImportOptions{})
		if _, err := directory.ImportPeople(ctx, db, strings.NewReader("Nom;Courriel\r\n;bad\r\n"), directory.ImportOptions{}); err != nil {
			t.Fatalf("import with a bad row: %v", err)
		}
		_, err := db.ExecContext(ctx, `INSERT INTO person_sectors (person_id, sector_slug) VALUES ('nobody', 'housing')`)
		if err == nil {
			t.Fatal("a sector of a person who does not exist was written after an import: foreign keys are off")
		}
		if n := ieCount(t, db, "people"); n != 4 {
			t.Errorf("%d people, want 4", n)
		}
	})
}

// Two imports at once that name the same new organisation create it once:
// each finds organisations by name under a lock (on PostgreSQL, both would
// otherwise read that it is missing, then both create it).
func TestConcurrentImportsCreateAnOrganisationOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		const n = 4
		errs := make(chan error, n)
		start := make(chan struct{})
		for i := range n {
			file := fmt.Sprintf("Nom;Prénom;Courriel;Structure\r\nMartin;Ana;ana%d@example.org;Collectif Neuf\r\nPetit;Bruno;bruno%d@example.org;Collectif Neuf\r\n", i, i)
			go func() {
				<-start
				_, err := directory.ImportPeople(context.Background(), db, strings.NewReader(file), directory.ImportOptions{})
				errs <- err
			}()
		}
		close(start)
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		var orgs, people int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM organisations WHERE name_key = 'collectif neuf'`).Scan(&orgs); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(DISTINCT organisation_id) FROM people`).Scan(&people); err != nil {
			t.Fatal(err)
		}
		if orgs != 1 || people != 1 {
			t.Errorf("%d organisations named Collectif Neuf, people in %d organisations; want 1 and 1", orgs, people)
		}
	})
}

// An import stopped half-way (its request cancelled) writes nothing, and
// its reading goroutine ends before ImportPeople returns.
func TestImportStoppedHalfWayWritesNothing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		var b strings.Builder
		b.WriteString("Nom;Prénom;Courriel\n")
		for i := range 60000 {
			fmt.Fprintf(&b, "Nom%d;Prénom;p%d@example.org\n", i, i)
		}
		ctx, cancel := context.WithCancel(context.Background())
		r := &cancelAfter{Reader: strings.NewReader(b.String()), n: 1 << 20, cancel: cancel}
		_, err := directory.ImportPeople(ctx, db, r, directory.ImportOptions{})
		if err == nil {
			t.Fatal("a cancelled import succeeded")
		}
		if n := ieCount(t, db, "people"); n != 0 {
			t.Errorf("%d people written by a cancelled import", n)
		}
	})
}

// cancelAfter cancels once n bytes have been read: in the middle of the
// file, while earlier batches are being written.
type cancelAfter struct {
	*strings.Reader
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.Reader.Read(p)
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// A fault while reading a row (here the file's reader panics half-way)
// fails the import with an error, and does not take the process down.
func TestImportReadFaultIsAnError(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	var b strings.Builder
	b.WriteString("Nom;Prénom;Courriel\n")
	for i := range 60000 {
		fmt.Fprintf(&b, "Nom%d;Prénom;p%d@example.org\n", i, i)
	}
	r := &cancelAfter{Reader: strings.NewReader(b.String()), n: 1 << 20, cancel: func() { panic("disk fault") }}
	if _, err := directory.ImportPeople(context.Background(), db, r, directory.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "disk fault") {
		t.Fatalf("import over a failing reader: %v", err)
	}
	if n := ieCount(t, db, "people"); n != 0 {
		t.Errorf("%d people written", n)
	}
}
