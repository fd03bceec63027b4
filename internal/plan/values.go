package plan

import (
	"context"
	"database/sql"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Warnings about a value that is accepted but probably wrong: translation
// keys the form and the API show to the person who gave it.
const (
	// WarningOutOfOrder: the value is dated before the latest one.
	WarningOutOfOrder = "warning.plan_value_out_of_order"
	// WarningSameDate: a value of the same day exists already.
	WarningSameDate = "warning.plan_value_same_date"
	// WarningUnit: the value was given in another unit than the indicator's.
	WarningUnit = "warning.plan_value_unit_differs"
)

// Warnings lists the warnings AddIndicatorValue may give.
var Warnings = []string{WarningOutOfOrder, WarningSameDate, WarningUnit}

// ValueInput is a measured value, as a form or the API gives it. Unit,
// when given, is compared with the indicator's.
type ValueInput struct {
	Date    Date     `json:"date"`
	Value   *float64 `json:"value"`
	Unit    string   `json:"unit"`
	Source  string   `json:"source"`
	Comment string   `json:"comment"`
}

func (in *ValueInput) check(today Date) valid.Errors {
	fe := valid.Errors{}
	if key := checkDate(&in.Date); key != "" {
		fe["date"] = key
	} else if in.Date.IsZero() {
		fe["date"] = "error.required"
	} else if in.Date > today {
		fe["date"] = "error.plan_date_in_future"
	}
	if in.Value == nil {
		fe["value"] = "error.required"
	}
	checkNumber(fe, "value", in.Value)
	in.Unit, in.Source, in.Comment = line(in.Unit), line(in.Source), paragraphs(in.Comment)
	checkText(fe, "unit", in.Unit, false, 50)
	checkText(fe, "source", in.Source, false, 500)
	checkText(fe, "comment", in.Comment, false, 2000)
	return fe
}

// valueSnapshot is what the history keeps of a value.
type valueSnapshot struct {
	Indicator string  `json:"indicator_id"`
	Date      Date    `json:"date"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit,omitempty"`
	Source    string  `json:"source,omitempty"`
	Comment   string  `json:"comment,omitempty"`
}

func (v *IndicatorValue) snapshot() valueSnapshot {
	return valueSnapshot{Indicator: v.IndicatorID, Date: v.Date, Value: v.Value, Unit: v.Unit, Source: v.Source, Comment: v.Comment}
}

// AddIndicatorValue records a measured value. A value dated before the
// latest one, on the day of another, or given in another unit than the
// indicator's is accepted, with warnings (translation keys) to show.
func AddIndicatorValue(ctx context.Context, tx *sql.Tx, ch Change, indicatorID string, in ValueInput) (*IndicatorValue, []string, error) {
	ind, err := GetIndicator(ctx, tx, indicatorID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := lockCommitment(ctx, tx, ch, ind.CommitmentID); err != nil {
		return nil, nil, err
	}
	if err := in.check(Today()).Err(); err != nil {
		return nil, nil, err
	}
	warnings := []string{}
	if last := ind.Latest(); last != nil && in.Date < last.Date {
		warnings = append(warnings, WarningOutOfOrder)
	}
	for _, v := range ind.Values {
		if v.Date == in.Date {
			warnings = append(warnings, WarningSameDate)
			break
		}
	}
	unit := ""
	if in.Unit != "" && fold(in.Unit) != fold(ind.Unit) {
		unit = in.Unit
		warnings = append(warnings, WarningUnit)
	}
	v := &IndicatorValue{ID: store.NewID(), IndicatorID: indicatorID, Date: in.Date, Value: *in.Value, Unit: unit, Source: in.Source,
		Comment: in.Comment, CreatedAt: store.Now()}
	if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_values (id, indicator_id, measured_on, value, unit, source, comment, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, v.ID, v.IndicatorID, v.Date, v.Value, v.Unit, v.Source, v.Comment, v.CreatedAt); err != nil {
		return nil, nil, store.Map(err)
	}
	if _, err := ch.apply(ctx, tx, event{commitmentID: ind.CommitmentID, action: ActionValueAdd, targetType: "indicator_value",
		targetID: v.ID, after: v.snapshot()}); err != nil {
		return nil, nil, err
	}
	return v, warnings, nil
}

// DeleteIndicatorValue removes a value entered by mistake; the history
// keeps it.
func DeleteIndicatorValue(ctx context.Context, tx *sql.Tx, ch Change, id string) error {
	v, err := scanValue(tx.QueryRowContext(ctx, `SELECT `+valueColumns+` FROM indicator_values v WHERE v.id = $1`, id))
	if err != nil {
		return err
	}
	var commitmentID string
	if err := tx.QueryRowContext(ctx, `SELECT commitment_id FROM indicators WHERE id = $1`, v.IndicatorID).Scan(&commitmentID); err != nil {
		return store.Map(err)
	}
	if _, err := lockCommitment(ctx, tx, ch, commitmentID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM indicator_values WHERE id = $1`, id); err != nil {
		return err
	}
	_, err = ch.apply(ctx, tx, event{commitmentID: commitmentID, action: ActionValueDelete, targetType: "indicator_value", targetID: id,
		before: v.snapshot()})
	return err
}
