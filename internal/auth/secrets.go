package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/store"
)

// LinkValidity is how long a sign-in link works.
const LinkValidity = 15 * time.Minute

// SessionLifetime is how long an idle session lasts.
const SessionLifetime = 30 * 24 * time.Hour

// ErrInvalidToken covers unknown, expired, used and malformed secrets alike,
// so that callers cannot tell them apart.
var ErrInvalidToken = errors.New("invalid or expired token")

func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash is the stored form of a secret.
func Hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateLoginToken makes a single-use sign-in secret for a user, valid
// LinkValidity. Only its hash is stored.
func CreateLoginToken(ctx context.Context, q store.Querier, userID string) (string, error) {
	secret := newSecret()
	now := store.Now()
	_, err := q.ExecContext(ctx, `INSERT INTO login_tokens (id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		store.NewID(), userID, Hash(secret), now, now.Add(LinkValidity))
	return secret, err
}

// Session is a signed-in browser. Its cookie value is ID + "." + secret.
type Session struct {
	ID     string
	UserID string
	Cookie string
}

// RedeemLoginToken consumes a sign-in secret and opens a new session for
// its user: the token is marked used in the same transaction, so it works
// once.
func RedeemLoginToken(ctx context.Context, db *store.DB, secret string) (*User, *Session, error) {
	if len(secret) < 20 || len(secret) > 100 {
		return nil, nil, ErrInvalidToken
	}
	var u *User
	var s *Session
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := store.Now()
		var tokenID, userID string
		err := tx.QueryRowContext(ctx, `SELECT id, user_id FROM login_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`+db.ForUpdate(),
			Hash(secret), now).Scan(&tokenID, &userID)
		if err != nil {
			return store.Map(err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE login_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, now, tokenID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return store.ErrNotFound
		}
		u, err = UserByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return store.ErrNotFound
		}
		s, err = CreateSession(ctx, tx, userID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrInvalidToken
	}
	return u, s, err
}

// CreateSession opens a session. A sign-in always creates a new one, so a
// session id known before sign-in is never promoted (rotation).
func CreateSession(ctx context.Context, q store.Querier, userID string) (*Session, error) {
	id, secret := store.NewID(), newSecret()
	now := store.Now()
	_, err := q.ExecContext(ctx, `INSERT INTO sessions (id, user_id, secret_hash, created_at, seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)`,
		id, userID, Hash(secret), now, now.Add(SessionLifetime))
	if err != nil {
		return nil, err
	}
	return &Session{ID: id, UserID: userID, Cookie: id + "." + secret}, nil
}

// UserBySession checks a session cookie and returns its user, extending
// the session when it was last seen more than an hour ago.
func UserBySession(ctx context.Context, q store.Querier, cookie string) (*User, *Session, error) {
	id, secret, ok := strings.Cut(cookie, ".")
	if !ok || !store.ValidID(id) || len(secret) > 100 {
		return nil, nil, ErrInvalidToken
	}
	// One query, the session with its user: every signed-in request makes
	// it. (The subquery has no id column, so that userColumns name the
	// user's.)
	var hash string
	var seen time.Time
	now := store.Now()
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+`, secret_hash, seen_at FROM users JOIN
		(SELECT user_id, secret_hash, seen_at FROM sessions WHERE id = $1 AND expires_at > $2) s ON s.user_id = users.id`, id, now),
		&hash, &seen)
	if err != nil || u.Disabled {
		return nil, nil, ErrInvalidToken
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(Hash(secret))) != 1 {
		return nil, nil, ErrInvalidToken
	}
	if now.Sub(seen) > time.Hour {
		q.ExecContext(ctx, `UPDATE sessions SET seen_at = $1, expires_at = $2 WHERE id = $3`, now, now.Add(SessionLifetime), id)
	}
	return u, &Session{ID: id, UserID: u.ID}, nil
}

// EndSession signs one browser out.
func EndSession(ctx context.Context, q store.Querier, id string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return err
}

// EndAllSessions signs a user out everywhere.
func EndAllSessions(ctx context.Context, q store.Querier, userID string) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// APITokenPrefix starts every API token, so leaked tokens are recognisable.
const APITokenPrefix = "ogf_"

// CreateAPIToken makes a bearer token for a user and returns it; only its
// hash is stored.
func CreateAPIToken(ctx context.Context, q store.Querier, userID string) (string, error) {
	token := APITokenPrefix + newSecret()
	_, err := q.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)`,
		store.NewID(), userID, Hash(token), store.Now())
	return token, err
}

// UserByAPIToken checks a bearer token.
func UserByAPIToken(ctx context.Context, q store.Querier, token string) (*User, error) {
	if !strings.HasPrefix(token, APITokenPrefix) || len(token) > 100 {
		return nil, ErrInvalidToken
	}
	// One query: every API call makes it.
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (SELECT user_id FROM api_tokens WHERE token_hash = $1)`, Hash(token)))
	if err != nil || u.Disabled {
		return nil, ErrInvalidToken
	}
	return u, nil
}

// Purge removes expired sessions and used or expired sign-in tokens.
func Purge(ctx context.Context, q store.Querier, now time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `DELETE FROM login_tokens WHERE expires_at < $1`, now.Add(-24*time.Hour))
	return err
}
