package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/auth"
)

type signInData struct{ Next string }

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, signInData{Next: localPath(r.URL.Query().Get("next"))})
	s.render(w, r, http.StatusOK, "signin", p)
}

// signInRequest queues a link for the address; the answer is the same
// whether or not the address has an account.
func (s *Server) signInRequest(w http.ResponseWriter, r *http.Request) {
	email := r.FormValue("email")
	err := auth.RequestLink(r.Context(), s.db, email, state(r).Lang, localPath(r.FormValue("next")))
	var fe auth.FieldErrors
	if errors.As(err, &fe) {
		p := s.page(r, signInData{Next: localPath(r.FormValue("next"))})
		p.Form, p.Errors = r.PostForm, s.translateErrors(r, fe)
		s.render(w, r, http.StatusUnprocessableEntity, "signin", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/sign-in/sent", http.StatusSeeOther)
}

func (s *Server) signInSent(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "signin_sent", s.page(r, nil))
}

type confirmData struct {
	Token string
	Next  string
}

// signInConfirm shows a button rather than signing in on GET, so that mail
// scanners that follow links do not use up the single-use link.
func (s *Server) signInConfirm(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, confirmData{Token: r.PathValue("token"), Next: localPath(r.URL.Query().Get("next"))})
	s.render(w, r, http.StatusOK, "signin_confirm", p)
}

func (s *Server) signInRedeem(w http.ResponseWriter, r *http.Request) {
	u, sess, err := auth.RedeemLoginToken(r.Context(), s.db, r.PathValue("token"))
	if errors.Is(err, auth.ErrInvalidToken) {
		p := s.page(r, confirmData{})
		p.Notice = s.i18n.T(state(r).Lang, "signin.link_invalid")
		s.render(w, r, http.StatusGone, "signin_confirm", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// The old session, if any, ends: sign-in always rotates the session.
	if old := state(r).Session; old != nil {
		auth.EndSession(r.Context(), s.db, old.ID)
	}
	audit.Record(r.Context(), s.db, audit.Actor{ID: u.ID, Label: u.Email}, "auth.sign_in", "user", u.ID, nil)
	s.setSessionCookie(w, sess.Cookie)
	next := localPath(r.FormValue("next"))
	if next == "" || next == "/" {
		next = "/account"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) setSessionCookie(w http.ResponseWriter, value string) {
	maxAge := int(auth.SessionLifetime.Seconds())
	if value == "" {
		maxAge = -1
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if sess := state(r).Session; sess != nil {
		if err := auth.EndSession(r.Context(), s.db, sess.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.setSessionCookie(w, "")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	u := state(r).User
	if _, err := auth.EndAllSessions(r.Context(), s.db, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	audit.Record(r.Context(), s.db, actor(r), "auth.sign_out_everywhere", "user", u.ID, nil)
	s.setSessionCookie(w, "")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// localPath keeps a redirect target only if it is a path on this site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return ""
	}
	return p
}

// actor is the signed-in user as the audit log names them.
func actor(r *http.Request) audit.Actor {
	u := state(r).User
	if u == nil {
		return audit.Actor{Label: "public"}
	}
	return audit.Actor{ID: u.ID, Label: u.Email}
}

// serverError logs the cause and shows a safe 500 page or JSON error.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("internal error", "err", err, "request_id", state(r).ID, "path", r.URL.Path)
	s.errorPage(w, r, http.StatusInternalServerError)
}
