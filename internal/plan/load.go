package plan

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ogforum/ogforum/internal/store"
)

const commitmentColumns = `c.id, c.plan_id, p.title, c.number, COALESCE(c.reference, ''), c.title, c.title_en, c.description, c.description_en,
	COALESCE(c.axis_id, ''), COALESCE(c.lead_organisation_id, ''), COALESCE(o.name, ''), c.access_to_information, c.civic_participation,
	c.public_accountability, c.technology_innovation, c.irm_verifiable, c.irm_relevant, c.irm_ambition, c.irm_potential_impact,
	c.irm_completion, c.irm_did_it_open_government, c.irm_starred, c.irm_source, c.status, c.last_update_at, c.created_at, c.updated_at`

const commitmentFrom = ` FROM commitments c JOIN plans p ON p.id = c.plan_id LEFT JOIN organisations o ON o.id = c.lead_organisation_id`

func scanCommitment(row interface{ Scan(...any) error }) (*Commitment, error) {
	c := &Commitment{SupportOrganisationIDs: []string{}, Supporters: []OrgRef{}, OGPValues: []string{}, Milestones: []*Milestone{},
		Indicators: []*Indicator{}}
	var values [4]bool
	r := &c.IRM
	err := row.Scan(&c.ID, &c.PlanID, &c.PlanTitle, &c.Number, &c.Reference, &c.Title, &c.TitleEN, &c.Description, &c.DescriptionEN,
		&c.AxisID, &c.LeadOrganisationID, &c.LeadOrganisation, &values[0], &values[1], &values[2], &values[3],
		&r.Verifiable, &r.Relevant, &r.Ambition, &r.PotentialImpact, &r.Completion, &r.DidItOpenGovernment, &r.Starred, &r.Source,
		&c.Status, &c.LastUpdateAt, &c.CreatedAt, &c.UpdatedAt)
	for i, v := range OGPValues {
		if values[i] {
			c.OGPValues = append(c.OGPValues, v)
		}
	}
	return c, store.Map(err)
}

// queryCommitments reads the commitments matching cond, sorted by number.
func queryCommitments(ctx context.Context, q store.Querier, cond string, args ...any) ([]*Commitment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+commitmentColumns+commitmentFrom+` WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Commitment{}
	for rows.Next() {
		c, err := scanCommitment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, compareCommitments)
	return out, nil
}

// compareCommitments orders commitments by number ("2" before "10", "1.2"
// before "1.10"), then reference, then title.
func compareCommitments(a, b *Commitment) int {
	if c := compareNatural(a.Number, b.Number); c != 0 {
		return c
	}
	if c := compareNatural(a.Reference, b.Reference); c != 0 {
		return c
	}
	return strings.Compare(fold(a.Title), fold(b.Title))
}

// compareNatural compares strings with their runs of digits as numbers;
// an empty string comes last.
func compareNatural(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	for a != "" && b != "" {
		ca, ra := chunk(a)
		cb, rb := chunk(b)
		na, errA := strconv.Atoi(ca)
		nb, errB := strconv.Atoi(cb)
		var c int
		if errA == nil && errB == nil {
			c = na - nb
		} else {
			c = strings.Compare(strings.ToLower(ca), strings.ToLower(cb))
		}
		if c != 0 {
			return c
		}
		a, b = ra, rb
	}
	return len(a) - len(b)
}

// chunk cuts the leading run of digits, or of other characters, off s.
func chunk(s string) (string, string) {
	digit := unicode.IsDigit(rune(s[0]))
	for i, r := range s {
		if unicode.IsDigit(r) != digit {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// scopeOne is the scope of loadParts for one commitment.
const scopeOne = `SELECT x.id FROM commitments x WHERE x.id = $1`

// getCommitmentRow loads a commitment with its supporters only.
func getCommitmentRow(ctx context.Context, q store.Querier, id string) (*Commitment, error) {
	c, err := scanCommitment(q.QueryRowContext(ctx, `SELECT `+commitmentColumns+commitmentFrom+` WHERE c.id = $1`, id))
	if err != nil {
		return nil, err
	}
	byID := map[string]*Commitment{id: c}
	return c, loadSupporters(ctx, q, byID, scopeOne, id)
}

// GetCommitment loads a commitment with its supporters, milestones and
// indicators with their values, and its progress on that day (today when
// zero) — in five queries.
func GetCommitment(ctx context.Context, q store.Querier, id string, today Date) (*Commitment, error) {
	c, err := scanCommitment(q.QueryRowContext(ctx, `SELECT `+commitmentColumns+commitmentFrom+` WHERE c.id = $1`, id))
	if err != nil {
		return nil, err
	}
	return c, loadParts(ctx, q, []*Commitment{c}, scopeOne, id, today)
}

// loadParts fills the supporters, milestones, indicators and values of
// commitments, and computes their progress: one query per part, whatever
// the number of commitments. scope is a query giving the ids of the
// commitments (a superset is fine), with arg as its $1.
func loadParts(ctx context.Context, q store.Querier, cs []*Commitment, scope string, arg any, today Date) error {
	return loadPartsWith(ctx, q, cs, scope, arg, today, true)
}

// loadPartsWith is loadParts; without values, indicators come without
// their series (a plan's page shows none, and a plan may hold thousands).
func loadPartsWith(ctx context.Context, q store.Querier, cs []*Commitment, scope string, arg any, today Date, values bool) error {
	byID := make(map[string]*Commitment, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	if err := loadSupporters(ctx, q, byID, scope, arg); err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+milestoneColumns+` FROM milestones m WHERE m.commitment_id IN (`+scope+`)
		ORDER BY m.position, m.id`, arg)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		m, err := scanMilestone(rows)
		if c := byID[m.CommitmentID]; err == nil && c != nil {
			c.Milestones = append(c.Milestones, m)
		}
		return err
	})
	if err != nil {
		return err
	}
	indicators := map[string]*Indicator{}
	rows, err = q.QueryContext(ctx, `SELECT `+indicatorColumns+` FROM indicators i WHERE i.commitment_id IN (`+scope+`)
		ORDER BY i.position, i.id`, arg)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		ind, err := scanIndicator(rows)
		if c := byID[ind.CommitmentID]; err == nil && c != nil {
			c.Indicators = append(c.Indicators, ind)
			indicators[ind.ID] = ind
		}
		return err
	})
	if err != nil {
		return err
	}
	if !values {
		today = today.orToday()
		for _, c := range cs {
			c.Progress = ComputeProgress(c.Milestones, today)
		}
		return nil
	}
	rows, err = q.QueryContext(ctx, `SELECT `+valueColumns+` FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
		WHERE i.commitment_id IN (`+scope+`) ORDER BY v.measured_on, v.created_at, v.id`, arg)
	if err != nil {
		return err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		v, err := scanValue(rows)
		if ind := indicators[v.IndicatorID]; err == nil && ind != nil {
			ind.Values = append(ind.Values, v)
		}
		return err
	})
	if err != nil {
		return err
	}
	today = today.orToday()
	for _, c := range cs {
		c.Progress = ComputeProgress(c.Milestones, today)
	}
	return nil
}

func loadSupporters(ctx context.Context, q store.Querier, byID map[string]*Commitment, scope string, arg any) error {
	rows, err := q.QueryContext(ctx, `SELECT s.commitment_id, o.id, o.name FROM commitment_supporters s
		JOIN organisations o ON o.id = s.organisation_id WHERE s.commitment_id IN (`+scope+`) ORDER BY s.position, o.name`, arg)
	if err != nil {
		return err
	}
	return eachRow(rows, func(rows *sql.Rows) error {
		var id string
		var o OrgRef
		if err := rows.Scan(&id, &o.ID, &o.Name); err != nil {
			return err
		}
		if c := byID[id]; c != nil {
			c.Supporters = append(c.Supporters, o)
			c.SupportOrganisationIDs = append(c.SupportOrganisationIDs, o.ID)
		}
		return nil
	})
}

// eachRow calls fn for each row, and closes rows.
func eachRow(rows *sql.Rows, fn func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
