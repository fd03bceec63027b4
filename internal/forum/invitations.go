package forum

import (
	"context"
	"errors"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Invitation is a personal invitation to an invitation-only forum. Its
// token is in the invitation link only; the database keeps its hash.
type Invitation struct {
	ID             string `json:"id"`
	ForumID        string `json:"forum_id"`
	Email          string `json:"email"`
	RegistrationID string `json:"registration_id,omitempty"`
	// PersonID is the person of the directory it was mailed to, if any.
	PersonID  string     `json:"person_id,omitempty"`
	Language  string     `json:"language"`
	CreatedAt time.Time  `json:"created_at"`
	MailedAt  *time.Time `json:"mailed_at,omitempty"`
	// RemindedAt is when the one reminder was mailed.
	RemindedAt *time.Time `json:"reminded_at,omitempty"`
}

// CreateInvitation makes a personal invitation for a forum and returns it
// with its token (to put in the link, InvitationURL). email, optional, is
// who it was made for; it is not checked at registration: the link is
// personal, and each invitation serves one active registration at a time.
func CreateInvitation(ctx context.Context, q store.Querier, forumID, email string) (*Invitation, string, error) {
	if email != "" {
		e, ok := auth.NormaliseEmail(email)
		if !ok {
			return nil, "", valid.Errors{"email": "error.email_invalid"}
		}
		email = e
	}
	if _, err := GetForum(ctx, q, forumID); err != nil {
		return nil, "", err
	}
	token := newSecret(24)
	inv := &Invitation{ID: store.NewID(), ForumID: forumID, Email: email, Language: "fr", CreatedAt: store.Now()}
	_, err := q.ExecContext(ctx, `INSERT INTO forum_invitations (id, forum_id, email, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		inv.ID, forumID, email, auth.Hash(token), inv.CreatedAt)
	if err != nil {
		return nil, "", store.Map(err)
	}
	return inv, token, nil
}

// ListInvitations returns a forum's invitations, oldest first.
func ListInvitations(ctx context.Context, q store.Querier, forumID string) ([]*Invitation, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, forum_id, email, COALESCE(registration_id, ''), COALESCE(person_id, ''), language, created_at, mailed_at, reminded_at FROM forum_invitations
		WHERE forum_id = $1 ORDER BY created_at, id`, forumID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Invitation
	for rows.Next() {
		inv := &Invitation{}
		if err := rows.Scan(&inv.ID, &inv.ForumID, &inv.Email, &inv.RegistrationID, &inv.PersonID, &inv.Language, &inv.CreatedAt, &inv.MailedAt, &inv.RemindedAt); err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// usableInvitation finds the forum's invitation with that token that no
// active registration uses (ErrInvitationRequired otherwise).
func usableInvitation(ctx context.Context, q store.Querier, forumID, token string) (string, error) {
	if token == "" || len(token) > 100 {
		return "", ErrInvitationRequired
	}
	var id, regID string
	err := q.QueryRowContext(ctx, `SELECT id, COALESCE(registration_id, '') FROM forum_invitations WHERE forum_id = $1 AND token_hash = $2`,
		forumID, auth.Hash(token)).Scan(&id, &regID)
	if errors.Is(store.Map(err), store.ErrNotFound) {
		return "", ErrInvitationRequired
	}
	if err != nil {
		return "", err
	}
	if regID != "" {
		return "", ErrInvitationRequired
	}
	return id, nil
}
