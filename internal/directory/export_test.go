package directory_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

var ieFormats = []directory.ExportFormat{directory.ExportExcel, directory.ExportOpen, directory.ExportXLSX}

func ieExportPeople(t *testing.T, db *store.DB, f directory.Filter, format directory.ExportFormat) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := directory.ExportPeople(context.Background(), db, &b, f, format); err != nil {
		t.Fatalf("export %s: %v", format, err)
	}
	return b.Bytes()
}

// ieTable reads an export back as rows of cells.
func ieTable(t *testing.T, file []byte, format directory.ExportFormat) [][]string {
	t.Helper()
	if format == directory.ExportXLSX {
		f, err := excelize.OpenReader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF"))))
	if format == directory.ExportExcel {
		r.Comma = ';'
	}
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// ieSeedForExport imports the messy sheet and adds people whose cells
// look like formulas.
func ieSeedForExport(t *testing.T, db *store.DB) {
	t.Helper()
	ieImport(t, db, []byte(messyCSV), directory.ImportOptions{})
	file := "Nom;Prénom;Courriel;Fonction;Structure;Téléphone;Langue;Consentement\n" +
		"Formule;Eve;eve@example.org;\"=HYPERLINK(\"\"http://evil.example\"\";\"\"clic\"\")\";@Evil Corp;+33 1 23 45 67 89;en;oui\n" +
		"-Tiret;Moins;moins@example.org;\"-2+3\";=Asso;;;\n"
	if res := ieImport(t, db, []byte(file), directory.ImportOptions{}); res.Created != 2 || len(res.Errors) != 0 {
		t.Fatalf("seed: %+v", res)
	}
}

func TestExportPeopleThenImportChangesNothing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ieSeedForExport(t, db)
		people, orgs := ieCount(t, db, "people"), ieCount(t, db, "organisations")
		for _, format := range ieFormats {
			file := ieExportPeople(t, db, directory.Filter{}, format)
			res := ieImport(t, db, file, directory.ImportOptions{})
			if got := ieCounts(res); got != [3]int{0, 0, people} || len(res.Errors) != 0 {
				t.Errorf("%s: re-import counts %v, errors %+v", format, got, res.Errors)
			}
		}
		if ieCount(t, db, "organisations") != orgs {
			t.Errorf("re-imports created organisations")
		}
		eve := iePerson(t, db, "eve@example.org")
		if eve.Function != `=HYPERLINK("http://evil.example";"clic")` || eve.Phone != "+33 1 23 45 67 89" || eve.OrganisationName != "@Evil Corp" {
			t.Errorf("Eve after round trips: %+v", eve)
		}
	})
}

func TestExportPeopleForms(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ieSeedForExport(t, db)
		excel := ieExportPeople(t, db, directory.Filter{}, directory.ExportExcel)
		header := "Prénom;Nom;Courriel;Organisation;Collège;Type;Fonction;Téléphone;Secteurs;Langue;" +
			"Consentement information;Consentement invitations;Désinscrit;Créé le (UTC)\r\n"
		if !bytes.HasPrefix(excel, []byte("\uFEFF"+header)) {
			t.Errorf("Excel CSV starts %q", excel[:min(len(excel), 200)])
		}
		if bytes.Count(excel, []byte("\n")) != bytes.Count(excel, []byte("\r\n")) {
			t.Errorf("Excel CSV has bare line feeds")
		}
		open := ieExportPeople(t, db, directory.Filter{}, directory.ExportOpen)
		if !bytes.HasPrefix(open, []byte("first_name,last_name,email,organisation,college,kind,function,phone,sectors,language,"+
			"consent_info,consent_invitations,opted_out,created_at\n")) {
			t.Errorf("open CSV starts %q", open[:min(len(open), 200)])
		}
		byEmail := func(rows [][]string) map[string][]string {
			m := map[string][]string{}
			for _, r := range rows[1:] {
				m[r[2]] = r
			}
			return m
		}
		ex := byEmail(ieTable(t, excel, directory.ExportExcel))
		op := byEmail(ieTable(t, open, directory.ExportOpen))
		xl := byEmail(ieTable(t, ieExportPeople(t, db, directory.Filter{}, directory.ExportXLSX), directory.ExportXLSX))
		if len(ex) != 6 || len(op) != 6 || len(xl) != 6 {
			t.Fatalf("rows: excel %d, open %d, xlsx %d; want 6", len(ex), len(op), len(xl))
		}
		// Formula injection: guarded in the Excel CSV only.
		eve := ex["eve@example.org"]
		if eve[6] != `'=HYPERLINK("http://evil.example";"clic")` || eve[3] != "'@Evil Corp" || eve[7] != "'+33 1 23 45 67 89" {
			t.Errorf("Excel CSV cells not guarded: %q", eve)
		}
		if m := ex["moins@example.org"]; m[1] != "'-Tiret" || m[6] != "'-2+3" || m[3] != "'=Asso" {
			t.Errorf("Excel CSV cells not guarded: %q", m)
		}
		if eve := op["eve@example.org"]; eve[6] != `=HYPERLINK("http://evil.example";"clic")` || eve[3] != "@Evil Corp" {
			t.Errorf("open CSV altered values: %q", eve)
		}
		if eve := xl["eve@example.org"]; eve[6] != `=HYPERLINK("http://evil.example";"clic")` {
			t.Errorf("XLSX altered values: %q", eve)
		}
		// Labels for people, raw values for programs.
		h := "helene.dubois@example.org"
		wantExcel := []string{"Hélène", "Dubois", h, "Regards Citoyens", "Société civile", "Association", "Chargée de mission",
			"01 23 45 67 89", "Santé, Logement", "fr", "non", "non", "non"}
		if got := ex[h][:13]; !reflect.DeepEqual(got, wantExcel) {
			t.Errorf("Excel row %q, want %q", got, wantExcel)
		}
		if got := xl[h][:13]; !reflect.DeepEqual(got, wantExcel) {
			t.Errorf("XLSX row %q, want %q", got, wantExcel)
		}
		wantOpen := []string{"Hélène", "Dubois", h, "Regards Citoyens", "civil_society", "association", "Chargée de mission",
			"01 23 45 67 89", "health, housing", "fr", "false", "false", "false"}
		if got := op[h][:13]; !reflect.DeepEqual(got, wantOpen) {
			t.Errorf("open row %q, want %q", got, wantOpen)
		}
		if e := op["eve@example.org"]; e[10] != "true" || e[11] != "true" || !strings.HasSuffix(e[13], "Z") {
			t.Errorf("open consent and date: %q", e)
		}
		if e := ex["elodie@example.fr"]; e[3] != "" || e[4] != "Société civile" || e[5] != "" {
			t.Errorf("a person without organisation: %q", e)
		}
		// A filter applies.
		rows := ieTable(t, ieExportPeople(t, db, directory.Filter{Sectors: []string{"housing"}}, directory.ExportOpen), directory.ExportOpen)
		if len(rows) != 3 {
			t.Errorf("people in housing: %d rows, want header + 2", len(rows))
		}
	})
}

func TestExportPeopleWalksBatches(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	var b strings.Builder
	b.WriteString("email,first_name,last_name\n")
	for i := range 1234 {
		fmt.Fprintf(&b, "p%04d@example.org,P,N%04d\n", i, i)
	}
	ieImport(t, db, []byte(b.String()), directory.ImportOptions{})
	rows := ieTable(t, ieExportPeople(t, db, directory.Filter{}, directory.ExportOpen), directory.ExportOpen)
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		seen[r[2]] = true
	}
	if len(rows) != 1235 || len(seen) != 1234 {
		t.Errorf("%d rows, %d distinct people; want 1234", len(rows)-1, len(seen))
	}
}

func TestExportOrganisations(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ieTx(t, db, func(tx *sql.Tx) error {
			for _, in := range []directory.OrganisationInput{
				{Name: "Regards Citoyens", Kind: "association", Sectors: []string{"open-data", "transparency"},
					Website: "regardscitoyens.org", City: "Paris", Description: "Transparence; parlement"},
				{Name: "=Ministère", Kind: "central_administration", City: "Paris"},
				{Name: "Droit au logement", Kind: "association", Sectors: []string{"housing"}},
			} {
				o, err := directory.CreateOrganisation(ctx, tx, in)
				if err != nil {
					return err
				}
				if _, err := directory.CreatePerson(ctx, tx, directory.PersonInput{LastName: "Secret", Email: "secret-" + o.ID + "@example.org",
					Phone: "0123456789", OrganisationID: o.ID}); err != nil {
					return err
				}
			}
			return nil
		})
		for _, format := range ieFormats {
			var b bytes.Buffer
			if err := directory.ExportOrganisations(ctx, db, &b, directory.OrganisationFilter{}, format); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b.Bytes(), []byte("secret")) || bytes.Contains(b.Bytes(), []byte("0123456789")) {
				t.Errorf("%s: personal data in the organisations export", format)
			}
			rows := ieTable(t, b.Bytes(), format)
			if len(rows) != 4 {
				t.Fatalf("%s: %d rows", format, len(rows))
			}
			switch format {
			case directory.ExportOpen:
				want := [][]string{
					{"name", "kind", "college", "sectors", "website", "city", "description"},
					{"=Ministère", "central_administration", "administration", "", "", "Paris", ""},
					{"Droit au logement", "association", "civil_society", "housing", "", "", ""},
					{"Regards Citoyens", "association", "civil_society", "open-data, transparency", "https://regardscitoyens.org", "Paris", "Transparence; parlement"},
				}
				if !reflect.DeepEqual(rows, want) {
					t.Errorf("open: %q\nwant %q", rows, want)
				}
			case directory.ExportExcel:
				want := [][]string{
					{"Nom", "Type", "Collège", "Secteurs", "Site web", "Ville", "Description"},
					{"'=Ministère", "Administration centrale", "Administration", "", "", "Paris", ""},
					{"Droit au logement", "Association", "Société civile", "Logement", "", "", ""},
					{"Regards Citoyens", "Association", "Société civile", "Données ouvertes, Transparence", "https://regardscitoyens.org", "Paris", "Transparence; parlement"},
				}
				if !reflect.DeepEqual(rows, want) {
					t.Errorf("excel: %q\nwant %q", rows, want)
				}
			}
		}
		var b bytes.Buffer
		if err := directory.ExportOrganisations(ctx, db, &b, directory.OrganisationFilter{Sector: "housing"}, directory.ExportOpen); err != nil {
			t.Fatal(err)
		}
		if rows := ieTable(t, b.Bytes(), directory.ExportOpen); len(rows) != 2 || rows[1][0] != "Droit au logement" {
			t.Errorf("filtered export %q", rows)
		}
	})
}

func TestParseExportFormat(t *testing.T) {
	for in, want := range map[string]directory.ExportFormat{"": "excel", "excel": "excel", "OPEN": "open", "xlsx": "xlsx"} {
		if got, ok := directory.ParseExportFormat(in); !ok || got != want {
			t.Errorf("ParseExportFormat(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := directory.ParseExportFormat("ods"); ok {
		t.Error("ods accepted")
	}
	if directory.ExportXLSX.Extension() != ".xlsx" || !strings.HasPrefix(directory.ExportOpen.ContentType(), "text/csv") {
		t.Error("content type or extension")
	}
}
