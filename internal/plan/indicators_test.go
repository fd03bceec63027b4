package plan_test

import (
	"database/sql"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestIndicatorValidationReportsEachField(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c := w.commitment(t, "FR0001")
		cases := []struct {
			name       string
			in         plan.IndicatorInput
			field, key string
		}{
			{"name missing", plan.IndicatorInput{}, "name", "error.required"},
			{"name too long", plan.IndicatorInput{Name: strings.Repeat("x", 301)}, "name", "error.too_long"},
			{"unit too long", plan.IndicatorInput{Name: "A", Unit: strings.Repeat("x", 51)}, "unit", "error.too_long"},
			{"baseline not a number", plan.IndicatorInput{Name: "A", Baseline: num(math.NaN())}, "baseline", "error.plan_not_a_number"},
			{"target infinite", plan.IndicatorInput{Name: "A", Target: num(math.Inf(1))}, "target", "error.plan_not_a_number"},
			{"bad baseline day", plan.IndicatorInput{Name: "A", Baseline: num(1), BaselineOn: "2021-02-29"}, "baseline_on", "error.plan_date_invalid"},
			{"bad target day", plan.IndicatorInput{Name: "A", Target: num(1), TargetOn: "soon"}, "target_on", "error.plan_date_invalid"},
			{"baseline day without value", plan.IndicatorInput{Name: "A", BaselineOn: "2021-01-01"}, "baseline", "error.plan_value_required"},
			{"target day without value", plan.IndicatorInput{Name: "A", TargetOn: "2023-01-01"}, "target", "error.plan_value_required"},
			{"target before baseline", plan.IndicatorInput{Name: "A", Baseline: num(1), BaselineOn: "2023-01-01", Target: num(2), TargetOn: "2022-01-01"},
				"target_on", "error.plan_target_before_baseline"},
		}
		for _, tc := range cases {
			err := inTx(t, db, func(tx *sql.Tx) error {
				_, err := plan.CreateIndicator(t.Context(), tx, w.change(w.agent), c.ID, tc.in)
				return err
			})
			if fe := fieldErrs(t, err); len(fe) != 1 || fe[tc.field] != tc.key {
				t.Errorf("%s: errors %v, want %s=%s", tc.name, fe, tc.field, tc.key)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM indicators`); n != 0 {
			t.Fatalf("%d indicators stored from bad input", n)
		}
	})
}

func TestIndicatorValuesWarnButAreKept(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		c := w.commitment(t, "FR0001")
		var ind *plan.Indicator
		txDo(t, db, func(tx *sql.Tx) (err error) {
			ind, err = plan.CreateIndicator(ctx, tx, w.change(w.agent), c.ID, plan.IndicatorInput{Name: "Part des marchés publiés", Unit: "%",
				Baseline: num(60), BaselineOn: "01/01/2021", Target: num(100), TargetOn: "2023-12-31"})
			return err
		})
		if ind.BaselineOn != "2021-01-01" || *ind.Baseline != 60 || *ind.Target != 100 || ind.Unit != "%" {
			t.Fatalf("indicator %+v", ind)
		}
		add := func(in plan.ValueInput) ([]string, error) {
			var warnings []string
			err := inTx(t, db, func(tx *sql.Tx) (err error) {
				_, warnings, err = plan.AddIndicatorValue(ctx, tx, w.change(w.agent), ind.ID, in)
				return err
			})
			return warnings, err
		}
		tomorrow := plan.DateOf(time.Now().UTC().AddDate(0, 0, 1))
		bad := []struct {
			name       string
			in         plan.ValueInput
			field, key string
		}{
			{"no date", plan.ValueInput{Value: num(1)}, "date", "error.required"},
			{"bad date", plan.ValueInput{Date: "2022-02-30", Value: num(1)}, "date", "error.plan_date_invalid"},
			{"future", plan.ValueInput{Date: tomorrow, Value: num(1)}, "date", "error.plan_date_in_future"},
			{"no value", plan.ValueInput{Date: "2022-01-01"}, "value", "error.required"},
			{"not a number", plan.ValueInput{Date: "2022-01-01", Value: num(math.NaN())}, "value", "error.plan_not_a_number"},
			{"unit too long", plan.ValueInput{Date: "2022-01-01", Value: num(1), Unit: strings.Repeat("x", 51)}, "unit", "error.too_long"},
			{"source too long", plan.ValueInput{Date: "2022-01-01", Value: num(1), Source: strings.Repeat("x", 501)}, "source", "error.too_long"},
			{"comment too long", plan.ValueInput{Date: "2022-01-01", Value: num(1), Comment: strings.Repeat("x", 2001)}, "comment", "error.too_long"},
		}
		for _, tc := range bad {
			_, err := add(tc.in)
			if fe := fieldErrs(t, err); len(fe) != 1 || fe[tc.field] != tc.key {
				t.Errorf("%s: errors %v, want %s=%s", tc.name, fe, tc.field, tc.key)
			}
		}
		steps := []struct {
			in   plan.ValueInput
			want []string
		}{
			{plan.ValueInput{Date: "2022-06-30", Value: num(72), Unit: "%", Source: "data.gouv.fr"}, []string{}},
			{plan.ValueInput{Date: "2022-12-31", Value: num(80)}, []string{}},
			{plan.ValueInput{Date: "2022-03-31", Value: num(70)}, []string{plan.WarningOutOfOrder}},
			{plan.ValueInput{Date: "2022-12-31", Value: num(81)}, []string{plan.WarningSameDate}},
			{plan.ValueInput{Date: "2023-06-30", Value: num(3200), Unit: "marchés"}, []string{plan.WarningUnit}},
			{plan.ValueInput{Date: "2022-01-31", Value: num(1), Unit: "jeux"}, []string{plan.WarningOutOfOrder, plan.WarningUnit}},
		}
		for i, s := range steps {
			warnings, err := add(s.in)
			if err != nil || !reflect.DeepEqual(warnings, s.want) {
				t.Errorf("value %d: warnings %v (%v), want %v", i, warnings, err, s.want)
			}
		}
		got, err := plan.GetIndicator(ctx, db, ind.ID)
		if err != nil {
			t.Fatal(err)
		}
		var dates []plan.Date
		for _, v := range got.Values {
			dates = append(dates, v.Date)
		}
		want := []plan.Date{"2022-01-31", "2022-03-31", "2022-06-30", "2022-12-31", "2022-12-31", "2023-06-30"}
		if !reflect.DeepEqual(dates, want) {
			t.Errorf("values in date order: %v, want %v", dates, want)
		}
		if last := got.Latest(); last.Value != 3200 || last.Unit != "marchés" || got.Values[2].Unit != "" || got.Values[2].Source != "data.gouv.fr" {
			t.Errorf("latest %+v, june %+v", last, got.Values[2])
		}
		// A value entered by mistake goes; the history keeps it.
		txDo(t, db, func(tx *sql.Tx) error { return plan.DeleteIndicatorValue(ctx, tx, w.change(w.agent), got.Values[0].ID) })
		if n := count(t, db, `SELECT COUNT(*) FROM indicator_values`); n != 5 {
			t.Errorf("%d values after deleting one", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM commitment_history WHERE action = 'indicator_value.delete' AND before_json LIKE '%jeux%'`); n != 1 {
			t.Errorf("deleted value not in the history")
		}
		// Updating the indicator keeps its values.
		in := got.Input()
		in.Target = num(95)
		txDo(t, db, func(tx *sql.Tx) (err error) {
			got, err = plan.UpdateIndicator(ctx, tx, w.change(w.agent), ind.ID, in)
			return err
		})
		if *got.Target != 95 || len(got.Values) != 5 {
			t.Errorf("updated indicator %+v", got)
		}
	})
}
