package plan

import (
	"context"
	"database/sql"
	"errors"
	netmail "net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
)

// Followers are user accounts, not directory people: following is the
// explicit act of a signed-in person whose address the sign-in link has
// proved, who has a language, and who stops following (or is disabled,
// or erased) at any time. Directory people are mailed by campaigns under
// their recorded consent; a follower asked for these mails themselves.

// Mailer writes the mails that changes cause, with the site's texts and
// its public address for links.
type Mailer struct {
	Cat     *i18n.Catalog
	BaseURL string
}

// CommitmentURL is the public page of a commitment.
func (m *Mailer) CommitmentURL(id string) string {
	return strings.TrimRight(m.BaseURL, "/") + "/commitments/" + id
}

// Follow makes a user follow a commitment (again: nothing changes).
func Follow(ctx context.Context, q store.Querier, commitmentID, userID string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM commitments WHERE id = $1`, commitmentID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	_, err := q.ExecContext(ctx, `INSERT INTO commitment_followers (commitment_id, user_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (commitment_id, user_id) DO NOTHING`, commitmentID, userID, store.Now())
	return store.Map(err)
}

// Unfollow stops a user following a commitment; not following is no error.
func Unfollow(ctx context.Context, q store.Querier, commitmentID, userID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM commitment_followers WHERE commitment_id = $1 AND user_id = $2`, commitmentID, userID)
	return err
}

// Following tells whether a user follows a commitment.
func Following(ctx context.Context, q store.Querier, commitmentID, userID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM commitment_followers WHERE commitment_id = $1 AND user_id = $2`, commitmentID, userID).Scan(&n)
	return n > 0, err
}

// Follower is someone who follows a commitment: personal data, for
// organisers only.
type Follower struct {
	UserID string    `json:"user_id"`
	Email  string    `json:"email"`
	Name   string    `json:"name"`
	Since  time.Time `json:"since"`
}

// Followers lists who follows a commitment (organisers only), oldest first.
func Followers(ctx context.Context, q store.Querier, commitmentID string) ([]Follower, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.email, u.name, f.created_at FROM commitment_followers f JOIN users u ON u.id = f.user_id
		WHERE f.commitment_id = $1 AND u.disabled = FALSE ORDER BY f.created_at, u.id`, commitmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Follower{}
	for rows.Next() {
		var f Follower
		if err := rows.Scan(&f.UserID, &f.Email, &f.Name, &f.Since); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FollowedBy lists the ids of the commitments a user follows.
func FollowedBy(ctx context.Context, q store.Querier, userID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT commitment_id FROM commitment_followers WHERE user_id = $1 ORDER BY created_at`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// errNoMailer means a change with followers to tell had no Mailer.
var errNoMailer = errors.New("plan: the commitment has followers but the change has no mailer")

// notify queues, in the change's transaction, a mail to each follower of
// the commitment but the editor, in the follower's language.
func (ch Change) notify(ctx context.Context, tx *sql.Tx, commitmentID, action, summary string) error {
	rows, err := tx.QueryContext(ctx, `SELECT u.email, u.name, u.language FROM commitment_followers f JOIN users u ON u.id = f.user_id
		WHERE f.commitment_id = $1 AND u.disabled = FALSE AND u.id <> $2 ORDER BY u.id`, commitmentID, ch.UserID)
	if err != nil {
		return err
	}
	type follower struct{ email, name, lang string }
	var to []follower
	for rows.Next() {
		var f follower
		if err := rows.Scan(&f.email, &f.name, &f.lang); err != nil {
			rows.Close()
			return err
		}
		to = append(to, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(to) == 0 {
		return err
	}
	if ch.Mail == nil {
		return errNoMailer
	}
	var ref, title, titleEN string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(reference, number), title, title_en FROM commitments WHERE id = $1`, commitmentID).
		Scan(&ref, &title, &titleEN); err != nil {
		return store.Map(err)
	}
	if utf8.RuneCountInString(summary) > 600 {
		summary = string([]rune(summary)[:600]) + "…"
	}
	cat := ch.Mail.Cat
	for _, f := range to {
		lang := f.lang
		if !i18n.Supported(lang) {
			lang = i18n.Default
		}
		t := title
		if lang == "en" && titleEN != "" {
			t = titleEN
		}
		if ref != "" {
			t = ref + " — " + t
		}
		body := cat.T(lang, "mail.plan.followed.body", "name", f.name, "commitment", t,
			"change", cat.T(lang, "plan.history.action."+action), "link", ch.Mail.CommitmentURL(commitmentID))
		if summary != "" {
			body += "\n\n" + summary
		}
		body += "\n\n" + cat.T(lang, "mail.plan.followed.footer")
		if _, err := mail.Queue(ctx, tx, mail.Message{
			To:      (&netmail.Address{Name: f.name, Address: f.email}).String(),
			Subject: cat.T(lang, "mail.plan.followed.subject", "commitment", t),
			Text:    body,
		}); err != nil {
			return err
		}
	}
	return nil
}
