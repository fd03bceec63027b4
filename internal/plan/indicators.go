package plan

import (
	"context"
	"database/sql"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Indicator is a measured quantity of a commitment, with its baseline,
// its target and the values measured over time.
type Indicator struct {
	ID           string            `json:"id"`
	CommitmentID string            `json:"commitment_id"`
	Position     int               `json:"position"`
	Name         string            `json:"name"`
	Unit         string            `json:"unit"`
	Baseline     *float64          `json:"baseline"`
	BaselineOn   Date              `json:"baseline_on"`
	Target       *float64          `json:"target"`
	TargetOn     Date              `json:"target_on"`
	Values       []*IndicatorValue `json:"values"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// IndicatorValue is one measure of an indicator. Unit is set only when
// the value was given in another unit than the indicator's.
type IndicatorValue struct {
	ID          string    `json:"id"`
	IndicatorID string    `json:"indicator_id"`
	Date        Date      `json:"date"`
	Value       float64   `json:"value"`
	Unit        string    `json:"unit,omitempty"`
	Source      string    `json:"source"`
	Comment     string    `json:"comment"`
	CreatedAt   time.Time `json:"created_at"`
}

// Latest is the value measured last (by date), or nil.
func (ind *Indicator) Latest() *IndicatorValue {
	var last *IndicatorValue
	for _, v := range ind.Values {
		if last == nil || v.Date >= last.Date {
			last = v
		}
	}
	return last
}

// TargetShare is how far the latest value has gone from the baseline to
// the target (0 at the baseline, 1 on target, beyond 1 past it); ok is
// false without baseline, target or value.
func (ind *Indicator) TargetShare() (share float64, ok bool) {
	last := ind.Latest()
	if last == nil || ind.Baseline == nil || ind.Target == nil || *ind.Target == *ind.Baseline {
		return 0, false
	}
	return (last.Value - *ind.Baseline) / (*ind.Target - *ind.Baseline), true
}

// IndicatorInput is what a form or the API gives for an indicator.
type IndicatorInput struct {
	Name       string   `json:"name"`
	Unit       string   `json:"unit"`
	Baseline   *float64 `json:"baseline"`
	BaselineOn Date     `json:"baseline_on"`
	Target     *float64 `json:"target"`
	TargetOn   Date     `json:"target_on"`
}

// Input is the indicator as an input, for a PATCH to start from.
func (ind *Indicator) Input() IndicatorInput {
	return IndicatorInput{Name: ind.Name, Unit: ind.Unit, Baseline: ind.Baseline, BaselineOn: ind.BaselineOn, Target: ind.Target, TargetOn: ind.TargetOn}
}

func (in *IndicatorInput) check() valid.Errors {
	fe := valid.Errors{}
	in.Name, in.Unit = line(in.Name), line(in.Unit)
	checkText(fe, "name", in.Name, true, 300)
	checkText(fe, "unit", in.Unit, false, 50)
	checkNumber(fe, "baseline", in.Baseline)
	checkNumber(fe, "target", in.Target)
	if key := checkDate(&in.BaselineOn); key != "" {
		fe["baseline_on"] = key
	}
	if key := checkDate(&in.TargetOn); key != "" {
		fe["target_on"] = key
	}
	if in.Baseline == nil && !in.BaselineOn.IsZero() {
		fe["baseline"] = "error.plan_value_required"
	}
	if in.Target == nil && !in.TargetOn.IsZero() {
		fe["target"] = "error.plan_value_required"
	}
	if fe["baseline_on"] == "" && fe["target_on"] == "" && !in.BaselineOn.IsZero() && !in.TargetOn.IsZero() && in.TargetOn <= in.BaselineOn {
		fe["target_on"] = "error.plan_target_before_baseline"
	}
	return fe
}

// CreateIndicator adds an indicator to a commitment.
func CreateIndicator(ctx context.Context, tx *sql.Tx, ch Change, commitmentID string, in IndicatorInput) (*Indicator, error) {
	if _, err := lockCommitment(ctx, tx, ch, commitmentID); err != nil {
		return nil, err
	}
	if err := in.check().Err(); err != nil {
		return nil, err
	}
	var pos int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM indicators WHERE commitment_id = $1`, commitmentID).Scan(&pos); err != nil {
		return nil, err
	}
	id, now := store.NewID(), store.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO indicators (id, commitment_id, position, name, unit, baseline, baseline_on, target, target_on,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
		id, commitmentID, pos+1, in.Name, in.Unit, in.Baseline, in.BaselineOn, in.Target, in.TargetOn, now); err != nil {
		return nil, store.Map(err)
	}
	if _, err := ch.apply(ctx, tx, event{commitmentID: commitmentID, action: ActionIndicatorCreate, targetType: "indicator", targetID: id,
		after: in}); err != nil {
		return nil, err
	}
	return GetIndicator(ctx, tx, id)
}

// UpdateIndicator replaces the fields of an indicator; its values stay.
func UpdateIndicator(ctx context.Context, tx *sql.Tx, ch Change, id string, in IndicatorInput) (*Indicator, error) {
	old, err := GetIndicator(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := lockCommitment(ctx, tx, ch, old.CommitmentID); err != nil {
		return nil, err
	}
	if err := in.check().Err(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE indicators SET name = $1, unit = $2, baseline = $3, baseline_on = $4, target = $5, target_on = $6,
		updated_at = $7 WHERE id = $8`, in.Name, in.Unit, in.Baseline, in.BaselineOn, in.Target, in.TargetOn, store.Now(), id); err != nil {
		return nil, store.Map(err)
	}
	if _, err := ch.apply(ctx, tx, event{commitmentID: old.CommitmentID, action: ActionIndicatorUpdate, targetType: "indicator", targetID: id,
		before: old.Input(), after: in}); err != nil {
		return nil, err
	}
	return GetIndicator(ctx, tx, id)
}

const indicatorColumns = `i.id, i.commitment_id, i.position, i.name, i.unit, i.baseline, i.baseline_on, i.target, i.target_on,
	i.created_at, i.updated_at`

func scanIndicator(row interface{ Scan(...any) error }) (*Indicator, error) {
	ind := &Indicator{Values: []*IndicatorValue{}}
	var baseline, target sql.NullFloat64
	err := row.Scan(&ind.ID, &ind.CommitmentID, &ind.Position, &ind.Name, &ind.Unit, &baseline, &ind.BaselineOn, &target, &ind.TargetOn,
		&ind.CreatedAt, &ind.UpdatedAt)
	if baseline.Valid {
		ind.Baseline = &baseline.Float64
	}
	if target.Valid {
		ind.Target = &target.Float64
	}
	return ind, store.Map(err)
}

const valueColumns = `v.id, v.indicator_id, v.measured_on, v.value, v.unit, v.source, v.comment, v.created_at`

func scanValue(row interface{ Scan(...any) error }) (*IndicatorValue, error) {
	v := &IndicatorValue{}
	err := row.Scan(&v.ID, &v.IndicatorID, &v.Date, &v.Value, &v.Unit, &v.Source, &v.Comment, &v.CreatedAt)
	return v, store.Map(err)
}

// GetIndicator loads an indicator with its values in date order.
func GetIndicator(ctx context.Context, q store.Querier, id string) (*Indicator, error) {
	ind, err := scanIndicator(q.QueryRowContext(ctx, `SELECT `+indicatorColumns+` FROM indicators i WHERE i.id = $1`, id))
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+valueColumns+` FROM indicator_values v WHERE v.indicator_id = $1
		ORDER BY v.measured_on, v.created_at, v.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scanValue(rows)
		if err != nil {
			return nil, err
		}
		ind.Values = append(ind.Values, v)
	}
	return ind, rows.Err()
}
