package plan_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func importFile(t *testing.T, w *world, file []byte, opts directory.ImportOptions) *plan.ImportResult {
	t.Helper()
	res, err := plan.ImportCommitments(t.Context(), w.db, w.change(w.organiser), w.plan.ID, bytes.NewReader(file), opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

func counts(r *plan.ImportResult) [3]int { return [3]int{r.Created, r.Updated, r.Unchanged} }

func commitmentByRef(t *testing.T, w *world, ref string) *plan.Commitment {
	t.Helper()
	v, err := plan.PlanView(t.Context(), w.db, w.plan.ID, plan.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Commitments {
		if c.Reference == ref || (c.Reference == "" && "#"+c.Number == ref) {
			return c
		}
	}
	t.Fatalf("no commitment %s", ref)
	return nil
}

// france2015 is France's 2015-2017 plan as the shared data has it (16 of
// its 26 commitments: reference, number, title, lead institutions).
type france2015 struct {
	Commitments []struct {
		PlanNo  string `json:"plan_no"`
		ID      string `json:"id"`
		TitleEN string `json:"title_en"`
		Lead    string `json:"lead"`
	} `json:"commitments"`
}

// The real data, turned into the CSV an organiser would make of it, with
// milestones written as plans write them ("End 2018: ...").
func TestImportFrance2015FromTheSharedData(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "data", "france_nap_2015_2017_partial.json"))
	if err != nil {
		t.Skipf("shared data not found next to the repository: %v", err)
	}
	var data france2015
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write([]string{"Commitment Unique Identifier", "Plan No", "Commitment Title", "Lead Institution", "Milestones"})
	for i, c := range data.Commitments {
		milestones := fmt.Sprintf("End 2016: Lancer les travaux (%d) | 2017-06-30: Publier un premier bilan\nEnd 2018: Évaluer", i)
		cw.Write([]string{c.ID, c.PlanNo, c.TitleEN, c.Lead, milestones})
	}
	cw.Flush()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		orgsBefore := count(t, db, `SELECT COUNT(*) FROM organisations`)
		dry := importFile(t, w, b.Bytes(), directory.ImportOptions{DryRun: true})
		if counts(dry) != [3]int{16, 0, 0} || len(dry.Errors) != 0 || dry.Written() {
			t.Fatalf("dry run: %v %v", counts(dry), dry.Errors)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM commitments`) + count(t, db, `SELECT COUNT(*) FROM organisations`) - orgsBefore; n != 0 {
			t.Fatalf("the dry run wrote %d rows", n)
		}
		res := importFile(t, w, b.Bytes(), directory.ImportOptions{})
		if counts(res) != counts(dry) || res.Organisations != dry.Organisations || !res.Written() {
			t.Fatalf("import %v (%d organisations), dry run %v (%d)", counts(res), res.Organisations, counts(dry), dry.Organisations)
		}
		// FR0004 names three institutions: the first leads, the others support.
		c := commitmentByRef(t, w, "FR0004")
		if c.Number != "2" || c.Title != "Increase Transparency in Public Procurement" || c.LeadOrganisation != "Prime Minister's Office" ||
			len(c.Supporters) != 2 || c.Supporters[0].Name != "Ministry of Finance and Public Accounts" {
			t.Errorf("FR0004: %+v", c)
		}
		if len(c.Milestones) != 3 || c.Milestones[0].DueOn != "2016-12-31" || c.Milestones[0].DueLabel != "End 2016" ||
			c.Milestones[1].DueOn != "2017-06-30" || c.Milestones[1].DueLabel != "" || c.Milestones[1].Title != "Publier un premier bilan" ||
			c.Milestones[2].DueOn != "2018-12-31" || c.Milestones[2].DueLabel != "End 2018" || c.Milestones[2].Title != "Évaluer" {
			t.Errorf("FR0004 milestones: %+v %+v %+v", c.Milestones[0], c.Milestones[1], c.Milestones[2])
		}
		// "1.1" has neither reference nor lead: it is keyed by its number.
		if c := commitmentByRef(t, w, "#1.1"); c.LeadOrganisationID != "" || c.Title != "Open Regional and Local Authorities' data" {
			t.Errorf("1.1: %+v", c)
		}
		// The Prime Minister's Office leads several commitments: one organisation.
		if n := count(t, db, `SELECT COUNT(*) FROM organisations WHERE name = $1`, "Prime Minister's Office"); n != 1 {
			t.Errorf("%d organisations for the Prime Minister's Office", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM organisations WHERE kind = 'central_administration'`); n != res.Organisations+2 {
			t.Errorf("created organisations are not central administrations")
		}
		// Imported again, nothing changes.
		again := importFile(t, w, b.Bytes(), directory.ImportOptions{})
		if counts(again) != [3]int{0, 0, 16} || again.Organisations != 0 {
			t.Errorf("second import %v, %d organisations", counts(again), again.Organisations)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM milestones`); n != 48 {
			t.Errorf("%d milestones, want 48", n)
		}
	})
}

// A French sheet as an organiser writes it, good rows and bad.
const frenchSheet = "Référence;N°;Titre;Axe;Porteur;Partenaires;Jalons;Type du porteur\n" +
	"FR0050;1;Ouvrir les données des obligations déclaratives;Transparence;MINISTERE DE L'ECONOMIE;Regards citoyens | HATVP;" +
	"\"Fin 2021 : Publier les déclarations\nmi-2022: Ouvrir l'API\";\n" + // line 2-3
	"FR 51;2;Mauvaise référence;;;;;\n" + // line 4
	"FR0052;3;;;;;;\n" + // line 5: title missing
	"FR0050;4;Doublon;;;;;\n" + // line 6: duplicate reference
	"FR0053;5;Jalon mal daté;;;;2022-13-45: Publier;\n" + // line 7
	"FR0054;6;Type inconnu;;;;;ministère des sports\n" + // line 8
	"FR0055;7;Axe inconnu;9;Nouvel organisme;;;\n" + // line 9: its organisation is not kept
	";;Sans clé;;;;;\n" + // line 10
	"FR0056;8;Participation citoyenne;2;Cour des comptes;;\"Open data: un titre avec deux-points\";independent_authority\n" // line 11

func TestImportReportsBadRowsAndWritesNothing(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		res := importFile(t, w, []byte(frenchSheet), directory.ImportOptions{})
		want := []directory.ImportError{
			{Row: 4, Field: "reference", Message: "error.plan_reference_invalid"},
			{Row: 5, Field: "title", Message: "error.required"},
			{Row: 6, Field: "reference", Message: "error.plan_duplicate_in_file"},
			{Row: 7, Field: "milestones", Message: "error.plan_date_invalid"},
			{Row: 8, Field: "lead_kind", Message: "error.kind_invalid"},
			{Row: 9, Field: "axis", Message: "error.plan_axis_unknown"},
			{Row: 10, Field: "reference", Message: "error.plan_import_key_required"},
		}
		if !reflect.DeepEqual(res.Errors, want) {
			t.Errorf("errors\n%v\nwant\n%v", res.Errors, want)
		}
		if counts(res) != [3]int{2, 0, 0} || res.Written() {
			t.Errorf("counts %v, written %v", counts(res), res.Written())
		}
		if n := count(t, db, `SELECT COUNT(*) FROM commitments`) + count(t, db, `SELECT COUNT(*) FROM plan_axes`); n != 2 {
			t.Fatalf("a refused import wrote: %d commitments and axes", n)
		}
		// With SkipInvalid the good rows go in.
		res = importFile(t, w, []byte(frenchSheet), directory.ImportOptions{SkipInvalid: true})
		if counts(res) != [3]int{2, 0, 0} || !res.Written() || res.Organisations != 2 {
			t.Fatalf("skip invalid: %v, %d organisations", counts(res), res.Organisations)
		}
		c := commitmentByRef(t, w, "FR0050")
		if c.LeadOrganisationID != w.lead.ID || len(c.Supporters) != 2 || c.Supporters[0].ID != w.assoc.ID || c.AxisID != w.plan.Axes[0].ID {
			t.Errorf("FR0050 matched %+v", c)
		}
		if len(c.Milestones) != 2 || c.Milestones[0].DueOn != "2021-12-31" || c.Milestones[0].DueLabel != "Fin 2021" ||
			c.Milestones[1].DueOn != "2022-06-30" || c.Milestones[1].Title != "Ouvrir l'API" {
			t.Errorf("FR0050 milestones %+v %+v", c.Milestones[0], c.Milestones[1])
		}
		c = commitmentByRef(t, w, "FR0056")
		if c.Milestones[0].Title != "Open data: un titre avec deux-points" || c.Milestones[0].DueOn != "" || c.AxisID != w.plan.Axes[1].ID {
			t.Errorf("FR0056: %+v, milestone %+v", c, c.Milestones[0])
		}
		var kind string
		if err := db.QueryRowContext(t.Context(), `SELECT kind FROM organisations WHERE id = $1`, c.LeadOrganisationID).Scan(&kind); err != nil || kind != "independent_authority" {
			t.Errorf("Cour des comptes created as %q (%v)", kind, err)
		}
		// The organisation of a rolled-back row is not created.
		if n := count(t, db, `SELECT COUNT(*) FROM organisations WHERE name = 'Nouvel organisme'`); n != 0 {
			t.Errorf("the bad row's organisation was created")
		}
	})
}

func TestImportUpdatesKeepHistoryAndMilestones(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.commitment(t, "FR0001")
		w.milestone(t, c.ID, plan.MilestoneInput{Title: "Publier les données", DueOn: "2022-06-30"})
		w.milestone(t, c.ID, plan.MilestoneInput{Title: "Former les agents"})
		if err := plan.Follow(t.Context(), db, c.ID, w.follower.ID); err != nil {
			t.Fatal(err)
		}
		file := "reference,title,description,milestones\n" +
			"FR0001,Engagement FR0001,Un texte nouveau,\"S2 2022: publier les données | 2023-03-31: Évaluer\"\n"
		res := importFile(t, w, []byte(file), directory.ImportOptions{})
		if counts(res) != [3]int{0, 1, 0} {
			t.Fatalf("counts %v %v", counts(res), res.Errors)
		}
		got, _ := plan.GetCommitment(t.Context(), db, c.ID, "")
		if got.Description != "Un texte nouveau" || got.LeadOrganisationID != w.lead.ID || got.Number != "1" || len(got.Milestones) != 3 ||
			got.Milestones[0].DueOn != "2022-12-31" || got.Milestones[0].DueLabel != "S2 2022" || got.Milestones[1].Title != "Former les agents" ||
			got.Milestones[2].Title != "Évaluer" {
			t.Errorf("after import: %+v", got)
		}
		h, _ := plan.History(t.Context(), db, c.ID, 0)
		if len(h) != 6 || h[0].ActorLabel != "organiser@example.org" {
			t.Errorf("history after import: %d entries", len(h))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM mails WHERE recipient = 'follower@example.org'`); n != 1 {
			t.Errorf("the follower got %d mails for one import", n)
		}
	})
}

func TestImportMappingAndFiles(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		bad := []struct {
			name, file string
			mapping    map[string]string
			field, key string
		}{
			{"no title column", "reference,lead\nFR1,X\n", nil, "map.title", "error.import_column_required"},
			{"no key column", "title,lead\nT,X\n", nil, "map.reference", "error.plan_import_key_required"},
			{"unknown field", "reference,title\nFR1,T\n", map[string]string{"owner": "title"}, "map.owner", "error.import_field_unknown"},
			{"missing column", "reference,title\nFR1,T\n", map[string]string{"lead": "Porteur"}, "map.lead", "error.import_column_missing"},
			{"empty file", "", nil, "file", "error.import_empty"},
			{"not a spreadsheet", "%PDF-1.4 ...", nil, "file", "error.import_not_spreadsheet"},
		}
		for _, c := range bad {
			_, err := plan.ImportCommitments(ctx, db, w.change(w.organiser), w.plan.ID, strings.NewReader(c.file), directory.ImportOptions{Mapping: c.mapping})
			if fe := fieldErrs(t, err); fe[c.field] != c.key {
				t.Errorf("%s: %v, want %s=%s", c.name, fe, c.field, c.key)
			}
		}
		if _, err := plan.ImportCommitments(ctx, db, w.change(w.agent), w.plan.ID, strings.NewReader("reference,title\nFR1,T\n"),
			directory.ImportOptions{}); !errors.Is(err, plan.ErrForbidden) {
			t.Errorf("agent imports: %v", err)
		}
		if _, err := plan.ImportCommitments(ctx, db, w.change(w.organiser), "nope", strings.NewReader("reference,title\nFR1,T\n"),
			directory.ImportOptions{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("import into an unknown plan: %v", err)
		}
		// An explicit mapping wins, and a column mapped away is not read.
		if got := plan.SuggestMapping([]string{"Engagement", "Intitulé", "Administration porteuse", "Supporting Institution(s)", "N°"}); got["title"] != "Engagement" ||
			got["lead"] != "Administration porteuse" || got["support"] != "Supporting Institution(s)" || got["number"] != "N°" {
			t.Errorf("suggested %v", got)
		}
		f := excelize.NewFile()
		defer f.Close()
		for i, row := range [][]any{{"Code", "Intitulé", "Porteur", "Commentaire"}, {"FR0099", "Depuis un classeur", "Cour des comptes", "FR0000"}} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		var xlsx bytes.Buffer
		if err := f.Write(&xlsx); err != nil {
			t.Fatal(err)
		}
		res := importFile(t, w, xlsx.Bytes(), directory.ImportOptions{Mapping: map[string]string{"reference": "Code", "lead": ""}})
		if counts(res) != [3]int{1, 0, 0} {
			t.Fatalf("xlsx: %v %v", counts(res), res.Errors)
		}
		if c := commitmentByRef(t, w, "FR0099"); c.Title != "Depuis un classeur" || c.LeadOrganisationID != "" {
			t.Errorf("from the workbook: %+v", c)
		}
	})
}
