package web

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
)

// seriesRow is a series with the dates it proposes next.
type seriesRow struct {
	X     *forum.Series
	Dates []seriesDate
}

type seriesDate struct {
	Value string // RFC 3339 start, for the form
	Label string
}

func (s *Server) seriesList(w http.ResponseWriter, r *http.Request) {
	all, err := forum.ListSeries(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var rows []seriesRow
	now := store.Now()
	for _, x := range all {
		row := seriesRow{X: x}
		loc, err := time.LoadLocation(x.Timezone)
		if err != nil {
			loc = s.zone()
		}
		for _, o := range x.NextDates(now, 3) {
			row.Dates = append(row.Dates, seriesDate{Value: o.StartsAt.Format(time.RFC3339),
				Label: o.StartsAt.In(loc).Format("02/01/2006 15:04") + "–" + o.EndsAt.In(loc).Format("15:04")})
		}
		rows = append(rows, row)
	}
	p := s.page(r, rows)
	if r.URL.Query().Get("done") == "saved" {
		p.Notice = p.T("forumweb.series.saved")
	}
	s.render(w, r, http.StatusOK, "series_list", p)
}

type seriesFormData struct {
	Action string
	Edit   bool
}

func (s *Server) seriesNew(w http.ResponseWriter, r *http.Request) {
	form := url.Values{"weekday": {"2"}, "week_of_month": {"3"}, "every_months": {"2"}, "start_time": {"17:00"},
		"end_time": {"19:00"}, "capacity": {"80"}, "first_month": {store.Now().In(s.zone()).Format("2006-01")}}
	s.renderSeriesForm(w, r, http.StatusOK, seriesFormData{Action: "/series"}, form, nil)
}

func (s *Server) renderSeriesForm(w http.ResponseWriter, r *http.Request, status int, d seriesFormData, form url.Values, err error) {
	p := s.page(r, d)
	p.Form = form
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, fe)
	}
	s.render(w, r, status, "series_form", p)
}

func seriesInput(f url.Values) forum.SeriesInput {
	atoi := func(k string) int { n, _ := strconv.Atoi(f.Get(k)); return n }
	return forum.SeriesInput{
		Title: f.Get("title"), OrganiserTeam: f.Get("organiser_team"), Description: f.Get("description"),
		Weekday: atoi("weekday"), WeekOfMonth: atoi("week_of_month"), EveryMonths: atoi("every_months"),
		FirstMonth: f.Get("first_month"), StartTime: f.Get("start_time"), EndTime: f.Get("end_time"),
		Venue: f.Get("venue"), Address: f.Get("address"), AccessInfo: f.Get("access_info"), Capacity: atoi("capacity"),
	}
}

func (s *Server) seriesCreate(w http.ResponseWriter, r *http.Request) {
	in := seriesInput(r.PostForm)
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		x, err := forum.CreateSeries(r.Context(), tx, in)
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.series.create", "forum_series", x.ID, map[string]string{"title": x.Title})
	})
	if _, ok := fieldErrors(err); ok {
		s.renderSeriesForm(w, r, http.StatusUnprocessableEntity, seriesFormData{Action: "/series"}, r.PostForm, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seeOther(w, r, "/series?done=saved")
}

func (s *Server) seriesEdit(w http.ResponseWriter, r *http.Request) {
	x, err := forum.GetSeries(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	form := url.Values{
		"title": {x.Title}, "organiser_team": {x.OrganiserTeam}, "description": {x.Description},
		"weekday": {strconv.Itoa(x.Weekday)}, "week_of_month": {strconv.Itoa(x.WeekOfMonth)}, "every_months": {strconv.Itoa(x.EveryMonths)},
		"first_month": {x.FirstMonth}, "start_time": {x.StartTime}, "end_time": {x.EndTime}, "venue": {x.Venue},
		"address": {x.Address}, "access_info": {x.AccessInfo}, "capacity": {strconv.Itoa(x.Capacity)},
	}
	s.renderSeriesForm(w, r, http.StatusOK, seriesFormData{Action: "/series/" + x.ID + "/edit", Edit: true}, form, nil)
}

func (s *Server) seriesUpdate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	in := seriesInput(r.PostForm)
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := forum.UpdateSeries(r.Context(), tx, id, in); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.series.update", "forum_series", id, nil)
	})
	if _, ok := fieldErrors(err); ok {
		s.renderSeriesForm(w, r, http.StatusUnprocessableEntity, seriesFormData{Action: "/series/" + id + "/edit", Edit: true}, r.PostForm, err)
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seeOther(w, r, "/series?done=saved")
}

// seriesForumCreate creates a draft forum on one of the dates the series
// proposes, with the series' defaults, and opens its form.
func (s *Server) seriesForumCreate(w http.ResponseWriter, r *http.Request) {
	x, err := forum.GetSeries(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	start, err := time.Parse(time.RFC3339, r.PostForm.Get("starts_at"))
	var occ *forum.Occurrence
	if err == nil {
		for _, o := range x.NextDates(start.Add(-time.Minute), 1) {
			if o.StartsAt.Equal(start) {
				occ = &o
			}
		}
	}
	if occ == nil {
		s.errorPage(w, r, http.StatusBadRequest)
		return
	}
	var f *forum.Forum
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if f, err = forum.CreateForum(r.Context(), tx, x.ForumInput(*occ)); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.create", "forum", f.ID, map[string]string{"series": x.ID})
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seeOther(w, r, "/forums/"+f.ID+"/edit?done=created")
}

// WeekdayOptions lists the ISO weekdays, translated.
func (p *Page) WeekdayOptions() []Option {
	var out []Option
	for d := 1; d <= 7; d++ {
		out = append(out, Option{Value: strconv.Itoa(d), Label: p.T("forum.weekday." + strconv.Itoa(d))})
	}
	return out
}

// WeekOfMonthOptions lists the weeks of the month a series may take.
func (p *Page) WeekOfMonthOptions() []Option {
	out := []Option{}
	for _, w := range []string{"1", "2", "3", "4"} {
		out = append(out, Option{Value: w, Label: p.T("forum.week_of_month." + w)})
	}
	return append(out, Option{Value: "-1", Label: p.T("forum.week_of_month.last")})
}
