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
	"github.com/ogforum/ogforum/internal/valid"
)

type forumFormData struct {
	Action string
	F      *forum.Forum // nil for a new forum
	Series []Option
}

func (s *Server) seriesOptions(r *http.Request) ([]Option, error) {
	all, err := forum.ListSeries(r.Context(), s.db)
	if err != nil {
		return nil, err
	}
	out := []Option{{Value: "", Label: s.i18n.T(state(r).Lang, "forumweb.form.no_series")}}
	for _, x := range all {
		out = append(out, Option{Value: x.ID, Label: x.Title})
	}
	return out, nil
}

func (s *Server) renderForumForm(w http.ResponseWriter, r *http.Request, status int, d forumFormData, form url.Values, err error) {
	var e error
	if d.Series, e = s.seriesOptions(r); e != nil {
		s.serverError(w, r, e)
		return
	}
	p := s.page(r, d)
	p.Form = form
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, fe)
	} else if k := refusalKey(err); k != "" {
		p.Errors = map[string]string{"title": p.T(k)}
	}
	switch r.URL.Query().Get("done") {
	case "created":
		p.Notice = p.T("forumweb.form.created")
	case "saved":
		p.Notice = p.T("forumweb.form.saved")
	}
	s.render(w, r, status, "forum_form", p)
}

// forumForm is the form's values of a forum (times in its zone, or in
// loc when its zone is unknown).
func forumForm(in forum.ForumInput, loc *time.Location) url.Values {
	if l, err := time.LoadLocation(in.Timezone); err == nil && in.Timezone != "" {
		loc = l
	}
	v := url.Values{
		"series_id": {in.SeriesID}, "title": {in.Title}, "description": {in.Description},
		"starts_at": {localInput(&in.StartsAt, loc)}, "ends_at": {localInput(&in.EndsAt, loc)},
		"venue": {in.Venue}, "address": {in.Address}, "access_info": {in.AccessInfo}, "video_url": {in.VideoURL},
		"capacity": {strconv.Itoa(in.Capacity)}, "registration_opens_at": {localInput(in.RegistrationOpensAt, loc)},
		"registration_deadline": {localInput(in.RegistrationDeadline, loc)},
		"civil_society_share":   {strconv.Itoa(in.CivilSocietyShare)}, "max_per_organisation": {strconv.Itoa(in.MaxPerOrganisation)},
		"commitment_ids": {joinComma(in.CommitmentIDs)}, "timezone": {in.Timezone},
	}
	if in.InvitationOnly {
		v.Set("invitation_only", "1")
	}
	return v
}

func joinComma(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		out += id
	}
	return out
}

// forumInput reads the forum form; times are local to the forum's zone
// (the team's zone def by default). Unreadable dates and numbers are
// field errors.
func forumInput(r *http.Request, def *time.Location) (forum.ForumInput, valid.Errors) {
	f := r.PostForm
	fe := valid.Errors{}
	tz := f.Get("timezone")
	if tz == "" {
		tz = def.String()
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc, fe["timezone"] = def, "error.forum_timezone_invalid"
	}
	in := forum.ForumInput{
		SeriesID: f.Get("series_id"), Title: f.Get("title"), Description: f.Get("description"), Timezone: tz,
		Venue: f.Get("venue"), Address: f.Get("address"), AccessInfo: f.Get("access_info"), VideoURL: f.Get("video_url"),
		InvitationOnly: f.Get("invitation_only") == "1", CommitmentIDs: values(r, "commitment_ids"),
	}
	for _, t := range []struct {
		name string
		dst  **time.Time
	}{{"registration_opens_at", &in.RegistrationOpensAt}, {"registration_deadline", &in.RegistrationDeadline}} {
		v, ok := parseLocal(f.Get(t.name), loc)
		if !ok {
			fe[t.name] = "error.forumweb_date_invalid"
		}
		*t.dst = v
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"starts_at", &in.StartsAt}, {"ends_at", &in.EndsAt}} {
		v, ok := parseLocal(f.Get(t.name), loc)
		if !ok {
			fe[t.name] = "error.forumweb_date_invalid"
		} else if v != nil {
			*t.dst = *v
		}
	}
	for _, n := range []struct {
		name string
		dst  *int
	}{{"capacity", &in.Capacity}, {"civil_society_share", &in.CivilSocietyShare}, {"max_per_organisation", &in.MaxPerOrganisation}} {
		v := f.Get(n.name)
		if v == "" {
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			fe[n.name] = "error.forumweb_number_invalid"
		}
		*n.dst = i
	}
	return in, fe
}

// forumMergeErrors adds the domain's field errors to the form's own.
func forumMergeErrors(form valid.Errors, err error) error {
	if len(form) == 0 {
		return err
	}
	if fe, ok := fieldErrors(err); ok {
		for k, v := range fe {
			if form[k] == "" {
				form[k] = v
			}
		}
	}
	return form
}

func (s *Server) forumNew(w http.ResponseWriter, r *http.Request) {
	now := store.Now().In(s.zone())
	start := time.Date(now.Year(), now.Month()+1, 15, 17, 0, 0, 0, s.zone())
	in := forum.ForumInput{StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 80, Timezone: s.zone().String(), CivilSocietyShare: 0}
	s.renderForumForm(w, r, http.StatusOK, forumFormData{Action: "/forums"}, forumForm(in, s.zone()), nil)
}

func (s *Server) forumCreate(w http.ResponseWriter, r *http.Request) {
	in, formErr := forumInput(r, s.zone())
	var f *forum.Forum
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if f, err = forum.CreateForum(r.Context(), tx, in); err != nil {
			return forumMergeErrors(formErr, err)
		}
		if len(formErr) > 0 {
			return formErr
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.create", "forum", f.ID, map[string]string{"title": f.Title})
	})
	if _, ok := fieldErrors(err); ok {
		s.renderForumForm(w, r, http.StatusUnprocessableEntity, forumFormData{Action: "/forums"}, r.PostForm, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seeOther(w, r, "/forums/"+f.ID)
}

func (s *Server) forumEdit(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	s.renderForumForm(w, r, http.StatusOK, forumFormData{Action: "/forums/" + f.ID + "/edit", F: f}, forumForm(f.Input(), s.zone()), nil)
}

func (s *Server) forumUpdate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	in, formErr := forumInput(r, s.zone())
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := s.forum().UpdateForum(r.Context(), tx, f.ID, in); err != nil {
			return forumMergeErrors(formErr, err)
		}
		if len(formErr) > 0 {
			return formErr
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.update", "forum", f.ID, nil)
	})
	_, isField := fieldErrors(err)
	switch {
	case err == nil:
		seeOther(w, r, "/forums/"+f.ID)
	case isField || refusalKey(err) != "":
		s.renderForumForm(w, r, http.StatusUnprocessableEntity, forumFormData{Action: "/forums/" + f.ID + "/edit", F: f}, r.PostForm, err)
	default:
		s.serverError(w, r, err)
	}
}

// forumStatus moves a forum to another status (open, close, held,
// reported, cancel: cancelling mails every registrant).
func (s *Server) forumStatus(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	to := r.PostForm.Get("to")
	err := s.setStatus(r, f.ID, to)
	if errors.Is(err, forum.ErrInvalidTransition) {
		s.errorPage(w, r, http.StatusBadRequest)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seeOther(w, r, "/forums/"+f.ID)
}

func (s *Server) setStatus(r *http.Request, forumID, to string) error {
	return s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := s.forum().SetStatus(r.Context(), tx, forumID, to); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.status", "forum", forumID, map[string]string{"status": to})
	})
}
