package forum_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/valid"
)

func TestNextDates(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	day := func(s string) time.Time { d, _ := time.ParseInLocation("2006-01-02 15:04", s, paris); return d }
	cases := []struct {
		name   string
		series forum.Series
		from   time.Time
		want   []string // local start times
	}{
		{"third Tuesday every 2 months from January",
			forum.Series{Weekday: 2, WeekOfMonth: 3, EveryMonths: 2, FirstMonth: "2026-01"},
			day("2026-02-01 00:00"), []string{"2026-03-17 17:00", "2026-05-19 17:00", "2026-07-21 17:00", "2026-09-15 17:00"}},
		{"the day itself, before and after the start",
			forum.Series{Weekday: 2, WeekOfMonth: 3, EveryMonths: 2, FirstMonth: "2026-01"},
			day("2026-03-17 16:59"), []string{"2026-03-17 17:00", "2026-05-19 17:00"}},
		{"after the start of the day's forum",
			forum.Series{Weekday: 2, WeekOfMonth: 3, EveryMonths: 2, FirstMonth: "2026-01"},
			day("2026-03-17 17:00"), []string{"2026-05-19 17:00"}},
		{"last Thursday every 3 months, across the year",
			forum.Series{Weekday: 4, WeekOfMonth: -1, EveryMonths: 3, FirstMonth: "2026-02"},
			day("2026-09-01 00:00"), []string{"2026-11-26 17:00", "2027-02-25 17:00", "2027-05-27 17:00"}},
		{"first Monday, cycle counted back before its first month",
			forum.Series{Weekday: 1, WeekOfMonth: 1, EveryMonths: 2, FirstMonth: "2027-01"},
			day("2026-06-10 00:00"), []string{"2026-07-06 17:00", "2026-09-07 17:00"}},
		{"fourth Sunday",
			forum.Series{Weekday: 7, WeekOfMonth: 4, EveryMonths: 1, FirstMonth: "2026-03"},
			day("2026-03-01 00:00"), []string{"2026-03-22 17:00", "2026-04-26 17:00"}},
	}
	for _, c := range cases {
		s := c.series
		s.StartTime, s.EndTime, s.Timezone = "17:00", "19:00", "Europe/Paris"
		got := s.NextDates(c.from, len(c.want))
		if len(got) != len(c.want) {
			t.Errorf("%s: %d dates, want %d", c.name, len(got), len(c.want))
			continue
		}
		for i, o := range got {
			if l := o.StartsAt.In(paris).Format("2006-01-02 15:04"); l != c.want[i] {
				t.Errorf("%s: date %d is %s, want %s", c.name, i, l, c.want[i])
			}
			if o.EndsAt.Sub(o.StartsAt) != 2*time.Hour || o.StartsAt.Location() != time.UTC {
				t.Errorf("%s: %v – %v", c.name, o.StartsAt, o.EndsAt)
			}
		}
	}
	bad := forum.Series{Weekday: 9, WeekOfMonth: 1, EveryMonths: 1, FirstMonth: "2026-01", StartTime: "17:00", EndTime: "19:00", Timezone: "Europe/Paris"}
	if got := bad.NextDates(time.Now(), 3); len(got) != 0 {
		t.Errorf("invalid series proposes %v", got)
	}
}

func TestSeriesAndForumValidation(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := forum.CreateSeries(ctx, db, forum.SeriesInput{Weekday: 8, WeekOfMonth: 5, EveryMonths: 13, FirstMonth: "2026-13",
			StartTime: "19:00", EndTime: "17:00", Timezone: "Mars/Olympus", Capacity: 0})
		var fe valid.Errors
		if !errors.As(err, &fe) {
			t.Fatalf("invalid series: %v", err)
		}
		for field, key := range map[string]string{"title": "error.required", "weekday": "error.forum_weekday_invalid",
			"week_of_month": "error.forum_week_of_month_invalid", "every_months": "error.forum_every_months_invalid",
			"first_month": "error.forum_month_invalid", "end_time": "error.forum_ends_before_start",
			"timezone": "error.forum_timezone_invalid", "capacity": "error.forum_capacity_range"} {
			if fe[field] != key {
				t.Errorf("series %s: %q, want %q", field, fe[field], key)
			}
		}
		x, err := forum.CreateSeries(ctx, db, forum.SeriesInput{Title: "Forums du gouvernement ouvert", OrganiserTeam: "Équipe nationale",
			Weekday: 2, WeekOfMonth: 3, FirstMonth: "2026-01", Venue: "Bercy", Capacity: 80})
		if err != nil {
			t.Fatal(err)
		}
		if x.StartTime != "17:00" || x.EndTime != "19:00" || x.Timezone != "Europe/Paris" || x.EveryMonths != 2 {
			t.Errorf("defaults: %+v", x)
		}
		next := x.NextDates(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1)
		f, err := forum.CreateForum(ctx, db, x.ForumInput(next[0]))
		if err != nil {
			t.Fatal(err)
		}
		if f.SeriesID != x.ID || f.Capacity != 80 || f.Status != forum.StatusDraft || !f.StartsAt.Equal(next[0].StartsAt) {
			t.Errorf("forum from series: %+v", f)
		}
		list, err := forum.ListForums(ctx, db, forum.ListFilter{SeriesID: x.ID})
		if err != nil || len(list) != 1 {
			t.Errorf("list by series: %v %v", list, err)
		}

		start := time.Now().Add(48 * time.Hour)
		deadline := start.Add(5 * time.Hour)
		opens := start.Add(6 * time.Hour)
		_, err = forum.CreateForum(ctx, db, forum.ForumInput{StartsAt: start, EndsAt: start.Add(-time.Hour), Capacity: -1,
			CivilSocietyShare: 101, MaxPerOrganisation: -1, VideoURL: "javascript:alert(1)", SeriesID: "nope", Timezone: "Nowhere"})
		if !errors.As(err, &fe) {
			t.Fatalf("invalid forum: %v", err)
		}
		for field, key := range map[string]string{"title": "error.required", "ends_at": "error.forum_ends_before_start",
			"capacity": "error.forum_capacity_range", "civil_society_share": "error.forum_share_range",
			"max_per_organisation": "error.forum_max_per_organisation_range", "video_url": "error.url_invalid",
			"series_id": "error.forum_series_unknown", "timezone": "error.forum_timezone_invalid"} {
			if fe[field] != key {
				t.Errorf("forum %s: %q, want %q", field, fe[field], key)
			}
		}
		_, err = forum.CreateForum(ctx, db, forum.ForumInput{Title: "x", StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 10,
			RegistrationDeadline: &deadline, RegistrationOpensAt: &opens})
		if !errors.As(err, &fe) || fe["registration_deadline"] != "error.forum_deadline_after_end" || fe["registration_opens_at"] != "error.forum_opens_after_deadline" {
			t.Errorf("deadlines: %v", err)
		}
		f, err = forum.CreateForum(ctx, db, forum.ForumInput{Title: "Focus", StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 10,
			CommitmentIDs: []string{"c2", " c1 ", "c2", ""}})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.CommitmentIDs) != 2 || f.CommitmentIDs[0] != "c1" || f.CommitmentIDs[1] != "c2" {
			t.Errorf("commitments %v", f.CommitmentIDs)
		}
		list, err = forum.ListForums(ctx, db, forum.ListFilter{CommitmentID: "c1", Statuses: []string{forum.StatusDraft}})
		if err != nil || len(list) != 1 || list[0].ID != f.ID {
			t.Errorf("list by commitment: %v %v", list, err)
		}
	})
}

// Allowed status changes only; cancelling mails every active registrant,
// in their language, with a calendar file that cancels the event.
func TestStatusAndCancellation(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 2, nil)
		confirmed, _ := mustRegister(t, db, s, f.ID, person(1))
		en := person(2)
		en.Language = "en"
		english, _ := mustRegister(t, db, s, f.ID, en)
		waiting, _ := mustRegister(t, db, s, f.ID, person(3))
		gone, gtoken := mustRegister(t, db, s, f.ID, person(4))
		tx(t, db, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, gone.ID, gtoken); return err })

		setStatus := func(to string) error {
			return db.Tx(ctx, func(tx *sql.Tx) error { _, err := s.SetStatus(ctx, tx, f.ID, to); return err })
		}
		if err := setStatus(forum.StatusReported); !errors.Is(err, forum.ErrInvalidTransition) {
			t.Errorf("open → reported: %v", err)
		}
		if err := setStatus(forum.StatusDraft); !errors.Is(err, forum.ErrInvalidTransition) {
			t.Errorf("open → draft: %v", err)
		}
		if err := setStatus(forum.StatusClosed); err != nil {
			t.Fatal(err)
		}
		before := map[string]int{}
		for _, r := range []*forum.Registration{confirmed, english, waiting, gone} {
			before[r.Email] = len(mailsTo(t, db, r.Email))
		}
		if err := setStatus(forum.StatusCancelled); err != nil {
			t.Fatal(err)
		}
		for _, r := range []*forum.Registration{confirmed, english, waiting} {
			ms := mailsTo(t, db, r.Email)
			if len(ms) != before[r.Email]+1 {
				t.Fatalf("%s: %d cancellation mails", r.Email, len(ms)-before[r.Email])
			}
			m := ms[len(ms)-1]
			want := "Forum annulé"
			if r.Language == "en" {
				want = "Forum cancelled"
			}
			if m.Subject != want+" : "+f.Title && m.Subject != want+": "+f.Title {
				t.Errorf("%s: subject %q", r.Email, m.Subject)
			}
			if r.Status == forum.Confirmed && (len(m.Attach) != 1 || !strings.Contains(string(m.Attach[0].Data), "STATUS:CANCELLED")) {
				t.Errorf("%s: no cancelling calendar file", r.Email)
			}
		}
		if n := len(mailsTo(t, db, gone.Email)); n != before[gone.Email] {
			t.Errorf("a cancelled registrant got %d mails", n-before[gone.Email])
		}
		if err := setStatus(forum.StatusOpen); !errors.Is(err, forum.ErrInvalidTransition) {
			t.Errorf("cancelled → open: %v", err)
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error { _, err := s.UpdateForum(ctx, tx, f.ID, f.Input()); return err })
		if !errors.Is(err, forum.ErrCancelled) {
			t.Errorf("editing a cancelled forum: %v", err)
		}
		// held → reported
		g := newForum(t, db, s, 2, nil)
		for _, to := range []string{forum.StatusHeld, forum.StatusReported} {
			if err := db.Tx(ctx, func(tx *sql.Tx) error { _, err := s.SetStatus(ctx, tx, g.ID, to); return err }); err != nil {
				t.Errorf("→ %s: %v", to, err)
			}
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { _, err := s.Cancel(ctx, tx, g.ID); return err }); !errors.Is(err, forum.ErrInvalidTransition) {
			t.Errorf("reported → cancelled: %v", err)
		}
	})
}
