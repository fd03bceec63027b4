package plan_test

import (
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestCommitmentValidationReportsEachField(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.commitment(t, "FR0030")
		cases := []struct {
			name       string
			edit       func(*plan.CommitmentInput)
			field, key string
		}{
			{"title missing", func(in *plan.CommitmentInput) { in.Title = "" }, "title", "error.required"},
			{"title too long", func(in *plan.CommitmentInput) { in.Title = strings.Repeat("x", 501) }, "title", "error.too_long"},
			{"english title too long", func(in *plan.CommitmentInput) { in.TitleEN = strings.Repeat("x", 501) }, "title_en", "error.too_long"},
			{"description too long", func(in *plan.CommitmentInput) { in.Description = strings.Repeat("x", 20001) }, "description", "error.too_long"},
			{"english description too long", func(in *plan.CommitmentInput) { in.DescriptionEN = strings.Repeat("x", 20001) }, "description_en", "error.too_long"},
			{"reference with spaces", func(in *plan.CommitmentInput) { in.Reference = "FR 30" }, "reference", "error.plan_reference_invalid"},
			{"reference too long", func(in *plan.CommitmentInput) { in.Reference = strings.Repeat("F", 31) }, "reference", "error.plan_reference_invalid"},
			{"reference taken, case ignored", func(in *plan.CommitmentInput) { in.Reference = "fr0030" }, "reference", "error.plan_reference_taken"},
			{"number with a slash", func(in *plan.CommitmentInput) { in.Number = "1/2" }, "number", "error.plan_number_invalid"},
			{"unknown axis id", func(in *plan.CommitmentInput) { in.AxisID = "d3m0rg00000000000001" }, "axis_id", "error.plan_axis_unknown"},
			{"unknown axis name", func(in *plan.CommitmentInput) { in.Axis = "Climat" }, "axis", "error.plan_axis_unknown"},
			{"unknown axis position", func(in *plan.CommitmentInput) { in.Axis = "3" }, "axis", "error.plan_axis_unknown"},
			{"unknown lead", func(in *plan.CommitmentInput) { in.LeadOrganisationID = "nope" }, "lead_organisation_id", "error.organisation_unknown"},
			{"unknown supporter", func(in *plan.CommitmentInput) { in.SupportOrganisationIDs = []string{w.other.ID, "nope"} },
				"support_organisation_ids", "error.organisation_unknown"},
			{"too many supporters", func(in *plan.CommitmentInput) { in.SupportOrganisationIDs = manyIDs(51) },
				"support_organisation_ids", "error.plan_too_many_supporters"},
			{"unknown OGP value", func(in *plan.CommitmentInput) { in.OGPValues = []string{plan.ValueCivicParticipation, "transparency"} },
				"ogp_values", "error.plan_ogp_value_invalid"},
			{"verifiable", func(in *plan.CommitmentInput) { in.IRM.Verifiable = "maybe" }, "irm.verifiable", "error.plan_irm_value_invalid"},
			{"relevant", func(in *plan.CommitmentInput) { in.IRM.Relevant = "Yes" }, "irm.relevant", "error.plan_irm_value_invalid"},
			{"ambition", func(in *plan.CommitmentInput) { in.IRM.Ambition = "medium" }, "irm.ambition", "error.plan_irm_value_invalid"},
			{"potential impact", func(in *plan.CommitmentInput) { in.IRM.PotentialImpact = "huge" }, "irm.potential_impact", "error.plan_irm_value_invalid"},
			{"completion", func(in *plan.CommitmentInput) { in.IRM.Completion = "completed" }, "irm.completion", "error.plan_irm_value_invalid"},
			{"did it open government", func(in *plan.CommitmentInput) { in.IRM.DidItOpenGovernment = "yes" },
				"irm.did_it_open_government", "error.plan_irm_value_invalid"},
			{"starred", func(in *plan.CommitmentInput) { in.IRM.Starred = "pending" }, "irm.starred", "error.plan_irm_value_invalid"},
			{"IRM source too long", func(in *plan.CommitmentInput) { in.IRM.Source = strings.Repeat("x", 501) }, "irm.source", "error.too_long"},
		}
		for _, c := range cases {
			in := plan.CommitmentInput{Reference: "FR0031", Number: "2", Title: "Ouvrir les données", LeadOrganisationID: w.lead.ID}
			c.edit(&in)
			err := inTx(t, db, func(tx *sql.Tx) error {
				_, err := plan.CreateCommitment(t.Context(), tx, w.change(w.organiser), w.plan.ID, in)
				return err
			})
			if fe := fieldErrs(t, err); len(fe) != 1 || fe[c.field] != c.key {
				t.Errorf("%s: errors %v, want %s=%s", c.name, fe, c.field, c.key)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM commitments`); n != 1 {
			t.Fatalf("%d commitments stored from bad input", n)
		}
		// A good one, normalised: upper-case reference, axis by name,
		// values in the OGP's order, the lead not also a supporter.
		var c *plan.Commitment
		txDo(t, db, func(tx *sql.Tx) (err error) {
			c, err = plan.CreateCommitment(t.Context(), tx, w.change(w.organiser), w.plan.ID, plan.CommitmentInput{
				Reference: " fr0031 ", Number: "2", Title: "Ouvrir\nles données", Axis: "participation", LeadOrganisationID: w.lead.ID,
				SupportOrganisationIDs: []string{w.other.ID, w.lead.ID, w.assoc.ID, w.other.ID},
				OGPValues:              []string{plan.ValuePublicAccountability, plan.ValueAccessToInformation},
				IRM:                    plan.IRM{Verifiable: "yes", Ambition: "high", Completion: "substantial", Source: "IRM 2021-2023"},
			})
			return err
		})
		if c.Reference != "FR0031" || c.Title != "Ouvrir les données" || c.AxisID != w.plan.Axes[1].ID || c.LeadOrganisation != w.lead.Name ||
			!reflect.DeepEqual(c.SupportOrganisationIDs, []string{w.other.ID, w.assoc.ID}) || c.Supporters[1].Name != "Regards Citoyens" ||
			!reflect.DeepEqual(c.OGPValues, []string{plan.ValueAccessToInformation, plan.ValuePublicAccountability}) ||
			c.IRM.Completion != "substantial" || c.Status != plan.UpdateNotStarted || c.PlanTitle != w.plan.Title {
			t.Errorf("stored as %+v", c)
		}
		if _, err := plan.GetCommitment(t.Context(), db, "nope", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetCommitment(unknown): %v", err)
		}
	})
}

func manyIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strings.Repeat("x", i+1)
	}
	return out
}

// The rule of the issue: an agent changes only the commitments their
// administration leads; organisers change any.
func TestOnlyTheLeadAgentsAndOrganisersChangeACommitment(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		c := w.commitment(t, "FR0001")
		// The other ministry supports the commitment: its agents still may not change it.
		txDo(t, db, func(tx *sql.Tx) error {
			in := c.Input()
			in.SupportOrganisationIDs = []string{w.other.ID}
			_, err := plan.UpdateCommitment(ctx, tx, w.change(w.organiser), c.ID, in)
			return err
		})
		m := w.milestone(t, c.ID, plan.MilestoneInput{Title: "Publier", DueOn: "2022-06-30"})
		var indID string
		txDo(t, db, func(tx *sql.Tx) error {
			ind, err := plan.CreateIndicator(ctx, tx, w.change(w.agent), c.ID, plan.IndicatorInput{Name: "Jeux publiés"})
			if err == nil {
				indID = ind.ID
			}
			return err
		})
		changes := map[string]func(tx *sql.Tx, ch plan.Change) error{
			"update the commitment": func(tx *sql.Tx, ch plan.Change) error {
				in := c.Input()
				in.Description = "Nouvelle description"
				_, err := plan.UpdateCommitment(ctx, tx, ch, c.ID, in)
				return err
			},
			"add a milestone": func(tx *sql.Tx, ch plan.Change) error {
				_, err := plan.CreateMilestone(ctx, tx, ch, c.ID, plan.MilestoneInput{Title: "Évaluer"})
				return err
			},
			"update a milestone": func(tx *sql.Tx, ch plan.Change) error {
				in := m.Input()
				in.Status = plan.MilestoneInProgress
				_, err := plan.UpdateMilestone(ctx, tx, ch, m.ID, in)
				return err
			},
			"add evidence": func(tx *sql.Tx, ch plan.Change) error {
				_, err := plan.AddEvidence(ctx, tx, ch, m.ID, plan.EvidenceInput{URL: "https://data.gouv.fr"})
				return err
			},
			"add an indicator": func(tx *sql.Tx, ch plan.Change) error {
				_, err := plan.CreateIndicator(ctx, tx, ch, c.ID, plan.IndicatorInput{Name: "Réutilisations"})
				return err
			},
			"add a value": func(tx *sql.Tx, ch plan.Change) error {
				_, _, err := plan.AddIndicatorValue(ctx, tx, ch, indID, plan.ValueInput{Date: "2022-01-01", Value: num(3)})
				return err
			},
			"post an update": func(tx *sql.Tx, ch plan.Change) error {
				_, err := plan.PostUpdate(ctx, tx, ch, c.ID, plan.UpdateInput{Body: "Avancement", Status: plan.UpdateOnTrack})
				return err
			},
		}
		for name, change := range changes {
			for who, e := range map[string]plan.Editor{"agent of a supporting ministry": w.otherAgent, "member": w.member, "public": {}} {
				if err := inTx(t, db, func(tx *sql.Tx) error { return change(tx, w.change(e)) }); !errors.Is(err, plan.ErrForbidden) {
					t.Errorf("%s may %s: %v", who, name, err)
				}
			}
			// An agent without administration is not the lead's either.
			noOrg := w.agent
			noOrg.OrganisationID = ""
			if err := inTx(t, db, func(tx *sql.Tx) error { return change(tx, w.change(noOrg)) }); !errors.Is(err, plan.ErrForbidden) {
				t.Errorf("agent without administration may %s: %v", name, err)
			}
			for who, e := range map[string]plan.Editor{"lead agent": w.agent, "organiser": w.organiser, "admin": w.admin} {
				if err := inTx(t, db, func(tx *sql.Tx) error { return change(tx, w.change(e)) }); err != nil {
					t.Errorf("%s cannot %s: %v", who, name, err)
				}
			}
		}
		for who, e := range map[string]plan.Editor{"other agent": w.otherAgent, "member": w.member} {
			if err := plan.AuthorizeCommitment(ctx, db, e, c.ID); !errors.Is(err, plan.ErrForbidden) {
				t.Errorf("AuthorizeCommitment(%s): %v", who, err)
			}
			if err := plan.AuthorizeMilestone(ctx, db, e, m.ID); !errors.Is(err, plan.ErrForbidden) {
				t.Errorf("AuthorizeMilestone(%s): %v", who, err)
			}
			if err := plan.AuthorizeIndicator(ctx, db, e, indID); !errors.Is(err, plan.ErrForbidden) {
				t.Errorf("AuthorizeIndicator(%s): %v", who, err)
			}
		}
		if err := plan.AuthorizeCommitment(ctx, db, w.agent, c.ID); err != nil {
			t.Errorf("AuthorizeCommitment(lead agent): %v", err)
		}
		if err := plan.AuthorizeCommitment(ctx, db, w.agent, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("AuthorizeCommitment(unknown): %v", err)
		}
		// Only organisers create commitments and delete milestones.
		err := inTx(t, db, func(tx *sql.Tx) error {
			_, err := plan.CreateCommitment(ctx, tx, w.change(w.agent), w.plan.ID, plan.CommitmentInput{Title: "X", LeadOrganisationID: w.lead.ID})
			return err
		})
		if !errors.Is(err, plan.ErrForbidden) {
			t.Errorf("agent creates a commitment: %v", err)
		}
		if err := inTx(t, db, func(tx *sql.Tx) error { return plan.DeleteMilestone(ctx, tx, w.change(w.agent), m.ID) }); !errors.Is(err, plan.ErrForbidden) {
			t.Errorf("agent deletes a milestone: %v", err)
		}
		txDo(t, db, func(tx *sql.Tx) error { return plan.DeleteMilestone(ctx, tx, w.change(w.organiser), m.ID) })
	})
}

// The lead's agents report on their commitment; what organisers decide
// (number, reference, axis, lead, IRM) stays theirs.
func TestLeadAgentsCannotChangeWhatOrganisersDecide(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.commitment(t, "FR0001")
		cases := map[string]func(*plan.CommitmentInput){
			"number":               func(in *plan.CommitmentInput) { in.Number = "9" },
			"reference":            func(in *plan.CommitmentInput) { in.Reference = "FR0099" },
			"axis_id":              func(in *plan.CommitmentInput) { in.AxisID = w.plan.Axes[0].ID },
			"lead_organisation_id": func(in *plan.CommitmentInput) { in.LeadOrganisationID = w.other.ID },
			"irm":                  func(in *plan.CommitmentInput) { in.IRM.Starred = "yes" },
		}
		for field, edit := range cases {
			in := c.Input()
			edit(&in)
			err := inTx(t, db, func(tx *sql.Tx) error {
				_, err := plan.UpdateCommitment(t.Context(), tx, w.change(w.agent), c.ID, in)
				return err
			})
			if fe := fieldErrs(t, err); fe[field] != "error.plan_organisers_only" {
				t.Errorf("agent changes %s: %v", field, fe)
			}
		}
		in := c.Input()
		in.TitleEN, in.Description, in.OGPValues = "Open the data", "Ce que nous faisons.", []string{plan.ValueAccessToInformation}
		txDo(t, db, func(tx *sql.Tx) (err error) {
			c, err = plan.UpdateCommitment(t.Context(), tx, w.change(w.agent), c.ID, in)
			return err
		})
		if c.TitleEN != "Open the data" || c.Description != "Ce que nous faisons." || !c.HasValue(plan.ValueAccessToInformation) {
			t.Errorf("agent's update stored as %+v", c)
		}
	})
}
