package web

import (
	"math"
	"strconv"

	"github.com/ogforum/ogforum/internal/plan"
)

// indicatorChart is an indicator drawn as an inline SVG, computed here and
// written by the template: values over time as a line, the baseline and
// the target as horizontal lines. No script, no style attribute (the
// Content-Security-Policy allows neither): geometry in attributes, looks
// in app.css. A data table beside it gives the same figures to screen
// readers.
type indicatorChart struct {
	ID                       string
	Width, Height            int
	Left, Right, Top, Bottom float64
	// LabelX is where the baseline's and target's labels start.
	LabelX           float64
	Line             string
	Points           []chartPoint
	Baseline, Target *chartLevel
	YTicks, XTicks   []chartTick
	Title, Summary   string
}

type chartPoint struct{ X, Y float64 }

type chartLevel struct {
	Y, LabelY float64
	Label     string
}

type chartTick struct {
	X, Y  float64
	Label string
}

const (
	chartWidth  = 640
	chartHeight = 280
	chartLeft   = 72
	chartRight  = 500
	chartTop    = 16
	chartBottom = 236
)

// buildChart lays out an indicator's chart, or returns nil when it has no
// measured value yet.
func buildChart(p *Page, ind *plan.Indicator) *indicatorChart {
	if len(ind.Values) == 0 {
		return nil
	}
	c := &indicatorChart{ID: "chart-" + ind.ID, Width: chartWidth, Height: chartHeight,
		Left: chartLeft, Right: chartRight, Top: chartTop, Bottom: chartBottom, LabelX: chartRight + 8}

	// Time runs from the first to the last date known: values, baseline
	// and target.
	days := func(d plan.Date) float64 { return float64(d.Time().Unix()) / 86400 }
	t0, t1 := math.Inf(1), math.Inf(-1)
	y0, y1 := math.Inf(1), math.Inf(-1)
	see := func(d plan.Date, v *float64) {
		if !d.IsZero() {
			t0, t1 = math.Min(t0, days(d)), math.Max(t1, days(d))
		}
		if v != nil {
			y0, y1 = math.Min(y0, *v), math.Max(y1, *v)
		}
	}
	for _, v := range ind.Values {
		see(v.Date, &v.Value)
	}
	see(ind.BaselineOn, ind.Baseline)
	see(ind.TargetOn, ind.Target)
	if t1-t0 < 1 {
		t0, t1 = t0-15, t1+15
	}
	if y0 >= 0 {
		y0 = 0
	}
	if y1 <= y0 {
		y1 = y0 + 1
	}
	step := niceStep((y1 - y0) / 4)
	y0, y1 = math.Floor(y0/step)*step, math.Ceil(y1/step)*step
	x := func(d plan.Date) float64 {
		return round1(chartLeft + (days(d)-t0)/(t1-t0)*(chartRight-chartLeft))
	}
	y := func(v float64) float64 {
		return round1(chartBottom - (v-y0)/(y1-y0)*(chartBottom-chartTop))
	}

	for i := 0; ; i++ {
		v := y0 + float64(i)*step
		if v > y1+step/1e6 {
			break
		}
		c.YTicks = append(c.YTicks, chartTick{X: chartLeft - 8, Y: y(v), Label: p.PlanNumber(v)})
	}
	first, last := ind.Values[0].Date, ind.Values[0].Date
	for _, v := range ind.Values {
		pt := chartPoint{X: x(v.Date), Y: y(v.Value)}
		c.Points = append(c.Points, pt)
		if c.Line != "" {
			c.Line += " "
		}
		c.Line += ftoa(pt.X) + "," + ftoa(pt.Y)
		first, last = min(first, v.Date), max(last, v.Date)
	}
	lo, hi := plan.Date(""), plan.Date("")
	for _, d := range []plan.Date{first, last, ind.BaselineOn, ind.TargetOn} {
		if d.IsZero() {
			continue
		}
		if lo == "" || d < lo {
			lo = d
		}
		if hi == "" || d > hi {
			hi = d
		}
	}
	c.XTicks = append(c.XTicks, chartTick{X: x(lo), Y: chartBottom + 22, Label: p.PlanDate(lo)})
	if hi != lo {
		c.XTicks = append(c.XTicks, chartTick{X: x(hi), Y: chartBottom + 22, Label: p.PlanDate(hi)})
	}
	if ind.Baseline != nil {
		c.Baseline = &chartLevel{Y: y(*ind.Baseline), Label: p.cat.T(p.Lang, "plan.chart.baseline", "value", p.PlanNumber(*ind.Baseline))}
	}
	if ind.Target != nil {
		c.Target = &chartLevel{Y: y(*ind.Target), Label: p.cat.T(p.Lang, "plan.chart.target", "value", p.PlanNumber(*ind.Target))}
	}
	// Labels of levels close together are moved apart.
	for _, l := range []*chartLevel{c.Baseline, c.Target} {
		if l != nil {
			l.LabelY = l.Y + 4
		}
	}
	if b, t := c.Baseline, c.Target; b != nil && t != nil && math.Abs(b.Y-t.Y) < 16 {
		mid := (b.Y + t.Y) / 2
		if t.Y <= b.Y {
			t.LabelY, b.LabelY = mid-4, mid+12
		} else {
			b.LabelY, t.LabelY = mid-4, mid+12
		}
	}

	latest := ind.Latest()
	c.Title = p.cat.T(p.Lang, "plan.chart.title", "name", ind.Name)
	c.Summary = p.cat.T(p.Lang, "plan.chart.summary", "count", len(ind.Values), "first", p.PlanDate(first), "last", p.PlanDate(last),
		"value", p.PlanNumber(latest.Value), "unit", ind.Unit)
	return c
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
