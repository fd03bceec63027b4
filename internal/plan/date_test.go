package plan_test

import (
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/zone"
)

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	cases := map[string]plan.Date{
		"2022-06-30":           "2022-06-30",
		"30/06/2022":           "2022-06-30",
		"2022-06":              "2022-06-30",
		"02/2024":              "2024-02-29",
		"2018":                 "2018-12-31",
		"End 2018":             "2018-12-31",
		"end of 2018":          "2018-12-31",
		"Fin 2018":             "2018-12-31",
		"fin d'année 2018":     "2018-12-31",
		"d'ici fin 2019":       "2019-12-31",
		"Mid-2017":             "2017-06-30",
		"mi-2017":              "2017-06-30",
		"Early 2017":           "2017-03-31",
		"début 2017":           "2017-03-31",
		"Q3 2016":              "2016-09-30",
		"T1 2022":              "2022-03-31",
		"S1 2017":              "2017-06-30",
		"H2 2017":              "2017-12-31",
		"1er semestre 2019":    "2019-06-30",
		"second semestre 2019": "2019-12-31",
		"June 2022":            "2022-06-30",
		"juin 2022":            "2022-06-30",
		"fin février 2023":     "2023-02-28",
		"end of June 2022":     "2022-06-30",
		"mid June 2022":        "",
		"bientôt":              "",
		"Open data":            "",
		"2222":                 "",
		"1850":                 "",
		"2022-13-01":           "",
		"":                     "",
	}
	for in, want := range cases {
		got, ok := plan.ParsePeriod(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParsePeriod(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestParseDateAndNumber(t *testing.T) {
	t.Parallel()
	dates := map[string]plan.Date{"2024-02-29": "2024-02-29", " 1/2/2024 ": "2024-02-01", "29/02/2024": "2024-02-29", "": ""}
	for in, want := range dates {
		if got, ok := plan.ParseDate(in); !ok || got != want {
			t.Errorf("ParseDate(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"2023-02-29", "2024/02/01", "hier", "3000-01-01", "01-02-2024"} {
		if got, ok := plan.ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) = %q, accepted", bad, got)
		}
	}
	numbers := map[string]float64{"1 234,5": 1234.5, "1234.5": 1234.5, "-3": -3, "12\u202f000": 12000, "0,25": 0.25}
	for in, want := range numbers {
		if got, ok := plan.ParseNumber(in); !ok || got != want {
			t.Errorf("ParseNumber(%q) = %v, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "12 %", "1,234,5", "NaN", "Inf", "douze"} {
		if got, ok := plan.ParseNumber(bad); ok {
			t.Errorf("ParseNumber(%q) = %v, accepted", bad, got)
		}
	}
}

func TestIndicatorTargetShare(t *testing.T) {
	t.Parallel()
	ind := &plan.Indicator{Baseline: num(60), Target: num(100), Values: []*plan.IndicatorValue{{Date: "2022-12-31", Value: 80}, {Date: "2022-06-30", Value: 99}}}
	if share, ok := ind.TargetShare(); !ok || share != 0.5 {
		t.Errorf("share %v %v, want 0.5 from the latest by date", share, ok)
	}
	ind.Target = num(60)
	if _, ok := ind.TargetShare(); ok {
		t.Error("a target equal to the baseline gives a share")
	}
	if (&plan.Indicator{}).Latest() != nil {
		t.Error("latest of no value")
	}
}

// Today counts the team's days: 14 hours ahead of UTC in Kiritimati, 11
// behind in Niue, two zones whose dates always differ.
func TestTodayIsTheTeamsDay(t *testing.T) {
	defer zone.Set(nil)
	var days []plan.Date
	for _, name := range []string{"Pacific/Kiritimati", "Pacific/Niue"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		zone.Set(loc)
		before := plan.DateOf(time.Now().In(loc))
		today := plan.Today()
		if after := plan.DateOf(time.Now().In(loc)); today != before && today != after {
			t.Errorf("%s: Today() = %s, want %s", name, today, after)
		}
		days = append(days, today)
	}
	if days[0] == days[1] {
		t.Errorf("Today() is %s in both Kiritimati and Niue", days[0])
	}
}
