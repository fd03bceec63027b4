package web

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
)

func (s *Server) joinForm(w http.ResponseWriter, r *http.Request) {
	s.renderJoin(w, r, http.StatusOK, url.Values{"language": {state(r).Lang}, "info": {"1"}, "invitations": {"1"}}, nil)
}

func (s *Server) renderJoin(w http.ResponseWriter, r *http.Request, status int, form url.Values, err error) {
	p := s.page(r, nil)
	p.Form = form
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, splitNameErrors(fe))
	}
	if e := s.withSectors(r, p); e != nil {
		s.serverError(w, r, e)
		return
	}
	s.render(w, r, status, "join", p)
}

// joinRequest stores the request and mails the confirmation link in one
// transaction; the answer is the same whether the address is known or not.
func (s *Server) joinRequest(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	in := directory.JoinInput{
		FirstName: f.Get("first_name"), LastName: f.Get("last_name"), Email: f.Get("email"), Organisation: f.Get("organisation"),
		Sectors: f["sectors"], Language: f.Get("language"), Consent: f.Get("consent") == "1",
		Info: f.Get("info") == "1", Invitations: f.Get("invitations") == "1",
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		secret, err := directory.RequestJoin(r.Context(), tx, in)
		if err != nil {
			return err
		}
		lang := in.Language
		link := s.cfg.BaseURL + "/join/confirm/" + secret
		_, err = mail.Queue(r.Context(), tx, mail.Message{
			To:      in.Email,
			Subject: s.i18n.T(lang, "mail.join.subject"),
			Text:    s.i18n.T(lang, "mail.join.body", "name", in.FirstName+" "+in.LastName, "link", link, "site", s.settings(r.Context()).SiteName),
		})
		return err
	})
	if _, ok := fieldErrors(err); ok {
		s.renderJoin(w, r, http.StatusUnprocessableEntity, f, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/join/sent", http.StatusSeeOther)
}

func (s *Server) joinSent(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "join_sent", s.page(r, nil))
}

type joinConfirmData struct {
	Token       string
	Preferences string // set once confirmed
	Invalid     bool
}

// joinConfirmForm shows a button: a GET never consumes the link, so mail
// scanners cannot confirm on the person's behalf.
func (s *Server) joinConfirmForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "join_confirm", s.page(r, joinConfirmData{Token: r.PathValue("token")}))
}

func (s *Server) joinConfirm(w http.ResponseWriter, r *http.Request) {
	var prefs string
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		p, err := directory.ConfirmJoin(r.Context(), tx, r.PathValue("token"))
		if err != nil {
			return err
		}
		if prefs, err = directory.PreferencesToken(r.Context(), tx, p.ID); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, audit.Actor{Label: "self"}, "person.join", "person", p.ID, nil)
	})
	if errors.Is(err, directory.ErrJoinLinkInvalid) {
		s.render(w, r, http.StatusGone, "join_confirm", s.page(r, joinConfirmData{Invalid: true}))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "join_confirm", s.page(r, joinConfirmData{Preferences: "/preferences/" + prefs}))
}

// preferencesPerson loads the person of a preferences link, answering 404
// itself when the link is not valid.
func (s *Server) preferencesPerson(w http.ResponseWriter, r *http.Request) (*directory.Person, bool) {
	p, err := directory.PersonByPreferencesToken(r.Context(), s.db, r.PathValue("token"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return p, true
}

type preferencesData struct {
	Person *directory.Person
	Token  string
}

func (s *Server) preferences(w http.ResponseWriter, r *http.Request) {
	pr, ok := s.preferencesPerson(w, r)
	if !ok {
		return
	}
	form := url.Values{"language": {pr.Language}, "sectors": pr.Sectors}
	if pr.Consent.Info {
		form.Set("info", "1")
	}
	if pr.Consent.Invitations {
		form.Set("invitations", "1")
	}
	notice := ""
	switch r.URL.Query().Get("done") {
	case "saved":
		notice = "prefs.saved"
	case "unsubscribed":
		notice = "prefs.unsubscribed"
	}
	s.renderPreferences(w, r, http.StatusOK, pr, form, nil, notice)
}

func (s *Server) renderPreferences(w http.ResponseWriter, r *http.Request, status int, pr *directory.Person, form url.Values, err error, notice string) {
	p := s.page(r, preferencesData{Person: pr, Token: r.PathValue("token")})
	p.Form = form
	if notice != "" {
		p.Notice = p.T(notice)
	}
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, fe)
	}
	if e := s.withSectors(r, p); e != nil {
		s.serverError(w, r, e)
		return
	}
	s.render(w, r, status, "preferences", p)
}

func (s *Server) preferencesSave(w http.ResponseWriter, r *http.Request) {
	pr, ok := s.preferencesPerson(w, r)
	if !ok {
		return
	}
	r.ParseForm()
	f := r.PostForm
	info, inv := f.Get("info") == "1", f.Get("invitations") == "1"
	in := directory.PersonInput{FirstName: pr.FirstName, LastName: pr.LastName, Email: pr.Email, OrganisationID: pr.OrganisationID,
		Function: pr.Function, Phone: pr.Phone, Sectors: f["sectors"], Language: f.Get("language"),
		ConsentInfo: &info, ConsentInvitations: &inv, ConsentMethod: directory.MethodForm}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := directory.UpdatePerson(r.Context(), tx, pr.ID, in); err != nil {
			return err
		}
		if info || inv {
			if _, err := tx.ExecContext(r.Context(), `UPDATE people SET opted_out = FALSE WHERE id = $1`, pr.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(r.Context(), `DELETE FROM suppressions WHERE email_hash = $1 AND reason = 'opt_out'`, directory.EmailHash(pr.Email)); err != nil {
				return err
			}
		}
		return audit.Record(r.Context(), tx, audit.Actor{Label: "self"}, "person.preferences", "person", pr.ID, nil)
	})
	if _, ok := fieldErrors(err); ok {
		s.renderPreferences(w, r, http.StatusUnprocessableEntity, pr, f, err, "")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/preferences/"+r.PathValue("token")+"?done=saved", http.StatusSeeOther)
}

func (s *Server) preferencesUnsubscribe(w http.ResponseWriter, r *http.Request) {
	pr, ok := s.preferencesPerson(w, r)
	if !ok {
		return
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := directory.Unsubscribe(r.Context(), tx, pr.ID, directory.MethodForm); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, audit.Actor{Label: "self"}, "person.unsubscribe", "person", pr.ID, nil)
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/preferences/"+r.PathValue("token")+"?done=unsubscribed", http.StatusSeeOther)
}

func (s *Server) preferencesData(w http.ResponseWriter, r *http.Request) {
	pr, ok := s.preferencesPerson(w, r)
	if !ok {
		return
	}
	var data map[string]any
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if data, err = directory.DataExport(r.Context(), tx, pr.ID); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, audit.Actor{Label: "self"}, "person.export", "person", pr.ID, nil)
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="my-data.json"`)
	writeJSON(w, http.StatusOK, data)
}

func (s *Server) preferencesEraseConfirm(w http.ResponseWriter, r *http.Request) {
	pr, ok := s.preferencesPerson(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "preferences_erase", s.page(r, preferencesData{Person: pr, Token: r.PathValue("token")}))
}

func (s *Server) preferencesErase(w http.ResponseWriter, r *http.Request) {
	pr, ok := s.preferencesPerson(w, r)
	if !ok {
		return
	}
	if err := s.erasePerson(r, pr.ID, "self"); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "preferences_erase", s.page(r, preferencesData{}))
}
