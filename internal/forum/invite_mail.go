package forum

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/ogforum/ogforum/internal/attendance"
	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Invitations by mail. An organiser invites the people of a directory
// audience, addresses typed by hand, or both. Each recipient gets a
// personal invitation (its link is the way in to an invitation-only forum)
// in their language: the forum's details, the organiser's message and,
// when asked, the published agenda, in the text and as a PDF.
//
// Who is mailed: nobody whose address is on the suppression list or who
// opted out; from an audience (a campaign), only the people who consented
// to invitations; an address typed by hand is the organiser inviting one
// person directly, and needs no recorded consent unless it belongs to a
// person of the directory who withdrew it. Nobody is invited twice to one
// forum, nor invited once registered. All of it is one transaction: every
// mail is queued, or none.

// MaxInvitationAddresses bounds the addresses typed in one sending.
const MaxInvitationAddresses = 2000

// InvitationRequest is one sending of invitations.
type InvitationRequest struct {
	AudienceID string   `json:"audience_id"`
	Emails     []string `json:"emails"`
	// Message is the organiser's words, put before the link.
	Message      string `json:"message"`
	AttachAgenda bool   `json:"attach_agenda"`
	// Language is that of the mails to typed addresses that are not in
	// the directory (the directory's people get their own).
	Language string `json:"language"`
}

// Reasons why an address was not invited.
const (
	SkipSuppressed        = "suppressed"
	SkipNoConsent         = "no_consent"
	SkipAlreadyInvited    = "already_invited"
	SkipAlreadyRegistered = "already_registered"
)

// SkippedInvitation is an address left out of a sending, and why.
type SkippedInvitation struct {
	Email  string `json:"email"`
	Reason string `json:"reason"`
}

// InvitationReport says what a sending did.
type InvitationReport struct {
	Sent    int                 `json:"sent"`
	Skipped []SkippedInvitation `json:"skipped"`
}

// ErrInviteNotOpen: invitations are sent once registration is open.
var ErrInviteNotOpen = errors.New("open registration before sending invitations")

// ParseAddresses splits text typed in a form (one address per line, or
// separated by commas, semicolons or spaces) into normalised addresses,
// without repeats, and the entries that are not addresses.
func ParseAddresses(s string) (good, bad []string) {
	seen := map[string]bool{}
	for _, e := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == ';' || r == ' ' || r == '\t'
	}) {
		n, ok := auth.NormaliseEmail(e)
		if !ok {
			bad = append(bad, e)
			continue
		}
		if !seen[n] {
			seen[n] = true
			good = append(good, n)
		}
	}
	return good, bad
}

// invitee is one address to invite.
type invitee struct {
	email, personID, name, lang string
}

func (in *InvitationRequest) validate(ctx context.Context, q store.Querier, f *Forum) (*directory.Audience, error) {
	fe := valid.Errors{}
	in.Message = text(in.Message)
	maxText(fe, "message", in.Message, 3000)
	if in.Language == "" {
		in.Language = "fr"
	}
	if in.Language != "fr" && in.Language != "en" {
		fe["language"] = "error.language_invalid"
	}
	var emails []string
	for _, e := range in.Emails {
		n, ok := auth.NormaliseEmail(e)
		if !ok {
			fe["emails"] = "error.forum_invite_emails_invalid"
			continue
		}
		if !contains(emails, n) {
			emails = append(emails, n)
		}
	}
	in.Emails = emails
	if len(in.Emails) > MaxInvitationAddresses {
		fe["emails"] = "error.forum_invite_too_many"
	}
	var a *directory.Audience
	if in.AudienceID = line(in.AudienceID); in.AudienceID != "" {
		var err error
		a, err = directory.GetAudience(ctx, q, in.AudienceID)
		if errors.Is(err, store.ErrNotFound) {
			fe["audience_id"] = "error.audience_unknown"
		} else if err != nil {
			return nil, err
		}
	}
	if in.AudienceID == "" && len(in.Emails) == 0 && fe["emails"] == "" {
		fe["emails"] = "error.forum_invite_no_recipients"
	}
	if in.AttachAgenda && f.AgendaPublishedAt == nil {
		fe["attach_agenda"] = "error.forum_invite_agenda_unpublished"
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if f.Status != StatusOpen {
		return nil, ErrInviteNotOpen
	}
	return a, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SendInvitations invites, within tx, the recipients of in to forum
// forumID and queues their mails.
func (s *Service) SendInvitations(ctx context.Context, tx *sql.Tx, forumID string, in InvitationRequest) (*InvitationReport, error) {
	f, err := s.lockForum(ctx, tx, forumID)
	if err != nil {
		return nil, store.Map(err)
	}
	audience, err := in.validate(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	rep := &InvitationReport{Skipped: []SkippedInvitation{}}
	taken, err := invitedOrRegistered(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	var list []invitee
	seen := map[string]bool{}
	consider := func(iv invitee, p *directory.Person, campaign bool) error {
		if seen[iv.email] {
			return nil
		}
		seen[iv.email] = true
		if reason := taken[iv.email]; reason != "" {
			rep.Skipped = append(rep.Skipped, SkippedInvitation{iv.email, reason})
			return nil
		}
		suppressed, err := directory.Suppressed(ctx, tx, iv.email)
		if err != nil {
			return err
		}
		switch {
		case suppressed || (p != nil && p.OptedOut):
			rep.Skipped = append(rep.Skipped, SkippedInvitation{iv.email, SkipSuppressed})
		case campaign && !p.Consent.Invitations:
			rep.Skipped = append(rep.Skipped, SkippedInvitation{iv.email, SkipNoConsent})
		default:
			list = append(list, iv)
		}
		return nil
	}
	fromPerson := func(p *directory.Person) invitee {
		return invitee{email: p.Email, personID: p.ID, name: p.Name, lang: lang(p.Language)}
	}
	if audience != nil {
		err := directory.EachPerson(ctx, tx, audience.Filter, 500, func(p *directory.Person) error {
			if p.Email == "" {
				return nil
			}
			return consider(fromPerson(p), p, true)
		})
		if err != nil {
			return nil, err
		}
	}
	for _, e := range in.Emails {
		p, err := directory.PersonByEmail(ctx, tx, e)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		iv := invitee{email: e, lang: in.Language}
		if p != nil && err == nil {
			iv = fromPerson(p)
		} else {
			p = nil
		}
		if err := consider(iv, p, false); err != nil {
			return nil, err
		}
	}
	m, err := s.invitationMail(ctx, tx, f, in, false)
	if err != nil {
		return nil, err
	}
	now := store.Now()
	for _, iv := range list {
		token := newSecret(24)
		_, err := tx.ExecContext(ctx, `INSERT INTO forum_invitations (id, forum_id, email, token_hash, created_at, person_id, language, mailed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			store.NewID(), f.ID, iv.email, auth.Hash(token), now, nullString(iv.personID), iv.lang, now)
		if err != nil {
			return nil, store.Map(err)
		}
		msg, err := m(iv, token)
		if err != nil {
			return nil, err
		}
		if _, err := mail.Queue(ctx, tx, msg); err != nil {
			return nil, err
		}
		rep.Sent++
	}
	return rep, nil
}

// RemindInvitations mails, within tx, one reminder to each person invited
// by mail to forum forumID who has not registered and was not reminded
// yet, with the published agenda when there is one. Invitation links are
// kept only as hashes, so each reminder carries a new personal link that
// replaces the first. Nobody who has since unsubscribed, or registered
// without the link, is mailed.
func (s *Service) RemindInvitations(ctx context.Context, tx *sql.Tx, forumID string) (*InvitationReport, error) {
	f, err := s.lockForum(ctx, tx, forumID)
	if err != nil {
		return nil, store.Map(err)
	}
	if f.Status != StatusOpen {
		return nil, ErrInviteNotOpen
	}
	due, skipped, err := reminderCandidates(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	rep := &InvitationReport{Skipped: skipped}
	m, err := s.invitationMail(ctx, tx, f, InvitationRequest{AttachAgenda: f.AgendaPublishedAt != nil}, true)
	if err != nil {
		return nil, err
	}
	now := store.Now()
	for _, p := range due {
		token := newSecret(24)
		if _, err := tx.ExecContext(ctx, `UPDATE forum_invitations SET token_hash = $1, reminded_at = $2 WHERE id = $3`,
			auth.Hash(token), now, p.id); err != nil {
			return nil, err
		}
		msg, err := m(p.invitee, token)
		if err != nil {
			return nil, err
		}
		if _, err := mail.Queue(ctx, tx, msg); err != nil {
			return nil, err
		}
		rep.Sent++
	}
	return rep, nil
}

// PendingReminders counts the people a reminder would go to now.
func PendingReminders(ctx context.Context, q store.Querier, forumID string) (int, error) {
	due, _, err := reminderCandidates(ctx, q, forumID)
	return len(due), err
}

type pendingReminder struct {
	id string
	invitee
}

// reminderCandidates lists the invitations mailed for a forum, not used
// to register and not reminded yet: those to remind, and those left out
// (registered without the link, unsubscribed since).
func reminderCandidates(ctx context.Context, q store.Querier, forumID string) ([]pendingReminder, []SkippedInvitation, error) {
	taken, err := invitedOrRegistered(ctx, q, forumID)
	if err != nil {
		return nil, nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, email, COALESCE(person_id, ''), language FROM forum_invitations
		WHERE forum_id = $1 AND mailed_at IS NOT NULL AND reminded_at IS NULL AND registration_id IS NULL AND email <> ''
		ORDER BY created_at, id`, forumID)
	if err != nil {
		return nil, nil, err
	}
	var all []pendingReminder
	for rows.Next() {
		var p pendingReminder
		if err := rows.Scan(&p.id, &p.email, &p.personID, &p.lang); err != nil {
			rows.Close()
			return nil, nil, err
		}
		all = append(all, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var due []pendingReminder
	skipped := []SkippedInvitation{}
	for _, p := range all {
		if taken[p.email] == SkipAlreadyRegistered {
			skipped = append(skipped, SkippedInvitation{p.email, SkipAlreadyRegistered})
			continue
		}
		suppressed, err := directory.Suppressed(ctx, q, p.email)
		if err != nil {
			return nil, nil, err
		}
		if p.personID != "" {
			person, err := directory.GetPerson(ctx, q, p.personID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, nil, err
			}
			if err == nil {
				p.name, p.lang = person.Name, lang(person.Language)
				suppressed = suppressed || person.OptedOut
			}
		}
		if suppressed {
			skipped = append(skipped, SkippedInvitation{p.email, SkipSuppressed})
			continue
		}
		due = append(due, p)
	}
	return due, skipped, nil
}

// invitedOrRegistered maps the addresses that already hold an invitation
// mailed for the forum, or an active registration, to the reason to skip
// them.
func invitedOrRegistered(ctx context.Context, q store.Querier, forumID string) (map[string]string, error) {
	out := map[string]string{}
	for _, query := range []struct{ sql, reason string }{
		{`SELECT email FROM forum_invitations WHERE forum_id = $1 AND mailed_at IS NOT NULL AND email <> ''`, SkipAlreadyInvited},
		{`SELECT email FROM forum_registrations WHERE forum_id = $1 AND status IN ('confirmed', 'waitlisted') AND email <> ''`, SkipAlreadyRegistered},
	} {
		rows, err := q.QueryContext(ctx, query.sql, forumID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				rows.Close()
				return nil, err
			}
			out[e] = query.reason
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// invitationMail prepares what the invitations of one sending share (the
// agenda, in each language, as text and PDF; the calendar file) and
// returns the function that writes one invitation.
func (s *Service) invitationMail(ctx context.Context, tx *sql.Tx, f *Forum, in InvitationRequest, reminder bool) (func(invitee, string) (mail.Message, error), error) {
	cat := s.cfg.Catalog
	var items []*AgendaItem
	if in.AttachAgenda {
		var err error
		if items, err = Agenda(ctx, tx, f.ID); err != nil {
			return nil, err
		}
	}
	agendaText := map[string]string{}
	agendaPDF := map[string][]byte{}
	ics := ICS(s.cfg.BaseURL, "", store.Now(), f)
	return func(iv invitee, token string) (mail.Message, error) {
		l := iv.lang
		greeting := cat.T(l, "mail.forum.invitation.greeting")
		if iv.name != "" {
			greeting = cat.T(l, "mail.forum.invitation.greeting_name", "name", iv.name)
		}
		kind := "invitation"
		if reminder {
			kind = "reminder"
		}
		parts := []string{greeting, cat.T(l, "mail.forum."+kind+".intro", "title", f.Title), s.details(l, f)}
		if in.Message != "" {
			parts = append(parts, in.Message)
		}
		m := mail.Message{To: iv.email, Subject: cat.T(l, "mail.forum."+kind+".subject", "title", f.Title)}
		if len(items) > 0 {
			if _, ok := agendaText[l]; !ok {
				a := s.agendaDocument(l, f, items)
				var b strings.Builder
				b.WriteString(a.Heading + " :")
				if l == "en" {
					b.Reset()
					b.WriteString(a.Heading + ":")
				}
				for i, it := range a.Items {
					b.WriteString("\n" + itoa(i+1) + ". " + it.Title)
					if it.Details != "" {
						b.WriteString(" — " + it.Details)
					}
				}
				var pdf bytes.Buffer
				if err := attendance.WriteAgendaPDF(&pdf, a); err != nil {
					return m, err
				}
				agendaText[l], agendaPDF[l] = b.String(), pdf.Bytes()
			}
			parts = append(parts, agendaText[l])
			m.Attachments = append(m.Attachments, mail.Attachment{
				Filename: cat.T(l, "forum.mail.agenda_filename"), ContentType: "application/pdf", Data: agendaPDF[l]})
		}
		parts = append(parts, cat.T(l, "mail.forum."+kind+".link", "link", InvitationURL(s.cfg.BaseURL, f.ID, token)))
		if iv.personID != "" {
			prefs, err := directory.PreferencesToken(ctx, tx, iv.personID)
			if err != nil {
				return m, err
			}
			parts = append(parts, cat.T(l, "mail.forum.invitation.preferences", "link", s.cfg.BaseURL+"/preferences/"+prefs))
		}
		m.Text = strings.Join(parts, "\n\n") + "\n"
		m.Attachments = append(m.Attachments, mail.Attachment{Filename: "forum.ics", ContentType: ICSContentType, Data: ics})
		return m, nil
	}, nil
}

// agendaDocument is the forum's agenda as a printable document in lang.
func (s *Service) agendaDocument(l string, f *Forum, items []*AgendaItem) attendance.Agenda {
	cat := s.cfg.Catalog
	a := attendance.Agenda{
		Title: f.Title, When: FormatWhen(l, f), Where: joinNonEmpty(", ", f.Venue, f.Address),
		Heading: cat.T(l, "forumweb.agenda.title"), Page: cat.T(l, "forumweb.sheet.page"),
	}
	for _, it := range items {
		var details []string
		if it.DurationMinutes > 0 {
			details = append(details, cat.T(l, "forumweb.agenda.minutes", "count", it.DurationMinutes))
		}
		if who := joinNonEmpty(", ", it.PresenterOrganisation, it.Presenter); who != "" {
			details = append(details, cat.T(l, "forumweb.agenda.presented_by")+" "+who)
		}
		a.Items = append(a.Items, attendance.AgendaItem{Title: it.Title, Details: strings.Join(details, " — "), Description: it.Description})
	}
	return a
}

// AgendaPDF renders the forum's agenda in lang, as attached to
// invitations.
func (s *Service) AgendaPDF(ctx context.Context, q store.Querier, f *Forum, l string) ([]byte, error) {
	items, err := Agenda(ctx, q, f.ID)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = attendance.WriteAgendaPDF(&b, s.agendaDocument(lang(l), f, items))
	return b.Bytes(), err
}
