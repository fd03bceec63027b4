package web

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
)

type registrationsData struct {
	F           *forum.Forum
	When        string
	Seats       forum.Availability
	Confirmed   []*forum.Registration
	Waiting     []*forum.Registration
	Catering    forum.Catering
	Invitations int
	Refusal     string
}

// forumRegistrations is the organisers' view: occupancy, the confirmed
// list, the waiting list in order with its actions, catering and
// invitations.
func (s *Server) forumRegistrations(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	d := registrationsData{F: f, When: forumWhen(f)}
	all, err := forum.ListRegistrations(ctx, s.db, f.ID, forum.RegistrationFilter{})
	if err == nil {
		d.Seats, err = forum.Seats(ctx, s.db, f)
	}
	if err == nil {
		d.Catering, err = forum.CateringSummary(ctx, s.db, f.ID)
	}
	if err == nil {
		var invs []*forum.Invitation
		invs, err = forum.ListInvitations(ctx, s.db, f.ID)
		d.Invitations = len(invs)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, reg := range all {
		switch reg.Status {
		case forum.Confirmed:
			d.Confirmed = append(d.Confirmed, reg)
		case forum.Waitlisted:
			d.Waiting = append(d.Waiting, reg)
		}
	}
	p := s.page(r, nil)
	switch r.URL.Query().Get("done") {
	case "promoted":
		p.Notice = p.T("forumweb.regs.done_promoted")
	case "moved":
		p.Notice = p.T("forumweb.regs.done_moved")
	case "removed":
		p.Notice = p.T("forumweb.regs.done_removed")
	}
	if k := r.URL.Query().Get("refused"); k != "" {
		d.Refusal = p.T("error." + k)
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "forum_registrations", p)
}

// registrationAction runs an organiser's action on a registration and
// returns to the forum's registrations page.
func (s *Server) registrationAction(w http.ResponseWriter, r *http.Request, action string, run func(tx *sql.Tx, reg *forum.Registration) error) {
	reg, err := forum.GetRegistration(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := run(tx, reg); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.registration."+action, "registration", reg.ID, nil)
	})
	back := "/forums/" + reg.ForumID + "/registrations"
	if k := refusalKey(err); k != "" {
		// The key's suffix goes in the address; the page translates it.
		seeOther(w, r, back+"?refused="+k[len("error."):])
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seeOther(w, r, back+"?done="+action+"d#waiting")
}

func (s *Server) registrationPromote(w http.ResponseWriter, r *http.Request) {
	force := r.PostForm.Get("force") == "1"
	s.registrationAction(w, r, "promote", func(tx *sql.Tx, reg *forum.Registration) error {
		_, err := s.forum().Promote(r.Context(), tx, reg.ID, force)
		return err
	})
}

// registrationMove moves a waiting person: up, down, or to ?position=.
func (s *Server) registrationMove(w http.ResponseWriter, r *http.Request) {
	s.registrationAction(w, r, "move", func(tx *sql.Tx, reg *forum.Registration) error {
		pos, _ := strconv.Atoi(r.PostForm.Get("position"))
		switch r.PostForm.Get("dir") {
		case "up":
			pos = reg.WaitlistPosition - 1
		case "down":
			pos = reg.WaitlistPosition + 1
		}
		_, err := s.forum().MoveWaitlisted(r.Context(), tx, reg.ID, pos)
		return err
	})
}

func (s *Server) registrationRemove(w http.ResponseWriter, r *http.Request) {
	s.registrationAction(w, r, "remove", func(tx *sql.Tx, reg *forum.Registration) error {
		_, _, err := s.forum().Remove(r.Context(), tx, reg.ID)
		return err
	})
}
