package web

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
)

// apiForumBody is a forum's public answer: its fields, its seats and its
// published agenda. No personal data.
type apiForumBody struct {
	*forum.Forum
	Seats         forum.Availability  `json:"seats"`
	SeatsLeft     int                 `json:"seats_left"`
	WaitlistOpen  bool                `json:"waitlist_open"`
	Agenda        []*forum.AgendaItem `json:"agenda"`
	Organisations []string            `json:"participating_organisations"`
	URL           string              `json:"url"`
}

func (s *Server) apiForumAnswer(r *http.Request, f *forum.Forum) (apiForumBody, error) {
	b := apiForumBody{Forum: f, Agenda: []*forum.AgendaItem{}, URL: forum.ForumURL(s.cfg.BaseURL, f.ID)}
	var err error
	if b.Seats, err = forum.Seats(r.Context(), s.db, f); err != nil {
		return b, err
	}
	b.SeatsLeft = b.Seats.SeatsLeft
	b.WaitlistOpen = f.Status == forum.StatusOpen && b.Seats.SeatsLeft == 0
	if f.AgendaPublishedAt != nil {
		items, err := forum.Agenda(r.Context(), s.db, f.ID)
		if err != nil {
			return b, err
		}
		if items != nil {
			b.Agenda = items
		}
	}
	b.Organisations, err = forum.ParticipatingOrganisations(r.Context(), s.db, f.ID)
	return b, err
}

// apiLoadForum loads the {id} forum; drafts are for organisers only.
func (s *Server) apiLoadForum(w http.ResponseWriter, r *http.Request) (*forum.Forum, bool) {
	f, err := forum.GetForum(r.Context(), s.db, r.PathValue("id"))
	if err == nil && f.Status == forum.StatusDraft && !isOrganiser(r) {
		err = store.ErrNotFound
	}
	if err != nil {
		s.apiDomainError(w, r, err)
		return nil, false
	}
	return f, true
}

// apiForumError answers a forum refusal (409 for a conflict of state,
// 422 for a refusal of the request) or any other domain error.
func (s *Server) apiForumError(w http.ResponseWriter, r *http.Request, err error) {
	var dup *forum.AlreadyRegisteredError
	if errors.As(err, &dup) {
		lang := state(r).Lang
		writeJSON(w, http.StatusConflict, map[string]any{
			"error":  apiErrorDetail{Code: "already_registered", Message: s.i18n.T(lang, forum.ErrorKey(err))},
			"status": dup.Status, "waitlist_position": dup.WaitlistPosition,
		})
		return
	}
	if k := refusalKey(err); k != "" {
		code := strings.TrimPrefix(strings.TrimPrefix(k, "error."), "forum_")
		status := http.StatusUnprocessableEntity
		switch {
		case errors.Is(err, forum.ErrInvalidToken):
			status = http.StatusForbidden
		case errors.Is(err, forum.ErrInvalidTransition), errors.Is(err, forum.ErrAlreadyVoted), errors.Is(err, forum.ErrNotActive),
			errors.Is(err, forum.ErrNotConfirmed), errors.Is(err, forum.ErrNotWaitlisted):
			status = http.StatusConflict
		case errors.Is(err, forum.ErrNotVoter):
			status = http.StatusForbidden
		}
		s.apiError(w, r, status, code, k, nil)
		return
	}
	s.apiDomainError(w, r, err)
}

func (s *Server) apiSeriesList(w http.ResponseWriter, r *http.Request) {
	all, err := forum.ListSeries(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(all))
	for _, x := range all {
		out = append(out, map[string]any{"series": x, "next_dates": x.NextDates(store.Now(), 3)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"series": out})
}

func (s *Server) apiSeriesCreate(w http.ResponseWriter, r *http.Request) {
	var in forum.SeriesInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusCreated, s.apiForumError, func(tx *sql.Tx) (*forum.Series, error) {
		x, err := forum.CreateSeries(r.Context(), tx, in)
		if err != nil {
			return nil, err
		}
		return x, audit.Record(r.Context(), tx, actor(r), "forum.series.create", "forum_series", x.ID, map[string]string{"title": x.Title})
	})
}

func (s *Server) apiForums(w http.ResponseWriter, r *http.Request) {
	lf := forum.ListFilter{SeriesID: r.URL.Query().Get("series_id"), CommitmentID: r.URL.Query().Get("commitment_id")}
	if !isOrganiser(r) {
		lf.Statuses = publicStatuses
	}
	all, err := forum.ListForums(r.Context(), s.db, lf)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if all == nil {
		all = []*forum.Forum{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"forums": all})
}

func (s *Server) apiForum(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	b, err := s.apiForumAnswer(r, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) apiForumCreate(w http.ResponseWriter, r *http.Request) {
	var in forum.ForumInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	var f *forum.Forum
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if f, err = forum.CreateForum(r.Context(), tx, in); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.create", "forum", f.ID, map[string]string{"title": f.Title})
	})
	if err != nil {
		s.apiForumError(w, r, err)
		return
	}
	b, err := s.apiForumAnswer(r, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, b)
}

// apiForumPatch changes the fields present in the body only.
func (s *Server) apiForumPatch(w http.ResponseWriter, r *http.Request) {
	cur, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	in := cur.Input()
	if !s.decodeJSON(w, r, &in) {
		return
	}
	var f *forum.Forum
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if f, err = s.forum().UpdateForum(r.Context(), tx, cur.ID, in); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.update", "forum", cur.ID, in)
	})
	if err != nil {
		s.apiForumError(w, r, err)
		return
	}
	b, err := s.apiForumAnswer(r, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) apiForumStatus(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.apiLoadForum(w, r)
		if !ok {
			return
		}
		if err := s.setStatus(r, f.ID, to); err != nil {
			s.apiForumError(w, r, err)
			return
		}
		f, err := forum.GetForum(r.Context(), s.db, f.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		b, err := s.apiForumAnswer(r, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, b)
	}
}
