package directory

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
)

// ConsentEvent is one line of a person's consent history.
type ConsentEvent struct {
	Purpose string    `json:"purpose"`
	Granted bool      `json:"granted"`
	Method  string    `json:"method"`
	At      time.Time `json:"at"`
}

// ConsentHistory lists a person's consent events, oldest first.
func ConsentHistory(ctx context.Context, q store.Querier, personID string) ([]ConsentEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT purpose, granted, method, at FROM consents WHERE person_id = $1 ORDER BY at, id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ConsentEvent{}
	for rows.Next() {
		var e ConsentEvent
		if err := rows.Scan(&e.Purpose, &e.Granted, &e.Method, &e.At); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EmailHash is the form in which the suppression list keeps an address.
func EmailHash(email string) string {
	email, _ = auth.NormaliseEmail(email)
	h := sha256.Sum256([]byte(email))
	return hex.EncodeToString(h[:])
}

// Suppress puts an address on the suppression list: it is never mailed
// again by any campaign, whatever list it is on.
func Suppress(ctx context.Context, q store.Querier, email, reason string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO suppressions (email_hash, reason, at) VALUES ($1, $2, $3) ON CONFLICT (email_hash) DO NOTHING`,
		EmailHash(email), reason, store.Now())
	return err
}

// Suppressed tells whether an address is on the suppression list.
func Suppressed(ctx context.Context, q store.Querier, email string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM suppressions WHERE email_hash = $1`, EmailHash(email)).Scan(&n)
	return n > 0, err
}

// Unsubscribe withdraws every consent of a person, marks them opted out
// and suppresses their address.
func Unsubscribe(ctx context.Context, tx *sql.Tx, personID, method string) error {
	p, err := GetPerson(ctx, tx, personID)
	if err != nil {
		return err
	}
	for _, purpose := range []string{PurposeInfo, PurposeInvitations} {
		if err := SetConsent(ctx, tx, personID, purpose, false, method); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE people SET opted_out = TRUE, updated_at = $1 WHERE id = $2`, store.Now(), personID); err != nil {
		return err
	}
	return Suppress(ctx, tx, p.Email, "opt_out")
}

// MayMail tells whether a campaign for purpose may mail this address: the
// person consented to it, has not opted out, and the address is not
// suppressed.
func MayMail(ctx context.Context, q store.Querier, email, purpose string) (bool, error) {
	if s, err := Suppressed(ctx, q, email); err != nil || s {
		return false, err
	}
	p, err := PersonByEmail(ctx, q, email)
	if err != nil {
		return false, store.IgnoreNotFound(err)
	}
	if p.OptedOut {
		return false, nil
	}
	switch purpose {
	case PurposeInfo:
		return p.Consent.Info, nil
	case PurposeInvitations:
		return p.Consent.Invitations, nil
	}
	return false, nil
}
