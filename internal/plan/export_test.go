package plan_test

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestExportUsesTheOGPColumnsAndAnOpenLicence(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		var c *plan.Commitment
		txDo(t, db, func(tx *sql.Tx) (err error) {
			c, err = plan.CreateCommitment(ctx, tx, w.change(w.organiser), w.plan.ID, plan.CommitmentInput{
				Reference: "FR0067", Number: "3", Title: "Rendre la commande publique plus transparente", TitleEN: "Make public procurement more transparent",
				Axis: "Transparence", LeadOrganisationID: w.lead.ID, SupportOrganisationIDs: []string{w.other.ID, w.assoc.ID},
				OGPValues: []string{plan.ValueAccessToInformation},
				IRM: plan.IRM{Verifiable: "yes", Relevant: "yes", Ambition: "low", PotentialImpact: "moderate", Completion: "substantial",
					DidItOpenGovernment: "did_not_change", Starred: "no", Source: "IRM Action Plan Review 2021-2023"},
			})
			return err
		})
		w.milestone(t, c.ID, plan.MilestoneInput{Title: "Publier les données", DueLabel: "Fin 2021", Status: "done", CompletedOn: "2021-12-10"})
		w.milestone(t, c.ID, plan.MilestoneInput{Title: "Évaluer", DueOn: "2023-12-31"})
		txDo(t, db, func(tx *sql.Tx) error {
			_, err := plan.PostUpdate(ctx, tx, w.change(w.agent), c.ID, plan.UpdateInput{Body: "Écrit par Nadia Agent", Status: "on_track"})
			return err
		})
		var out bytes.Buffer
		if err := plan.ExportCSV(ctx, db, &out, w.plan.ID, "https://forum.example.org"); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		for _, personal := range []string{"@", "Nadia", "Agent", "Organiser"} {
			if strings.Contains(text, personal) {
				t.Errorf("the export holds personal data (%q):\n%s", personal, text)
			}
		}
		records, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil || len(records) != 2 {
			t.Fatalf("csv: %v, %d records", err, len(records))
		}
		got := map[string]string{}
		for i, h := range records[0] {
			got[h] = records[1][i]
		}
		want := map[string]string{
			"Commitment Unique Identifier": "FR0067", "Commitment Number": "3", "Action Plan": "Plan 2021-2023", "Theme": "Transparence",
			"Commitment Title": "Rendre la commande publique plus transparente", "Commitment Title (English)": "Make public procurement more transparent",
			"Lead Institution": w.lead.Name, "Supporting Institution(s)": "Ministère de la Culture; Regards Citoyens",
			"OGP Value Access To Information": "Yes", "OGP Value Civic Participation": "No", "OGP Value Public Accountability": "No",
			"OGP Value Technology": "No", "Verifiable": "Yes", "Relevance to OGP values": "Yes", "Ambition": "Low", "Potential Impact": "Moderate",
			"Completion": "Substantial", "Did It Open Government (Overall)": "Did Not Change", "Starred": "No",
			"IRM Report": "IRM Action Plan Review 2021-2023", "URL": "https://forum.example.org/commitments/" + c.ID,
			"Status": "on_track", "Milestones": "Fin 2021: Publier les données | 2023-12-31: Évaluer", "Milestones Done": "1",
			"Milestones Total": "2", "Progress (%)": "50", "Licence": plan.Licence,
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("column %q = %q, want %q", k, got[k], v)
			}
		}
		if len(records[0]) != len(plan.ExportColumns) || got["Last Update"] != string(plan.Today()) {
			t.Errorf("header %v, last update %q", records[0], got["Last Update"])
		}
		// The import reads an export back, and nothing changes.
		res, err := plan.ImportCommitments(ctx, db, w.change(w.organiser), w.plan.ID, bytes.NewReader(out.Bytes()), directory.ImportOptions{})
		if err != nil || counts(res) != [3]int{0, 0, 1} || len(res.Errors) != 0 {
			t.Errorf("re-import: %v %v %v", err, counts(res), res.Errors)
		}

		out.Reset()
		if err := plan.ExportJSON(ctx, db, &out, w.plan.ID, ""); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Licence     string              `json:"licence"`
			LicenceURL  string              `json:"licence_url"`
			Plan        map[string]any      `json:"plan"`
			Columns     []string            `json:"columns"`
			Commitments []map[string]string `json:"commitments"`
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatalf("json: %v\n%s", err, out.String())
		}
		if doc.Licence != plan.Licence || doc.LicenceURL == "" || doc.Plan["title"] != "Plan 2021-2023" || len(doc.Commitments) != 1 ||
			doc.Commitments[0]["Lead Institution"] != w.lead.Name || doc.Commitments[0]["URL"] != "" {
			t.Errorf("json export %+v", doc)
		}
		// Keys keep the columns' order.
		if i, j := strings.Index(out.String(), `"Commitment Unique Identifier"`), strings.LastIndex(out.String(), `"Licence"`); i < 0 || j < i {
			t.Errorf("columns out of order")
		}
		if strings.Contains(out.String(), "@") {
			t.Errorf("the JSON export holds an address")
		}
	})
}
