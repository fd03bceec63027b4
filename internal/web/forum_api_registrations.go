package web

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
)

// apiRegistrationBody is the registration request of the API: the form's
// fields, with "needs" for the accessibility needs.
type apiRegistrationBody struct {
	forum.RegistrationInput
	Needs string `json:"needs"`
}

// apiRegister registers someone (public while the forum is open): 201
// with the status, the waiting position and the manage token; 409 with
// the existing status for an address already registered; 422 otherwise.
//
// The registration reads the forum under its lock, so a registration that
// succeeds loads it once; the forum is looked up beforehand only on the
// way out of a refusal, so that a forum that does not exist (or a draft,
// for all but organisers) answers 404 whatever else is wrong.
func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) {
	var body apiRegistrationBody
	var seen bytes.Buffer
	if err := json.NewDecoder(io.TeeReader(r.Body, &seen)).Decode(&body); err != nil {
		if _, ok := s.apiLoadForum(w, r); !ok {
			return
		}
		// decodeJSON answers the error, reading the same bytes again.
		r.Body = io.NopCloser(io.MultiReader(&seen, r.Body))
		if s.decodeJSON(w, r, &apiRegistrationBody{}) {
			s.apiError(w, r, http.StatusBadRequest, "bad_json", "error.bad_json", nil)
		}
		return
	}
	in := body.RegistrationInput
	if in.Accessibility == "" {
		in.Accessibility = body.Needs
	}
	if in.Language == "" {
		in.Language = state(r).Lang
	}
	reg, token, err := s.register(r, r.PathValue("id"), in)
	if err != nil {
		if _, ok := s.apiLoadForum(w, r); ok {
			s.apiForumError(w, r, err)
		}
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": reg.ID, "status": reg.Status, "waitlist_position": reg.WaitlistPosition, "manage_token": token,
		"manage_url": forum.ManageURL(s.cfg.BaseURL, reg.ID, token),
	})
}

// apiRegistrations lists a forum's registrations (organisers), with
// ?status= and ?q=.
func (s *Server) apiRegistrations(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	regs, err := forum.ListRegistrations(r.Context(), s.db, f.ID, forum.RegistrationFilter{Status: q.Get("status"), Query: q.Get("q")})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seats, err := forum.Seats(r.Context(), s.db, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if regs == nil {
		regs = []*forum.Registration{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"registrations": regs, "seats": seats})
}

// apiRegistrationCancel cancels with the manage token (?token=), or by an
// organiser's decision. A wrong token changes nothing.
func (s *Server) apiRegistrationCancel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	token := r.URL.Query().Get("token")
	reg, err := forum.GetRegistration(r.Context(), s.db, id)
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	if token == "" && !isOrganiser(r) {
		if state(r).User == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ogforum"`)
			s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "error.unauthorized", nil)
		} else {
			s.apiError(w, r, http.StatusForbidden, "forbidden", "error.forbidden", nil)
		}
		return
	}
	var promoted []*forum.Registration
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if token != "" {
			reg, promoted, err = s.forum().CancelRegistration(r.Context(), tx, id, token)
		} else {
			reg, promoted, err = s.forum().Remove(r.Context(), tx, id)
		}
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.registration.cancel", "registration", id, map[string]int{"promoted": len(promoted)})
	})
	if err != nil {
		s.apiForumError(w, r, err)
		return
	}
	ids := []string{}
	for _, p := range promoted {
		ids = append(ids, p.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": reg.ID, "status": reg.Status, "promoted": ids})
}

func (s *Server) apiCheckIn(w http.ResponseWriter, r *http.Request) {
	reg, err := forum.GetRegistration(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if reg, err = forum.CheckIn(r.Context(), tx, reg.ForumID, reg.ID); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.checkin", "registration", reg.ID, nil)
	})
	if err != nil {
		s.apiForumError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reg)
}

func (s *Server) apiThemes(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	themes, err := forum.ListThemes(r.Context(), s.db, f.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if themes == nil {
		themes = []*forum.Theme{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"themes": themes})
}

// apiVoter is who proposes or votes through the API: the signed-in user,
// or a registrant with their manage token.
type apiVoter struct {
	RegistrationID string `json:"registration_id"`
	Token          string `json:"token"`
}

func (s *Server) apiVoterOf(w http.ResponseWriter, r *http.Request, v apiVoter, forumID string) (forum.Voter, bool) {
	if u := state(r).User; u != nil {
		return forum.Voter{UserID: u.ID}, true
	}
	reg, err := forum.RegistrationByToken(r.Context(), s.db, v.RegistrationID, v.Token)
	if err == nil && reg.ForumID != forumID {
		err = forum.ErrInvalidToken
	}
	if errors.Is(err, forum.ErrInvalidToken) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ogforum"`)
		s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "error.forum_not_voter", nil)
		return forum.Voter{}, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return forum.Voter{}, false
	}
	return forum.Voter{RegistrationID: reg.ID}, true
}

func (s *Server) apiThemePropose(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	var body struct {
		forum.ThemeInput
		apiVoter
	}
	if !s.decodeJSON(w, r, &body) {
		return
	}
	v, ok := s.apiVoterOf(w, r, body.apiVoter, f.ID)
	if !ok {
		return
	}
	apiTx(s, w, r, http.StatusCreated, s.apiForumError, func(tx *sql.Tx) (*forum.Theme, error) {
		t, err := forum.ProposeTheme(r.Context(), tx, f.ID, v, body.ThemeInput)
		if err != nil {
			return nil, err
		}
		return t, audit.Record(r.Context(), tx, actor(r), "forum.theme.propose", "forum_theme", t.ID, nil)
	})
}

func (s *Server) apiThemeVote(w http.ResponseWriter, r *http.Request) {
	t, err := forum.GetTheme(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	if f, err := forum.GetForum(r.Context(), s.db, t.ForumID); err != nil || (f.Status == forum.StatusDraft && !isOrganiser(r)) {
		s.apiDomainError(w, r, store.ErrNotFound)
		return
	}
	var body apiVoter
	if !s.decodeJSON(w, r, &body) {
		return
	}
	v, ok := s.apiVoterOf(w, r, body, t.ForumID)
	if !ok {
		return
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := forum.Vote(r.Context(), tx, t.ID, v); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.theme.vote", "forum_theme", t.ID, nil)
	})
	if err != nil {
		s.apiForumError(w, r, err)
		return
	}
	if t, err = forum.GetTheme(r.Context(), s.db, t.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}
