package plan

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Update statuses: what a progress update declares, and the commitment's
// status after its latest update.
const (
	UpdateNotStarted = "not_started"
	UpdateOnTrack    = "on_track"
	UpdateAtRisk     = "at_risk"
	UpdateLate       = "late"
	UpdateDone       = "done"
)

// UpdateStatuses lists the statuses a progress update may declare.
var UpdateStatuses = []string{UpdateNotStarted, UpdateOnTrack, UpdateAtRisk, UpdateLate, UpdateDone}

// OrgRef names an organisation of the directory.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Commitment is one promise of a plan. All of it is public.
type Commitment struct {
	ID                     string   `json:"id"`
	PlanID                 string   `json:"plan_id"`
	PlanTitle              string   `json:"plan_title"`
	Number                 string   `json:"number"`
	Reference              string   `json:"reference"`
	Title                  string   `json:"title"`
	TitleEN                string   `json:"title_en"`
	Description            string   `json:"description"`
	DescriptionEN          string   `json:"description_en"`
	AxisID                 string   `json:"axis_id"`
	LeadOrganisationID     string   `json:"lead_organisation_id"`
	LeadOrganisation       string   `json:"lead_organisation"`
	SupportOrganisationIDs []string `json:"support_organisation_ids"`
	Supporters             []OrgRef `json:"supporters"`
	OGPValues              []string `json:"ogp_values"`
	IRM                    IRM      `json:"irm"`
	// Status is what the latest progress update declared.
	Status       string       `json:"status"`
	LastUpdateAt *time.Time   `json:"last_update_at"`
	Milestones   []*Milestone `json:"milestones"`
	Indicators   []*Indicator `json:"indicators"`
	Progress     Progress     `json:"progress"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// HasValue tells whether the commitment is relevant to an OGP value.
func (c *Commitment) HasValue(v string) bool { return slices.Contains(c.OGPValues, v) }

// CommitmentInput is what a form, the API or an import row gives.
type CommitmentInput struct {
	Number        string `json:"number"`
	Reference     string `json:"reference"`
	Title         string `json:"title"`
	TitleEN       string `json:"title_en"`
	Description   string `json:"description"`
	DescriptionEN string `json:"description_en"`
	AxisID        string `json:"axis_id"`
	// Axis names the axis by its title or its position ("2") when AxisID
	// is empty, as the API's "axis" does.
	Axis                   string   `json:"axis,omitempty"`
	LeadOrganisationID     string   `json:"lead_organisation_id"`
	SupportOrganisationIDs []string `json:"support_organisation_ids"`
	OGPValues              []string `json:"ogp_values"`
	IRM                    IRM      `json:"irm"`
}

// Input is the commitment as an input, for a PATCH to start from.
func (c *Commitment) Input() CommitmentInput {
	return CommitmentInput{Number: c.Number, Reference: c.Reference, Title: c.Title, TitleEN: c.TitleEN,
		Description: c.Description, DescriptionEN: c.DescriptionEN, AxisID: c.AxisID, LeadOrganisationID: c.LeadOrganisationID,
		SupportOrganisationIDs: slices.Clone(c.SupportOrganisationIDs), OGPValues: slices.Clone(c.OGPValues), IRM: c.IRM}
}

var (
	referencePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._/-]{0,29}$`)
	numberPattern    = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$`)
)

// maxSupporters bounds the supporting organisations of a commitment.
const maxSupporters = 50

// check validates and normalises what needs no database.
func (in *CommitmentInput) check() valid.Errors {
	fe := valid.Errors{}
	in.Reference = strings.ToUpper(line(in.Reference))
	if in.Reference != "" && !referencePattern.MatchString(in.Reference) {
		fe["reference"] = "error.plan_reference_invalid"
	}
	in.Number = line(in.Number)
	if in.Number != "" && !numberPattern.MatchString(in.Number) {
		fe["number"] = "error.plan_number_invalid"
	}
	in.Title, in.TitleEN = line(in.Title), line(in.TitleEN)
	checkText(fe, "title", in.Title, true, 500)
	checkText(fe, "title_en", in.TitleEN, false, 500)
	in.Description, in.DescriptionEN = paragraphs(in.Description), paragraphs(in.DescriptionEN)
	checkText(fe, "description", in.Description, false, 20000)
	checkText(fe, "description_en", in.DescriptionEN, false, 20000)
	in.AxisID, in.Axis = strings.TrimSpace(in.AxisID), line(in.Axis)
	in.LeadOrganisationID = strings.TrimSpace(in.LeadOrganisationID)
	support := []string{}
	for _, id := range in.SupportOrganisationIDs {
		if id = strings.TrimSpace(id); id != "" && id != in.LeadOrganisationID && !slices.Contains(support, id) {
			support = append(support, id)
		}
	}
	in.SupportOrganisationIDs = support
	if len(support) > maxSupporters {
		fe["support_organisation_ids"] = "error.plan_too_many_supporters"
	}
	values := []string{}
	for _, v := range OGPValues {
		if slices.Contains(in.OGPValues, v) {
			values = append(values, v)
		}
	}
	for _, v := range in.OGPValues {
		if !slices.Contains(OGPValues, v) {
			fe["ogp_values"] = "error.plan_ogp_value_invalid"
		}
	}
	in.OGPValues = values
	in.IRM.check(fe)
	return fe
}

// resolve checks what needs the database: the axis (in the plan), the
// organisations, and that no other commitment of the plan has the
// reference. self is the commitment being updated ("" for a new one).
func (in *CommitmentInput) resolve(ctx context.Context, q store.Querier, planID, self string, fe valid.Errors) error {
	if in.AxisID == "" && in.Axis != "" {
		id, err := axisByName(ctx, q, planID, in.Axis)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if id == "" {
			fe["axis"] = "error.plan_axis_unknown"
		}
		in.AxisID = id
	} else if in.AxisID != "" {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_axes WHERE id = $1 AND plan_id = $2`, in.AxisID, planID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			fe["axis_id"] = "error.plan_axis_unknown"
		}
	}
	in.Axis = ""
	if in.LeadOrganisationID != "" {
		ok, err := organisationsExist(ctx, q, []string{in.LeadOrganisationID})
		if err != nil {
			return err
		}
		if !ok {
			fe["lead_organisation_id"] = "error.organisation_unknown"
		}
	}
	if len(in.SupportOrganisationIDs) > 0 && fe["support_organisation_ids"] == "" {
		ok, err := organisationsExist(ctx, q, in.SupportOrganisationIDs)
		if err != nil {
			return err
		}
		if !ok {
			fe["support_organisation_ids"] = "error.organisation_unknown"
		}
	}
	if in.Reference != "" && fe["reference"] == "" {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM commitments WHERE plan_id = $1 AND reference = $2 AND id <> $3`,
			planID, in.Reference, self).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			fe["reference"] = "error.plan_reference_taken"
		}
	}
	return nil
}

// axisByName finds an axis of a plan by its title (case and accents
// ignored) or its position.
func axisByName(ctx context.Context, q store.Querier, planID, name string) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, position, title, title_en FROM plan_axes WHERE plan_id = $1 ORDER BY position, id`, planID)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	key := fold(name)
	pos, posErr := strconv.Atoi(strings.TrimSuffix(name, "."))
	found := ""
	for rows.Next() {
		var id, title, titleEN string
		var p int
		if err := rows.Scan(&id, &p, &title, &titleEN); err != nil {
			return "", err
		}
		if found == "" && ((posErr == nil && p == pos) || fold(title) == key || (titleEN != "" && fold(titleEN) == key)) {
			found = id
		}
	}
	return found, rows.Err()
}

func organisationsExist(ctx context.Context, q store.Querier, ids []string) (bool, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id IN (`+params(1, len(ids))+`)`, args...).Scan(&n)
	return n == len(ids), err
}

// CreateCommitment validates in and adds a commitment to a plan
// (organisers).
func CreateCommitment(ctx context.Context, tx *sql.Tx, ch Change, planID string, in CommitmentInput) (*Commitment, error) {
	if err := ch.mustManage(); err != nil {
		return nil, err
	}
	if _, err := GetPlan(ctx, tx, planID); err != nil {
		return nil, err
	}
	fe := in.check()
	if err := in.resolve(ctx, tx, planID, "", fe); err != nil {
		return nil, err
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	id := store.NewID()
	if err := insertCommitment(ctx, tx, id, planID, in); err != nil {
		return nil, err
	}
	if _, err := ch.apply(ctx, tx, event{commitmentID: id, action: ActionCommitmentCreate, targetType: "commitment", targetID: id,
		after: in}); err != nil {
		return nil, err
	}
	return GetCommitment(ctx, tx, id, "")
}

func insertCommitment(ctx context.Context, tx *sql.Tx, id, planID string, in CommitmentInput) error {
	now := store.Now()
	r := in.IRM
	_, err := tx.ExecContext(ctx, `INSERT INTO commitments (id, plan_id, axis_id, number, reference, title, title_en, description, description_en,
		lead_organisation_id, access_to_information, civic_participation, public_accountability, technology_innovation,
		irm_verifiable, irm_relevant, irm_ambition, irm_potential_impact, irm_completion, irm_did_it_open_government, irm_starred, irm_source,
		created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23)`,
		id, planID, nullable(in.AxisID), in.Number, nullableText(in.Reference), in.Title, in.TitleEN, in.Description, in.DescriptionEN,
		nullable(in.LeadOrganisationID), slices.Contains(in.OGPValues, ValueAccessToInformation),
		slices.Contains(in.OGPValues, ValueCivicParticipation), slices.Contains(in.OGPValues, ValuePublicAccountability),
		slices.Contains(in.OGPValues, ValueTechnologyInnovation), r.Verifiable, r.Relevant, r.Ambition, r.PotentialImpact,
		r.Completion, r.DidItOpenGovernment, r.Starred, r.Source, now)
	if err = store.Map(err); errors.Is(err, store.ErrConflict) {
		return valid.Errors{"reference": "error.plan_reference_taken"}
	} else if err != nil {
		return err
	}
	return saveSupporters(ctx, tx, id, in.SupportOrganisationIDs)
}

func saveSupporters(ctx context.Context, tx *sql.Tx, id string, orgs []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM commitment_supporters WHERE commitment_id = $1`, id); err != nil {
		return err
	}
	for i, org := range orgs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO commitment_supporters (commitment_id, organisation_id, position) VALUES ($1, $2, $3)`,
			id, org, i+1); err != nil {
			return store.Map(err)
		}
	}
	return nil
}

// UpdateCommitment replaces the fields of a commitment. Organisers change
// everything; the agents of the lead administration change its text,
// supporters and OGP values, but not what organisers decide — number,
// reference, axis, lead and the IRM assessment — which gives an
// "error.plan_organisers_only" error at that field if they try.
func UpdateCommitment(ctx context.Context, tx *sql.Tx, ch Change, id string, in CommitmentInput) (*Commitment, error) {
	old, err := lockCommitment(ctx, tx, ch, id)
	if err != nil {
		return nil, err
	}
	fe := in.check()
	if err := in.resolve(ctx, tx, old.PlanID, id, fe); err != nil {
		return nil, err
	}
	if !ch.CanManage() {
		was := old.Input()
		reserved := map[string]bool{"number": in.Number != was.Number, "reference": in.Reference != was.Reference,
			"axis_id": in.AxisID != was.AxisID, "lead_organisation_id": in.LeadOrganisationID != was.LeadOrganisationID,
			"irm": in.IRM != was.IRM}
		for field, changed := range reserved {
			if changed {
				fe[field] = "error.plan_organisers_only"
			}
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if _, err := updateCommitment(ctx, tx, ch, old, in); err != nil {
		return nil, err
	}
	return GetCommitment(ctx, tx, id, "")
}

// updateCommitment writes a checked input over old and records the
// change; it reports whether anything changed.
func updateCommitment(ctx context.Context, tx *sql.Tx, ch Change, old *Commitment, in CommitmentInput) (bool, error) {
	r := in.IRM
	if _, err := tx.ExecContext(ctx, `UPDATE commitments SET axis_id = $1, number = $2, reference = $3, title = $4, title_en = $5,
		description = $6, description_en = $7, lead_organisation_id = $8, access_to_information = $9, civic_participation = $10,
		public_accountability = $11, technology_innovation = $12, irm_verifiable = $13, irm_relevant = $14, irm_ambition = $15,
		irm_potential_impact = $16, irm_completion = $17, irm_did_it_open_government = $18, irm_starred = $19, irm_source = $20,
		updated_at = $22 WHERE id = $21`,
		nullable(in.AxisID), in.Number, nullableText(in.Reference), in.Title, in.TitleEN, in.Description, in.DescriptionEN,
		nullable(in.LeadOrganisationID), slices.Contains(in.OGPValues, ValueAccessToInformation),
		slices.Contains(in.OGPValues, ValueCivicParticipation), slices.Contains(in.OGPValues, ValuePublicAccountability),
		slices.Contains(in.OGPValues, ValueTechnologyInnovation), r.Verifiable, r.Relevant, r.Ambition, r.PotentialImpact,
		r.Completion, r.DidItOpenGovernment, r.Starred, r.Source, old.ID, store.Now()); err != nil {
		if err = store.Map(err); errors.Is(err, store.ErrConflict) {
			return false, valid.Errors{"reference": "error.plan_reference_taken"}
		}
		return false, err
	}
	if !slices.Equal(old.SupportOrganisationIDs, in.SupportOrganisationIDs) {
		if err := saveSupporters(ctx, tx, old.ID, in.SupportOrganisationIDs); err != nil {
			return false, err
		}
	}
	return ch.apply(ctx, tx, event{commitmentID: old.ID, action: ActionCommitmentUpdate, targetType: "commitment", targetID: old.ID,
		before: old.Input(), after: in})
}

// lockCommitment marks a commitment changed now — which holds its row
// until the transaction ends, so that changes of one commitment run one
// after the other — checks that the editor may change it, and loads it.
func lockCommitment(ctx context.Context, tx *sql.Tx, ch Change, id string) (*Commitment, error) {
	res, err := tx.ExecContext(ctx, `UPDATE commitments SET updated_at = $1 WHERE id = $2`, store.Now(), id)
	if err != nil {
		return nil, store.Map(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, store.ErrNotFound
	}
	c, err := getCommitmentRow(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := ch.CanEdit(c.LeadOrganisationID); err != nil {
		return nil, err
	}
	return c, nil
}
