package directory_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// ieWorkbook builds an XLSX whose first sheet holds rows (row 1 first; a
// nil row is left empty) and whose second sheet is noise.
func ieWorkbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Contacts"); err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Contacts", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("Notes"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Notes", "A1", "not@read.example")
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportXLSX(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		file := ieWorkbook(t, [][]any{
			{"Prénom", "Nom", "Courriel", "Organisme", "Secteurs", "Téléphone", "Nature"},
			{"Hélène", "Dubois", "helene@example.org", "Regards Citoyens", "Logement\nSanté", 123456789, ""},
			nil,
			{"Jean", "Martin", "pas-une-adresse", "Regards citoyens", "", "", ""},
			{"Zoé", "Durand", "zoe@example.org", "Ministère de la Culture", "culture", "", "Administration centrale"},
		})
		res := ieImport(t, db, file, directory.ImportOptions{})
		want := []directory.ImportError{{Row: 4, Field: "email", Message: "error.email_invalid"}}
		if got := ieCounts(res); got != [3]int{2, 0, 0} || !reflect.DeepEqual(res.Errors, want) || res.Written() {
			t.Fatalf("counts %v, errors %+v, written %v", got, res.Errors, res.Written())
		}
		if n := ieCount(t, db, "people"); n != 0 {
			t.Fatalf("%d people written despite a bad row", n)
		}
		res = ieImport(t, db, file, directory.ImportOptions{SkipInvalid: true})
		if got := ieCounts(res); got != [3]int{2, 0, 0} || !res.Written() {
			t.Fatalf("skip invalid: counts %v, errors %+v", got, res.Errors)
		}
		h := iePerson(t, db, "helene@example.org")
		if h.Phone != "123456789" || !reflect.DeepEqual(h.Sectors, []string{"health", "housing"}) || h.OrganisationName != "Regards Citoyens" {
			t.Errorf("Hélène: %+v", h)
		}
		if z := iePerson(t, db, "zoe@example.org"); z.College != directory.CollegeAdministration {
			t.Errorf("Zoé's ministry is in college %q", z.College)
		}
		if got := ieCounts(ieImport(t, db, file, directory.ImportOptions{SkipInvalid: true})); got != [3]int{0, 0, 2} {
			t.Errorf("re-import counts %v", got)
		}
		headers, err := directory.ReadHeaders(bytes.NewReader(file))
		if err != nil || len(headers) != 7 || headers[0] != "Prénom" {
			t.Errorf("headers %q (%v)", headers, err)
		}
	})
}
