package web

import (
	"database/sql"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/forum"
)

// registrationData is a registrant's own page.
type registrationData struct {
	R      *forum.Registration
	F      *forum.Forum
	When   string
	Where  string
	Token  string
	Themes []*forum.Theme
	Voted  map[string]bool
	// Invalid: the link does not open any registration.
	Invalid bool
	Refusal string
	// QR is the check-in QR code as a data: URL (confirmed registrations).
	QR template.URL
}

// registrationPage is the personal page of the link in the mails: status
// (and waiting position), the needs to change, the cancel button and the
// themes to vote for. A wrong token shows nothing and changes nothing.
func (s *Server) registrationPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	notice := ""
	switch r.URL.Query().Get("done") {
	case "registered":
		notice = "forumweb.reg.done_registered"
	case "changed":
		notice = "forumweb.reg.done_changed"
	case "cancelled":
		notice = "forumweb.reg.done_cancelled"
	case "theme":
		notice = "forumweb.theme.done_proposed"
	case "voted":
		notice = "forumweb.theme.done_voted"
	}
	s.renderRegistration(w, r, http.StatusOK, token, nil, nil, notice)
}

func (s *Server) renderRegistration(w http.ResponseWriter, r *http.Request, status int, token string, form url.Values, err error, notice string) {
	ctx := r.Context()
	id := r.PathValue("id")
	reg, e := forum.RegistrationByToken(ctx, s.db, id, token)
	if errors.Is(e, forum.ErrInvalidToken) {
		s.render(w, r, http.StatusNotFound, "registration", s.page(r, registrationData{Invalid: true}))
		return
	}
	if e != nil {
		s.serverError(w, r, e)
		return
	}
	f, e := forum.GetForum(ctx, s.db, reg.ForumID)
	if e != nil {
		s.serverError(w, r, e)
		return
	}
	d := registrationData{R: reg, F: f, When: forumWhen(f), Where: forumWhere(f), Token: token}
	if reg.Status == forum.Confirmed {
		if png, err := forum.CheckInQR(s.cfg.BaseURL, f.ID, reg.CheckInToken); err == nil {
			d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		}
	}
	if reg.Active() {
		if d.Themes, e = forum.ListThemes(ctx, s.db, f.ID); e == nil {
			d.Voted, e = forum.VotedThemes(ctx, s.db, f.ID, forum.Voter{RegistrationID: reg.ID})
		}
		if e != nil {
			s.serverError(w, r, e)
			return
		}
	}
	p := s.page(r, nil)
	if notice != "" {
		p.Notice = p.T(notice)
	}
	if form == nil {
		form = url.Values{
			"first_name": {reg.FirstName}, "last_name": {reg.LastName}, "organisation": {reg.Organisation},
			"college": {reg.College}, "function": {reg.Function}, "accessibility": {reg.Accessibility},
			"dietary": {reg.Dietary}, "language": {reg.Language},
		}
		if reg.PublicListing {
			form.Set("public_listing", "1")
		}
	}
	p.Form = form
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, splitNameErrors(fe))
	} else if k := refusalKey(err); k != "" {
		d.Refusal = p.T(k)
	}
	p.Data = d
	s.render(w, r, status, "registration", p)
}

// registrationChange saves the registrant's changes (names, organisation,
// college, function, needs, listing).
func (s *Server) registrationChange(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	token := f.Get("token")
	in := forum.ChangeInput{
		FirstName: f.Get("first_name"), LastName: f.Get("last_name"), Organisation: f.Get("organisation"),
		College: f.Get("college"), Function: f.Get("function"), Accessibility: f.Get("accessibility"),
		Dietary: f.Get("dietary"), Language: f.Get("language"), PublicListing: f.Get("public_listing") == "1",
	}
	id := r.PathValue("id")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		reg, err := s.forum().ChangeRegistration(r.Context(), tx, id, token, false, in)
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.registration.change", "registration", reg.ID, nil)
	})
	switch {
	case err == nil:
		seeOther(w, r, "/registrations/"+id+"?token="+url.QueryEscape(token)+"&done=changed")
	case errors.Is(err, forum.ErrInvalidToken):
		s.render(w, r, http.StatusNotFound, "registration", s.page(r, registrationData{Invalid: true}))
	case refusalKey(err) != "":
		s.renderRegistration(w, r, http.StatusConflict, token, f, err, "")
	default:
		if _, ok := fieldErrors(err); ok {
			s.renderRegistration(w, r, http.StatusUnprocessableEntity, token, f, err, "")
			return
		}
		s.serverError(w, r, err)
	}
}

// registrationCancel cancels with the personal link's token; the freed
// seat goes to the first person waiting, who is mailed.
func (s *Server) registrationCancel(w http.ResponseWriter, r *http.Request) {
	token := r.PostForm.Get("token")
	id := r.PathValue("id")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		reg, promoted, err := s.forum().CancelRegistration(r.Context(), tx, id, token)
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.registration.cancel", "registration", reg.ID, map[string]int{"promoted": len(promoted)})
	})
	switch {
	case err == nil:
		seeOther(w, r, "/registrations/"+id+"?token="+url.QueryEscape(token)+"&done=cancelled")
	case errors.Is(err, forum.ErrInvalidToken):
		s.render(w, r, http.StatusNotFound, "registration", s.page(r, registrationData{Invalid: true}))
	case errors.Is(err, forum.ErrNotActive):
		s.renderRegistration(w, r, http.StatusConflict, token, nil, err, "")
	default:
		s.serverError(w, r, err)
	}
}
