package forum

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// RegistrationByToken loads a registration for its personal link:
// ErrInvalidToken when the id is unknown, the token does not match or the
// registration was anonymised.
func RegistrationByToken(ctx context.Context, q store.Querier, id, token string) (*Registration, error) {
	if !store.ValidID(id) || token == "" || len(token) > 100 {
		return nil, ErrInvalidToken
	}
	var hash string
	err := q.QueryRowContext(ctx, `SELECT manage_token_hash FROM forum_registrations WHERE id = $1`, id).Scan(&hash)
	if errors.Is(store.Map(err), store.ErrNotFound) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	if hash == "" || subtle.ConstantTimeCompare([]byte(hash), []byte(auth.Hash(token))) != 1 {
		return nil, ErrInvalidToken
	}
	return GetRegistration(ctx, q, id)
}

// ChangeInput is what a registrant may change through their link. The
// address cannot change: cancel and register again.
type ChangeInput struct {
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	Organisation  string `json:"organisation"`
	College       string `json:"college"`
	Function      string `json:"function"`
	Accessibility string `json:"accessibility"`
	Dietary       string `json:"dietary"`
	Language      string `json:"language"`
	PublicListing bool   `json:"public_listing"`
}

// ChangeRegistration updates an active registration within tx, with its
// manage token (or, for organisers, an empty token and byOrganiser). A
// change of organisation or college must still fit the forum's rules for
// the seat or place held ("organisation": "error.forum_organisation_full",
// "college": "error.forum_college_full").
func (s *Service) ChangeRegistration(ctx context.Context, tx *sql.Tx, id, token string, byOrganiser bool, in ChangeInput) (*Registration, error) {
	r, err := s.authorise(ctx, tx, id, token, byOrganiser)
	if err != nil {
		return nil, err
	}
	if !r.Active() {
		return nil, ErrNotActive
	}
	f, err := s.lockForum(ctx, tx, r.ForumID)
	if err != nil {
		return nil, err
	}
	ri := RegistrationInput{FirstName: in.FirstName, LastName: in.LastName, Email: r.Email, Organisation: in.Organisation,
		College: in.College, Function: in.Function, Accessibility: in.Accessibility, Dietary: in.Dietary, Language: in.Language}
	fe := ri.check(false)
	if fe["name"] != "" {
		delete(fe, "name")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	key := orgKey(ri.Organisation)
	if f.MaxPerOrganisation > 0 && key != "" && key != orgKey(r.Organisation) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM forum_registrations WHERE forum_id = $1 AND organisation_key = $2
			AND status IN ('confirmed', 'waitlisted') AND id <> $3`, f.ID, key, r.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n >= f.MaxPerOrganisation {
			return nil, valid.Errors{"organisation": "error.forum_organisation_full"}
		}
	}
	if r.Status == Confirmed && !r.WalkIn && ri.College != r.College {
		o, err := occupancyOf(ctx, tx, f.ID)
		if err != nil {
			return nil, err
		}
		// Without this person's seat, is there one for their new college?
		o.confirmed--
		if r.College == directory.CollegeCivilSociety {
			o.civil--
		}
		if !f.seatFor(o, ri.College) {
			return nil, valid.Errors{"college": "error.forum_college_full"}
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE forum_registrations SET first_name = $1, last_name = $2, organisation = $3,
		organisation_key = $4, college = $5, function = $6, accessibility = $7, dietary = $8, language = $9, public_listing = $10,
		sort_key = $11, search_text = $12, updated_at = $13 WHERE id = $14`,
		ri.FirstName, ri.LastName, ri.Organisation, key, ri.College, ri.Function, ri.Accessibility, ri.Dietary, ri.Language,
		in.PublicListing, sortKey(ri.FirstName, ri.LastName), searchText(ri.FirstName, ri.LastName, r.Email, ri.Organisation),
		store.Now(), r.ID)
	if err != nil {
		return nil, err
	}
	// A confirmed person moving to civil society frees an open seat.
	if _, err := s.fill(ctx, tx, f); err != nil {
		return nil, err
	}
	return GetRegistration(ctx, tx, r.ID)
}

func (s *Service) authorise(ctx context.Context, tx *sql.Tx, id, token string, byOrganiser bool) (*Registration, error) {
	if byOrganiser {
		return GetRegistration(ctx, tx, id)
	}
	return RegistrationByToken(ctx, tx, id, token)
}

// CancelRegistration cancels a registration within tx with its manage
// token: a wrong token changes nothing (ErrInvalidToken). A freed seat goes
// to the first eligible person waiting, who is mailed. It returns the
// cancelled registration and the people promoted.
func (s *Service) CancelRegistration(ctx context.Context, tx *sql.Tx, id, token string) (*Registration, []*Registration, error) {
	r, err := RegistrationByToken(ctx, tx, id, token)
	if err != nil {
		return nil, nil, err
	}
	return s.cancel(ctx, tx, r.ID, ByRegistrant)
}

// Remove cancels a registration by an organiser's decision (confirmed or
// waiting), promoting from the waiting list as a cancellation does.
func (s *Service) Remove(ctx context.Context, tx *sql.Tx, id string) (*Registration, []*Registration, error) {
	return s.cancel(ctx, tx, id, ByOrganiser)
}

func (s *Service) cancel(ctx context.Context, tx *sql.Tx, id, by string) (*Registration, []*Registration, error) {
	r, err := GetRegistration(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.lockForum(ctx, tx, r.ForumID)
	if err != nil {
		return nil, nil, err
	}
	// Read again under the lock: a concurrent cancellation may have won.
	if r, err = GetRegistration(ctx, tx, id); err != nil {
		return nil, nil, err
	}
	if !r.Active() {
		return nil, nil, ErrNotActive
	}
	now := store.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE forum_registrations SET status = 'cancelled', waitlist_position = NULL,
		cancelled_by = $1, cancelled_at = $2, updated_at = $2 WHERE id = $3`, by, now, id); err != nil {
		return nil, nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_invitations SET registration_id = NULL WHERE registration_id = $1`, id); err != nil {
		return nil, nil, err
	}
	var promoted []*Registration
	if r.Status == Waitlisted {
		err = renumber(ctx, tx, f.ID)
	} else {
		promoted, err = s.fill(ctx, tx, f)
	}
	if err != nil {
		return nil, nil, err
	}
	r, err = GetRegistration(ctx, tx, id)
	return r, promoted, err
}
