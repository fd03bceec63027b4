package forum

import (
	"context"
	"database/sql"
	"strings"

	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
)

type mailKind string

const (
	mailConfirmed  mailKind = "confirmed"
	mailWaitlisted mailKind = "waitlisted"
	mailPromoted   mailKind = "promoted"
)

func lang(l string) string {
	if i18n.Supported(l) {
		return l
	}
	return i18n.Default
}

// details is the block of a mail that says when and where, in lang.
func (s *Service) details(l string, f *Forum) string {
	t := s.cfg.Catalog.T
	lines := []string{
		t(l, "forum.mail.when") + " : " + FormatWhen(l, f),
	}
	if where := joinNonEmpty(", ", f.Venue, f.Address); where != "" {
		lines = append(lines, t(l, "forum.mail.where")+" : "+where)
	}
	if f.AccessInfo != "" {
		lines = append(lines, t(l, "forum.mail.access")+" : "+f.AccessInfo)
	}
	if f.VideoURL != "" {
		lines = append(lines, t(l, "forum.mail.video")+" : "+f.VideoURL)
	}
	lines = append(lines, t(l, "forum.mail.page")+" : "+ForumURL(s.cfg.BaseURL, f.ID))
	if l == "en" {
		for i := range lines {
			lines[i] = strings.Replace(lines[i], " : ", ": ", 1)
		}
	}
	return strings.Join(lines, "\n")
}

// mailRegistration queues, within tx, the mail that tells a registrant
// where they stand: confirmed (with the calendar file), waiting (with the
// position) or promoted from the waiting list (with the calendar file).
func (s *Service) mailRegistration(ctx context.Context, tx *sql.Tx, f *Forum, r *Registration, token string, kind mailKind) error {
	l := lang(r.Language)
	cat := s.cfg.Catalog
	args := []any{
		"name", r.Name(), "title", f.Title, "details", s.details(l, f), "position", r.WaitlistPosition,
		"code", r.CheckInToken, "link", ManageURL(s.cfg.BaseURL, r.ID, token),
	}
	m := mail.Message{To: r.Email}
	switch kind {
	case mailConfirmed:
		m.Subject = cat.T(l, "mail.forum.confirmed.subject", args...)
		m.Text = cat.T(l, "mail.forum.confirmed.body", args...)
	case mailWaitlisted:
		m.Subject = cat.T(l, "mail.forum.waitlisted.subject", args...)
		m.Text = cat.T(l, "mail.forum.waitlisted.body", args...)
	case mailPromoted:
		m.Subject = cat.T(l, "mail.forum.promoted.subject", args...)
		m.Text = cat.T(l, "mail.forum.promoted.body", args...)
	}
	if kind != mailWaitlisted {
		m.Attachments = []mail.Attachment{{Filename: "forum.ics", ContentType: ICSContentType, Data: ICS(s.cfg.BaseURL, "", store.Now(), f)}}
		png, err := CheckInQR(s.cfg.BaseURL, f.ID, r.CheckInToken)
		if err != nil {
			return err
		}
		m.Attachments = append(m.Attachments, mail.Attachment{Filename: cat.T(l, "forum.mail.qr_filename"), ContentType: "image/png", Data: png})
	}
	_, err := mail.Queue(ctx, tx, m)
	return err
}

// mailCancelled tells every active registrant, within tx, that the forum
// is cancelled; the calendar file carries STATUS:CANCELLED so that
// calendars drop the event.
func (s *Service) mailCancelled(ctx context.Context, tx *sql.Tx, f *Forum) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+registrationColumns+` FROM forum_registrations
		WHERE forum_id = $1 AND status IN ('confirmed', 'waitlisted') AND email <> '' ORDER BY created_at, id`, f.ID)
	if err != nil {
		return 0, err
	}
	var regs []*Registration
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		regs = append(regs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	cat := s.cfg.Catalog
	ics := ICS(s.cfg.BaseURL, "", store.Now(), f)
	for _, r := range regs {
		l := lang(r.Language)
		args := []any{"name", r.Name(), "title", f.Title, "when", FormatWhen(l, f)}
		m := mail.Message{
			To:      r.Email,
			Subject: cat.T(l, "mail.forum.cancelled.subject", args...),
			Text:    cat.T(l, "mail.forum.cancelled.body", args...),
		}
		if r.Status == Confirmed {
			m.Attachments = []mail.Attachment{{Filename: "forum.ics", ContentType: ICSContentType, Data: ics}}
		}
		if _, err := mail.Queue(ctx, tx, m); err != nil {
			return 0, err
		}
	}
	return len(regs), nil
}
