package forum

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
	"github.com/ogforum/ogforum/internal/zone"
)

// Series schedules forums: "the third Tuesday of every second month,
// 17:00–19:00 in Europe/Paris", with the defaults of its forums.
type Series struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	OrganiserTeam string `json:"organiser_team"`
	Description   string `json:"description"`
	// Weekday is the ISO weekday: 1 Monday … 7 Sunday.
	Weekday int `json:"weekday"`
	// WeekOfMonth is which such weekday of the month: 1 to 4, or -1 for
	// the last.
	WeekOfMonth int `json:"week_of_month"`
	// EveryMonths is the period; FirstMonth ("YYYY-MM") the first month of
	// the cycle, so that forums fall in FirstMonth, FirstMonth+EveryMonths...
	EveryMonths int    `json:"every_months"`
	FirstMonth  string `json:"first_month"`
	// StartTime and EndTime are local "HH:MM" in Timezone.
	StartTime  string    `json:"start_time"`
	EndTime    string    `json:"end_time"`
	Timezone   string    `json:"timezone"`
	Venue      string    `json:"venue"`
	Address    string    `json:"address"`
	AccessInfo string    `json:"access_info"`
	Capacity   int       `json:"capacity"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// SeriesInput is what a form or an API call gives. Empty StartTime,
// EndTime, Timezone and zero EveryMonths take the defaults 17:00, 19:00,
// the team's zone (see package zone) and 2.
type SeriesInput struct {
	Title         string `json:"title"`
	OrganiserTeam string `json:"organiser_team"`
	Description   string `json:"description"`
	Weekday       int    `json:"weekday"`
	WeekOfMonth   int    `json:"week_of_month"`
	EveryMonths   int    `json:"every_months"`
	FirstMonth    string `json:"first_month"`
	StartTime     string `json:"start_time"`
	EndTime       string `json:"end_time"`
	Timezone      string `json:"timezone"`
	Venue         string `json:"venue"`
	Address       string `json:"address"`
	AccessInfo    string `json:"access_info"`
	Capacity      int    `json:"capacity"`
}

// MaxCapacity bounds a forum's capacity.
const MaxCapacity = 100000

// Validate checks and normalises the input.
func (in *SeriesInput) Validate() error {
	fe := valid.Errors{}
	in.Title, in.OrganiserTeam = line(in.Title), line(in.OrganiserTeam)
	in.Description, in.AccessInfo = text(in.Description), text(in.AccessInfo)
	in.Venue, in.Address = line(in.Venue), line(in.Address)
	in.FirstMonth, in.StartTime, in.EndTime, in.Timezone = line(in.FirstMonth), line(in.StartTime), line(in.EndTime), line(in.Timezone)
	if in.StartTime == "" {
		in.StartTime = "17:00"
	}
	if in.EndTime == "" {
		in.EndTime = "19:00"
	}
	if in.Timezone == "" {
		in.Timezone = zone.Name()
	}
	if in.EveryMonths == 0 {
		in.EveryMonths = 2
	}
	requiredText(fe, "title", in.Title, 200)
	maxText(fe, "organiser_team", in.OrganiserTeam, 200)
	maxText(fe, "description", in.Description, 5000)
	maxText(fe, "venue", in.Venue, 200)
	maxText(fe, "address", in.Address, 300)
	maxText(fe, "access_info", in.AccessInfo, 2000)
	if in.Weekday < 1 || in.Weekday > 7 {
		fe["weekday"] = "error.forum_weekday_invalid"
	}
	if in.WeekOfMonth != -1 && (in.WeekOfMonth < 1 || in.WeekOfMonth > 4) {
		fe["week_of_month"] = "error.forum_week_of_month_invalid"
	}
	if in.EveryMonths < 1 || in.EveryMonths > 12 {
		fe["every_months"] = "error.forum_every_months_invalid"
	}
	if _, err := time.Parse("2006-01", in.FirstMonth); err != nil {
		fe["first_month"] = "error.forum_month_invalid"
	}
	start, okStart := clock(in.StartTime)
	end, okEnd := clock(in.EndTime)
	if !okStart {
		fe["start_time"] = "error.forum_time_invalid"
	}
	if !okEnd {
		fe["end_time"] = "error.forum_time_invalid"
	} else if okStart && end <= start {
		fe["end_time"] = "error.forum_ends_before_start"
	}
	if _, err := location(in.Timezone); err != nil {
		fe["timezone"] = "error.forum_timezone_invalid"
	}
	if in.Capacity < 1 || in.Capacity > MaxCapacity {
		fe["capacity"] = "error.forum_capacity_range"
	}
	return fe.Err()
}

func requiredText(fe valid.Errors, field, v string, max int) {
	if v == "" {
		fe[field] = "error.required"
	} else {
		maxText(fe, field, v, max)
	}
}

func maxText(fe valid.Errors, field, v string, max int) {
	if tooLong(v, max) {
		fe[field] = "error.too_long"
	}
}

// clock reads "HH:MM" as minutes after midnight.
func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

const seriesColumns = `id, title, organiser_team, description, weekday, week_of_month, every_months, first_month,
	start_time, end_time, timezone, venue, address, access_info, capacity, created_at, updated_at`

func scanSeries(row interface{ Scan(...any) error }) (*Series, error) {
	x := &Series{}
	err := row.Scan(&x.ID, &x.Title, &x.OrganiserTeam, &x.Description, &x.Weekday, &x.WeekOfMonth, &x.EveryMonths, &x.FirstMonth,
		&x.StartTime, &x.EndTime, &x.Timezone, &x.Venue, &x.Address, &x.AccessInfo, &x.Capacity, &x.CreatedAt, &x.UpdatedAt)
	if err != nil {
		return nil, store.Map(err)
	}
	return x, nil
}

// CreateSeries validates in and inserts the series.
func CreateSeries(ctx context.Context, q store.Querier, in SeriesInput) (*Series, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := store.Now()
	id := store.NewID()
	_, err := q.ExecContext(ctx, `INSERT INTO forum_series (`+seriesColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)`,
		id, in.Title, in.OrganiserTeam, in.Description, in.Weekday, in.WeekOfMonth, in.EveryMonths, in.FirstMonth,
		in.StartTime, in.EndTime, in.Timezone, in.Venue, in.Address, in.AccessInfo, in.Capacity, now)
	if err != nil {
		return nil, store.Map(err)
	}
	return GetSeries(ctx, q, id)
}

// UpdateSeries validates in and replaces the series' values. Forums
// already created from it keep theirs.
func UpdateSeries(ctx context.Context, q store.Querier, id string, in SeriesInput) (*Series, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	res, err := q.ExecContext(ctx, `UPDATE forum_series SET title = $1, organiser_team = $2, description = $3, weekday = $4,
		week_of_month = $5, every_months = $6, first_month = $7, start_time = $8, end_time = $9, timezone = $10, venue = $11,
		address = $12, access_info = $13, capacity = $14, updated_at = $15 WHERE id = $16`,
		in.Title, in.OrganiserTeam, in.Description, in.Weekday, in.WeekOfMonth, in.EveryMonths, in.FirstMonth,
		in.StartTime, in.EndTime, in.Timezone, in.Venue, in.Address, in.AccessInfo, in.Capacity, store.Now(), id)
	if err := affected(res, err); err != nil {
		return nil, err
	}
	return GetSeries(ctx, q, id)
}

// affected maps an UPDATE or DELETE that touched no row to ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return store.Map(err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// GetSeries loads a series.
func GetSeries(ctx context.Context, q store.Querier, id string) (*Series, error) {
	return scanSeries(q.QueryRowContext(ctx, `SELECT `+seriesColumns+` FROM forum_series WHERE id = $1`, id))
}

// ListSeries returns every series by title.
func ListSeries(ctx context.Context, q store.Querier) ([]*Series, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+seriesColumns+` FROM forum_series ORDER BY title, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Series
	for rows.Next() {
		x, err := scanSeries(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Occurrence is one date a series proposes, in UTC.
type Occurrence struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

// NextDates proposes the series' next n dates starting after from: in each
// month of the cycle (FirstMonth, then every EveryMonths months, before
// and after it), the WeekOfMonth-th Weekday (or the last one for -1), from
// StartTime to EndTime in the series' timezone, daylight saving included.
// "Third Tuesday every 2 months from 2026-01" gives the third Tuesdays of
// January, March, May... Months before FirstMonth count back in the same
// rhythm. NextDates returns nothing when the series is invalid.
func (x *Series) NextDates(from time.Time, n int) []Occurrence {
	loc, err := location(x.Timezone)
	first, errMonth := time.Parse("2006-01", x.FirstMonth)
	start, ok1 := clock(x.StartTime)
	end, ok2 := clock(x.EndTime)
	if err != nil || errMonth != nil || !ok1 || !ok2 || x.EveryMonths < 1 || x.Weekday < 1 || x.Weekday > 7 ||
		(x.WeekOfMonth != -1 && (x.WeekOfMonth < 1 || x.WeekOfMonth > 4)) {
		return nil
	}
	// The cycle's month nearest before from's month (in the series' zone).
	local := from.In(loc)
	months := (local.Year()-first.Year())*12 + int(local.Month()-first.Month())
	k := months / x.EveryMonths
	if months < 0 && months%x.EveryMonths != 0 {
		k-- // floor division
	}
	var out []Occurrence
	for i := k; len(out) < n && i < k+12*1000; i++ {
		m := time.Date(first.Year(), first.Month()+time.Month(i*x.EveryMonths), 1, 0, 0, 0, 0, loc)
		day := nthWeekday(m.Year(), m.Month(), x.Weekday, x.WeekOfMonth, loc)
		s := time.Date(m.Year(), m.Month(), day, start/60, start%60, 0, 0, loc)
		e := time.Date(m.Year(), m.Month(), day, end/60, end%60, 0, 0, loc)
		if s.After(from) {
			out = append(out, Occurrence{StartsAt: s.UTC(), EndsAt: e.UTC()})
		}
	}
	return out
}

// nthWeekday is the day of the month of the nth ISO weekday (-1: last).
func nthWeekday(year int, month time.Month, isoWeekday, nth int, loc *time.Location) int {
	want := time.Weekday(isoWeekday % 7)
	if nth > 0 {
		first := time.Date(year, month, 1, 12, 0, 0, 0, loc).Weekday()
		return 1 + (int(want)-int(first)+7)%7 + 7*(nth-1)
	}
	lastDay := time.Date(year, month+1, 0, 12, 0, 0, 0, loc)
	return lastDay.Day() - (int(lastDay.Weekday())-int(want)+7)%7
}

// ForumInput is the input of a forum on the occurrence o of the series,
// with the series' defaults.
func (x *Series) ForumInput(o Occurrence) ForumInput {
	return ForumInput{
		SeriesID: x.ID, Title: x.Title, Description: x.Description, StartsAt: o.StartsAt, EndsAt: o.EndsAt,
		Timezone: x.Timezone, Venue: x.Venue, Address: x.Address, AccessInfo: x.AccessInfo, Capacity: x.Capacity,
	}
}

// seriesExists tells whether a series exists.
func seriesExists(ctx context.Context, q store.Querier, id string) (bool, error) {
	_, err := GetSeries(ctx, q, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
