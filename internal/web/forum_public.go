package web

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
)

// forumCard is a forum in a list.
type forumCard struct {
	F     *forum.Forum
	When  string
	Where string
}

type forumListData struct {
	Upcoming, Past []forumCard
}

// forumList shows the upcoming forums (soonest first) and the past ones
// (latest first); drafts only to organisers.
func (s *Server) forumList(w http.ResponseWriter, r *http.Request) {
	lf := forum.ListFilter{}
	if !isOrganiser(r) {
		lf.Statuses = []string{forum.StatusOpen, forum.StatusClosed, forum.StatusHeld, forum.StatusReported, forum.StatusCancelled}
	}
	all, err := forum.ListForums(r.Context(), s.db, lf)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var d forumListData
	now := store.Now()
	for _, f := range all {
		c := forumCard{F: f, When: forumWhen(f), Where: forumWhere(f)}
		if f.EndsAt.After(now) {
			d.Upcoming = append(d.Upcoming, c)
		} else {
			d.Past = append([]forumCard{c}, d.Past...)
		}
	}
	s.render(w, r, http.StatusOK, "forums", s.page(r, d))
}

// forumData is the forum page: everything public, the registration form
// and, for organisers, the management links.
type forumData struct {
	F          *forum.Forum
	When       string
	Where      string
	Seats      forum.Availability
	Agenda     []*forum.AgendaItem
	Actions    []*forum.ActionItem // decided at the forum: public once it is held
	Orgs       []string
	Themes     []*forum.Theme
	Voted      map[string]bool
	Invitation string
	// Refusal is a translated refusal that belongs to no field.
	Refusal string
	// Open tells whether the registration form is shown.
	Open      bool
	Organiser bool
	Next      []string // statuses the organiser may move to
}

func (s *Server) loadForumData(ctx context.Context, r *http.Request, f *forum.Forum) (*forumData, error) {
	d := &forumData{F: f, When: forumWhen(f), Where: forumWhere(f), Organiser: isOrganiser(r)}
	var err error
	if d.Seats, err = forum.Seats(ctx, s.db, f); err != nil {
		return nil, err
	}
	if f.AgendaPublishedAt != nil || d.Organiser {
		if d.Agenda, err = forum.Agenda(ctx, s.db, f.ID); err != nil {
			return nil, err
		}
	}
	if publicActions(f) {
		if d.Actions, err = forum.ActionItems(ctx, s.db, f.ID); err != nil {
			return nil, err
		}
	}
	if d.Orgs, err = forum.ParticipatingOrganisations(ctx, s.db, f.ID); err != nil {
		return nil, err
	}
	if d.Themes, err = forum.ListThemes(ctx, s.db, f.ID); err != nil {
		return nil, err
	}
	if u := state(r).User; u != nil {
		if d.Voted, err = forum.VotedThemes(ctx, s.db, f.ID, forum.Voter{UserID: u.ID}); err != nil {
			return nil, err
		}
	}
	now := store.Now()
	d.Open = f.Status == forum.StatusOpen && now.Before(f.Deadline()) &&
		(f.RegistrationOpensAt == nil || !now.Before(*f.RegistrationOpensAt))
	if d.Organiser {
		for _, to := range forum.Statuses {
			if forum.CanTransition(f.Status, to) {
				d.Next = append(d.Next, to)
			}
		}
	}
	return d, nil
}

func (s *Server) forumPage(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	form := url.Values{"college": {"civil_society"}}
	s.renderForum(w, r, http.StatusOK, f, form, nil)
}

// renderForum shows the forum page with the registration form's values
// and the refusal of err (field errors beside the fields, other refusals
// as a message).
func (s *Server) renderForum(w http.ResponseWriter, r *http.Request, status int, f *forum.Forum, form url.Values, err error) {
	d, e := s.loadForumData(r.Context(), r, f)
	if e != nil {
		s.serverError(w, r, e)
		return
	}
	d.Invitation = r.URL.Query().Get("invitation")
	if v := form.Get("invitation"); v != "" {
		d.Invitation = v
	}
	p := s.page(r, d)
	p.Form = form
	var dup *forum.AlreadyRegisteredError
	switch {
	case err == nil:
	case errors.As(err, &dup):
		msg := s.i18n.T(p.Lang, "forumweb.duplicate", "status", p.T("forum.registration.status."+dup.Status))
		if dup.Status == forum.Waitlisted {
			msg = s.i18n.T(p.Lang, "forumweb.duplicate_waiting", "position", dup.WaitlistPosition)
		}
		d.Refusal = msg
		p.Errors = map[string]string{"email": msg}
	default:
		if fe, ok := fieldErrors(err); ok {
			p.Errors = s.translateErrors(r, splitNameErrors(fe))
		} else if k := refusalKey(err); k != "" {
			d.Refusal = p.T(k)
		}
	}
	q := r.URL.Query()
	if k := q.Get("refused"); k != "" && d.Refusal == "" {
		d.Refusal = p.T("error." + k)
	}
	switch q.Get("done") {
	case "theme":
		p.Notice = p.T("forumweb.theme.done_proposed")
	case "voted":
		p.Notice = p.T("forumweb.theme.done_voted")
	}
	s.render(w, r, status, "forum", p)
}

// registrationInput reads the registration form.
func registrationInput(r *http.Request) forum.RegistrationInput {
	f := r.PostForm
	return forum.RegistrationInput{
		FirstName: f.Get("first_name"), LastName: f.Get("last_name"), Email: f.Get("email"),
		Organisation: f.Get("organisation"), College: f.Get("college"), Function: f.Get("function"),
		Accessibility: f.Get("accessibility"), Dietary: f.Get("dietary"), Language: state(r).Lang,
		Consent: f.Get("consent") == "1", PublicListing: f.Get("public_listing") == "1",
		InvitationToken: f.Get("invitation"),
	}
}

// forumRegister records a registration from the public form and sends the
// person to their own page, which tells confirmed or waiting (with the
// position).
func (s *Server) forumRegister(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	in := registrationInput(r)
	reg, token, err := s.register(r, f.ID, in)
	if err != nil {
		var dup *forum.AlreadyRegisteredError
		_, isField := fieldErrors(err)
		switch {
		case errors.As(err, &dup):
			s.renderForum(w, r, http.StatusConflict, f, r.PostForm, err)
		case isField || refusalKey(err) != "":
			s.renderForum(w, r, http.StatusUnprocessableEntity, f, r.PostForm, err)
		case errors.Is(err, store.ErrNotFound):
			s.notFound(w, r)
		default:
			s.serverError(w, r, err)
		}
		return
	}
	seeOther(w, r, "/registrations/"+reg.ID+"?token="+url.QueryEscape(token)+"&done=registered")
}

// register runs a registration in its transaction, audited when a
// signed-in user makes it.
func (s *Server) register(r *http.Request, forumID string, in forum.RegistrationInput) (*forum.Registration, string, error) {
	var reg *forum.Registration
	var token string
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if reg, token, err = s.forum().Register(r.Context(), tx, forumID, in); err != nil {
			return err
		}
		if state(r).User != nil {
			return audit.Record(r.Context(), tx, actor(r), "forum.register", "registration", reg.ID, map[string]string{"forum": forumID, "status": reg.Status})
		}
		return nil
	})
	return reg, token, err
}
