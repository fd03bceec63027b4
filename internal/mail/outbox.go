// Package mail is the outbox: a message is written to the database in the
// same transaction as the change that causes it, and a job sends it later
// over SMTP, or to an .eml file when no SMTP server is configured.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/store"
)

// JobKind is the kind of the job that sends one queued mail.
const JobKind = "mail.send"

// Message is a mail to send.
type Message struct {
	To          string
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// Attachment is a file joined to a message (an .ics invitation, a PDF).
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// ErrInvalidRecipient means the recipient is not a usable address.
var ErrInvalidRecipient = errors.New("invalid recipient address")

// Queue writes m to the outbox within q (normally the caller's
// transaction) and returns the mail's id. Nothing is sent until that
// transaction commits. The address is kept in lower case, as the directory
// keeps addresses, so that a person's export and erasure find their mail.
func Queue(ctx context.Context, q store.Querier, m Message) (string, error) {
	addr, err := mail.ParseAddress(m.To)
	if err != nil || strings.ContainsAny(m.To, "\r\n") {
		return "", fmt.Errorf("%w: %q", ErrInvalidRecipient, m.To)
	}
	mailID := store.NewID()
	jobID, err := jobs.Enqueue(ctx, q, JobKind, mailID, jobs.Options{MaxAttempts: 10})
	if err != nil {
		return "", err
	}
	now := store.Now()
	msgID := fmt.Sprintf("<%s@ogforum>", mailID)
	if _, err := q.ExecContext(ctx, `INSERT INTO mails (id, job_id, recipient, subject, body_text, body_html, message_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		mailID, jobID, strings.ToLower(addr.Address), oneLine(m.Subject), m.Text, m.HTML, msgID, now); err != nil {
		return "", fmt.Errorf("queue mail: %w", store.Map(err))
	}
	for _, a := range m.Attachments {
		if _, err := q.ExecContext(ctx, `INSERT INTO mail_attachments (id, mail_id, filename, content_type, data) VALUES ($1, $2, $3, $4, $5)`,
			store.NewID(), mailID, a.Filename, a.ContentType, a.Data); err != nil {
			return "", fmt.Errorf("queue attachment: %w", store.Map(err))
		}
	}
	return mailID, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Stored is a mail as kept in the outbox.
type Stored struct {
	ID        string
	Recipient string
	Subject   string
	Text      string
	HTML      string
	MessageID string
	CreatedAt time.Time
	SentAt    *time.Time // nil until sent
	Attach    []Attachment
}

// Load reads one mail with its attachments.
func Load(ctx context.Context, q store.Querier, id string) (*Stored, error) {
	s := &Stored{ID: id}
	err := q.QueryRowContext(ctx, `SELECT recipient, subject, body_text, body_html, message_id, created_at, sent_at FROM mails WHERE id = $1`, id).
		Scan(&s.Recipient, &s.Subject, &s.Text, &s.HTML, &s.MessageID, &s.CreatedAt, &s.SentAt)
	if err != nil {
		return nil, store.Map(err)
	}
	rows, err := q.QueryContext(ctx, `SELECT filename, content_type, data FROM mail_attachments WHERE mail_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.Filename, &a.ContentType, &a.Data); err != nil {
			return nil, err
		}
		s.Attach = append(s.Attach, a)
	}
	return s, rows.Err()
}

// Entry is one line of the admins' outbox view.
type Entry struct {
	ID        string
	Recipient string
	Subject   string
	Status    string
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    *time.Time
}

// List returns the latest mails of the outbox, newest first, with their
// sending status; status filters when not empty.
func List(ctx context.Context, q store.Querier, status string, limit int) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.recipient, m.subject, j.status, j.attempts, j.last_error, m.created_at, m.sent_at
		FROM mails m JOIN jobs j ON j.id = m.job_id
		WHERE ($1 = '' OR j.status = $1)
		ORDER BY m.created_at DESC, m.id DESC LIMIT $2`, status, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.Recipient, &e.Subject, &e.Status, &e.Attempts, &e.LastError, &e.CreatedAt, &e.SentAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Handler returns the job handler that sends queued mails with s.
func Handler(db *store.DB, s Sender) jobs.Handler {
	return func(ctx context.Context, j jobs.Job) error {
		m, err := Load(ctx, db, j.Payload)
		if errors.Is(err, store.ErrNotFound) {
			return jobs.Permanent(fmt.Errorf("mail %s no longer exists", j.Payload))
		}
		if err != nil {
			return err
		}
		if m.SentAt != nil {
			// Sent by an attempt whose worker stopped before marking the
			// job done: do not send it twice.
			return nil
		}
		if err := s.Send(ctx, m); err != nil {
			return err
		}
		_, err = db.ExecContext(ctx, `UPDATE mails SET sent_at = $1 WHERE id = $2`, store.Now(), m.ID)
		return err
	}
}
