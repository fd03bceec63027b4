package forum

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/ogforum/ogforum/internal/store"
)

// CheckIn marks a confirmed registration of the forum as present (at the
// desk); doing it twice keeps the first time. ErrNotConfirmed for a
// waiting or cancelled registration, ErrNotFound for another forum's.
func CheckIn(ctx context.Context, q store.Querier, forumID, id string) (*Registration, error) {
	r, err := GetRegistration(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if r.ForumID != forumID {
		return nil, store.ErrNotFound
	}
	if r.Status != Confirmed {
		return nil, ErrNotConfirmed
	}
	now := store.Now()
	if _, err := q.ExecContext(ctx, `UPDATE forum_registrations SET checked_in_at = $1, updated_at = $1
		WHERE id = $2 AND checked_in_at IS NULL`, now, id); err != nil {
		return nil, err
	}
	return GetRegistration(ctx, q, id)
}

// CheckInByToken checks in the registration whose QR code (or typed code)
// is token; the code is read case-insensitively. ErrInvalidToken when no
// registration of the forum has it.
func CheckInByToken(ctx context.Context, q store.Querier, forumID, token string) (*Registration, error) {
	token = strings.ToUpper(strings.TrimSpace(token))
	if token == "" || len(token) > 20 {
		return nil, ErrInvalidToken
	}
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM forum_registrations WHERE forum_id = $1 AND checkin_token = $2`, forumID, token).Scan(&id)
	if err != nil {
		if err = store.Map(err); errors.Is(err, store.ErrNotFound) {
			return nil, ErrInvalidToken
		}
		return nil, err
	}
	return CheckIn(ctx, q, forumID, id)
}

// UndoCheckIn clears a check-in made by mistake.
func UndoCheckIn(ctx context.Context, q store.Querier, forumID, id string) (*Registration, error) {
	r, err := GetRegistration(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if r.ForumID != forumID {
		return nil, store.ErrNotFound
	}
	if _, err := q.ExecContext(ctx, `UPDATE forum_registrations SET checked_in_at = NULL, updated_at = $1 WHERE id = $2`,
		store.Now(), id); err != nil {
		return nil, err
	}
	return GetRegistration(ctx, q, id)
}

// WalkIn registers, within tx, someone who comes to the door without a
// registration: confirmed and checked in at once, whatever the capacity,
// share, cap or deadline, but counted in the seats and the catering. The
// address is optional; if given, it must not hold a registration already
// (check that one in instead: *AlreadyRegisteredError). Consent is what
// the desk recorded. The forum must be open, closed or held.
func (s *Service) WalkIn(ctx context.Context, tx *sql.Tx, forumID string, in RegistrationInput) (*Registration, error) {
	fe := in.check(false)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	f, err := s.lockForum(ctx, tx, forumID)
	if err != nil {
		return nil, err
	}
	switch f.Status {
	case StatusCancelled:
		return nil, ErrCancelled
	case StatusOpen, StatusClosed, StatusHeld:
	default:
		return nil, ErrNotOpen
	}
	if err := s.checkDuplicate(ctx, tx, f.ID, in.Email); err != nil {
		return nil, err
	}
	r, err := s.insertRegistration(ctx, tx, f, in, Confirmed, 0, true, "")
	if err != nil {
		return nil, err
	}
	o, err := occupancyOf(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	if f.Status != StatusHeld {
		if err := s.checkOccupancy(ctx, tx, f, o.confirmed); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// RegistrationByCheckInToken finds the registration of the forum whose QR
// code (or typed code) is token, without checking it in: the desk confirms
// first. ErrInvalidToken when no registration of the forum has it.
func RegistrationByCheckInToken(ctx context.Context, q store.Querier, forumID, token string) (*Registration, error) {
	token = strings.ToUpper(strings.TrimSpace(token))
	if token == "" || len(token) > 20 {
		return nil, ErrInvalidToken
	}
	r, err := scanRegistration(q.QueryRowContext(ctx, `SELECT `+registrationColumns+` FROM forum_registrations
		WHERE forum_id = $1 AND checkin_token = $2`, forumID, token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidToken
	}
	return r, err
}
