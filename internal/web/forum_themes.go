package web

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
)

// themePropose records a theme proposed from the forum page (members) or
// from a registrant's own page.
func (s *Server) themePropose(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	v, back, ok := s.voter(w, r, f.ID)
	if !ok {
		return
	}
	in := forum.ThemeInput{Title: r.PostForm.Get("title"), Description: r.PostForm.Get("description")}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		t, err := forum.ProposeTheme(r.Context(), tx, f.ID, v, in)
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.theme.propose", "forum_theme", t.ID, nil)
	})
	s.themeDone(w, r, back, "theme", err)
}

func (s *Server) themeVote(w http.ResponseWriter, r *http.Request) {
	t, err := forum.GetTheme(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v, back, ok := s.voter(w, r, t.ForumID)
	if !ok {
		return
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := forum.Vote(r.Context(), tx, t.ID, v); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.theme.vote", "forum_theme", t.ID, nil)
	})
	s.themeDone(w, r, back, "voted", err)
}

// voter finds who acts and where to return; it answers itself when the
// visitor is neither signed in nor a registrant with a valid link.
func (s *Server) voter(w http.ResponseWriter, r *http.Request, forumID string) (forum.Voter, string, bool) {
	if u := state(r).User; u != nil {
		return forum.Voter{UserID: u.ID}, "/forums/" + forumID, true
	}
	id, token := r.PostForm.Get("registration"), r.PostForm.Get("token")
	reg, err := forum.RegistrationByToken(r.Context(), s.db, id, token)
	if err != nil || reg.ForumID != forumID {
		if err != nil && !errors.Is(err, forum.ErrInvalidToken) {
			s.serverError(w, r, err)
			return forum.Voter{}, "", false
		}
		seeOther(w, r, "/sign-in?next="+safeNext("/forums/"+forumID))
		return forum.Voter{}, "", false
	}
	return forum.Voter{RegistrationID: reg.ID}, "/registrations/" + reg.ID + "?token=" + url.QueryEscape(token), true
}

func (s *Server) themeDone(w http.ResponseWriter, r *http.Request, back, done string, err error) {
	sep := "?"
	if u, e := url.Parse(back); e == nil && u.RawQuery != "" {
		sep = "&"
	}
	switch {
	case err == nil:
		seeOther(w, r, back+sep+"done="+done+"#themes")
	case refusalKey(err) != "":
		seeOther(w, r, back+sep+"refused="+refusalKey(err)[len("error."):]+"#themes")
	default:
		if _, ok := fieldErrors(err); ok {
			seeOther(w, r, back+sep+"refused=forumweb_theme_title#themes")
			return
		}
		s.serverError(w, r, err)
	}
}
