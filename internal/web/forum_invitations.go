package web

import (
	"database/sql"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
)

type invitationsData struct {
	F           *forum.Forum
	When        string
	Audiences   []Option
	Invitations []*forum.Invitation
	// NewLink is the invitation link just made (shown once).
	NewLink string
	Refusal string
	// Report is the outcome of the sending just made; BadAddresses the
	// entries of the address field that are not addresses.
	Report       *forum.InvitationReport
	BadAddresses []string
	// Pending counts the invitations a reminder would go to.
	Pending int
}

// forumInvitations is the organisers' invitations page: sending
// invitations by mail to an audience or to addresses, making a single
// personal link, and the invitations made so far.
func (s *Server) forumInvitations(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	p := s.page(r, nil)
	d := invitationsData{NewLink: r.URL.Query().Get("link")}
	switch r.URL.Query().Get("done") {
	case "invited":
		p.Notice = p.T("forumweb.regs.done_invited")
	}
	if k := r.URL.Query().Get("refused"); k != "" {
		d.Refusal = p.T("error." + k)
	}
	p.Form = url.Values{"language": {"fr"}}
	s.renderInvitations(w, r, http.StatusOK, p, f, d)
}

func (s *Server) renderInvitations(w http.ResponseWriter, r *http.Request, status int, p *Page, f *forum.Forum, d invitationsData) {
	ctx := r.Context()
	d.F, d.When = f, forumWhen(f)
	audiences, err := directory.ListAudiences(ctx, s.db)
	if err == nil {
		d.Invitations, err = forum.ListInvitations(ctx, s.db, f.ID)
	}
	if err == nil {
		d.Pending, err = forum.PendingReminders(ctx, s.db, f.ID)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Audiences = []Option{{Value: "", Label: p.T("forumweb.invite.no_audience")}}
	for _, a := range audiences {
		d.Audiences = append(d.Audiences, Option{Value: a.ID, Label: s.i18n.T(p.Lang, "forumweb.invite.audience_option", "name", a.Name, "count", a.Count)})
	}
	p.Data = d
	s.render(w, r, status, "forum_invitations", p)
}

// invitationSend mails invitations and shows what was sent and skipped.
func (s *Server) invitationSend(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	good, bad := forum.ParseAddresses(r.PostForm.Get("emails"))
	in := forum.InvitationRequest{
		AudienceID: r.PostForm.Get("audience_id"), Emails: good, Message: r.PostForm.Get("message"),
		AttachAgenda: r.PostForm.Get("attach_agenda") == "1", Language: r.PostForm.Get("language"),
	}
	p := s.page(r, nil)
	p.Form = r.PostForm
	d := invitationsData{}
	if len(bad) > 0 {
		d.BadAddresses = bad
		p.Errors = s.translateErrors(r, map[string]string{"emails": "error.forum_invite_emails_invalid"})
		s.renderInvitations(w, r, http.StatusUnprocessableEntity, p, f, d)
		return
	}
	rep, err := s.sendInvitations(r, f, in)
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, fe)
		s.renderInvitations(w, r, http.StatusUnprocessableEntity, p, f, d)
		return
	}
	if k := refusalKey(err); k != "" {
		d.Refusal = p.T(k)
		s.renderInvitations(w, r, http.StatusUnprocessableEntity, p, f, d)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Report = rep
	p.Notice = s.i18n.T(p.Lang, "forumweb.invite.done", "sent", rep.Sent, "skipped", len(rep.Skipped))
	p.Form = url.Values{"language": {in.Language}}
	s.renderInvitations(w, r, http.StatusOK, p, f, d)
}

// invitationRemind mails the one reminder to those invited who have not
// registered.
func (s *Server) invitationRemind(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	p := s.page(r, nil)
	p.Form = url.Values{"language": {"fr"}}
	d := invitationsData{}
	rep, err := s.remindInvitations(r, f)
	if k := refusalKey(err); k != "" {
		d.Refusal = p.T(k)
		s.renderInvitations(w, r, http.StatusUnprocessableEntity, p, f, d)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Report = rep
	p.Notice = s.i18n.T(p.Lang, "forumweb.invite.remind_done", "sent", rep.Sent, "skipped", len(rep.Skipped))
	s.renderInvitations(w, r, http.StatusOK, p, f, d)
}

func (s *Server) remindInvitations(r *http.Request, f *forum.Forum) (rep *forum.InvitationReport, err error) {
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if rep, err = s.forum().RemindInvitations(r.Context(), tx, f.ID); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.invitation.remind", "forum", f.ID,
			map[string]string{"sent": strconv.Itoa(rep.Sent), "skipped": strconv.Itoa(len(rep.Skipped))})
	})
	return rep, err
}

// apiInvitationRemind mails the reminders; answer {"sent", "skipped"}.
func (s *Server) apiInvitationRemind(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	rep, err := s.remindInvitations(r, f)
	if err != nil {
		s.apiForumError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// sendInvitations mails the invitations and records the sending in the
// audit log, in one transaction.
func (s *Server) sendInvitations(r *http.Request, f *forum.Forum, in forum.InvitationRequest) (rep *forum.InvitationReport, err error) {
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if rep, err = s.forum().SendInvitations(r.Context(), tx, f.ID, in); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.invitation.send", "forum", f.ID,
			map[string]string{"sent": strconv.Itoa(rep.Sent), "skipped": strconv.Itoa(len(rep.Skipped)), "audience": in.AudienceID})
	})
	return rep, err
}

// invitationCreate makes a personal invitation link, shown once.
func (s *Server) invitationCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	back := "/forums/" + f.ID + "/invitations"
	var token string
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		inv, t, err := forum.CreateInvitation(r.Context(), tx, f.ID, r.PostForm.Get("email"))
		if err != nil {
			return err
		}
		token = t
		return audit.Record(r.Context(), tx, actor(r), "forum.invitation.create", "forum_invitation", inv.ID, map[string]string{"forum": f.ID})
	})
	if fe, ok := fieldErrors(err); ok {
		for _, k := range fe {
			seeOther(w, r, back+"?refused="+strings.TrimPrefix(k, "error.")+"#link")
			return
		}
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	link := forum.InvitationURL(s.cfg.BaseURL, f.ID, token)
	seeOther(w, r, back+"?done=invited&link="+urlQueryEscape(link)+"#link")
}

// apiInvitations lists a forum's invitations (organisers).
func (s *Server) apiInvitations(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	all, err := forum.ListInvitations(r.Context(), s.db, f.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if all == nil {
		all = []*forum.Invitation{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"invitations": all})
}

// apiInvitationSend mails invitations: body {"audience_id", "emails",
// "message", "attach_agenda", "language"}; answer {"sent", "skipped"}.
func (s *Server) apiInvitationSend(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	var in forum.InvitationRequest
	if !s.decodeJSON(w, r, &in) {
		return
	}
	rep, err := s.sendInvitations(r, f, in)
	if err != nil {
		s.apiForumError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// agendaDownload is the agenda as attached to invitations (organisers,
// to check it before sending).
func (s *Server) agendaDownload(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	lang := state(r).Lang
	b, err := s.forum().AgendaPDF(r.Context(), s.db, f, lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+s.i18n.T(lang, "forum.mail.agenda_filename")+`"`)
	w.Write(b)
}
