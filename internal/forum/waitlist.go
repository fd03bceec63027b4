package forum

import (
	"context"
	"database/sql"

	"github.com/ogforum/ogforum/internal/store"
)

// Promote gives a waiting person a seat by an organiser's hand, within tx,
// and mails them. Without force the forum's rules must find a seat for
// them (ErrNoSeat otherwise), whatever their place in line; with force
// they are confirmed even beyond the capacity, the share or the cap (the
// organiser's decision, which the caller audits).
func (s *Service) Promote(ctx context.Context, tx *sql.Tx, id string, force bool) (*Registration, error) {
	r, err := GetRegistration(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	f, err := s.lockForum(ctx, tx, r.ForumID)
	if err != nil {
		return nil, err
	}
	if r, err = GetRegistration(ctx, tx, id); err != nil {
		return nil, err
	}
	if r.Status != Waitlisted {
		return nil, ErrNotWaitlisted
	}
	o, err := occupancyOf(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	if !force {
		if !f.seatFor(o, r.College) {
			return nil, ErrNoSeat
		}
		if key := orgKey(r.Organisation); f.MaxPerOrganisation > 0 && key != "" {
			per, err := confirmedPerOrganisation(ctx, tx, f.ID)
			if err != nil {
				return nil, err
			}
			if per[key] >= f.MaxPerOrganisation {
				return nil, ErrNoSeat
			}
		}
	}
	if r, err = s.confirm(ctx, tx, f, r.ID); err != nil {
		return nil, err
	}
	if err := renumber(ctx, tx, f.ID); err != nil {
		return nil, err
	}
	o.add(r.College)
	return r, s.checkOccupancy(ctx, tx, f, o.confirmed)
}

// MoveWaitlisted puts a waiting person at another position (1 is the
// first), shifting the others, within tx. A position beyond the end puts
// them last. The seats are then filled again, as the new head of the
// line may have one.
func (s *Service) MoveWaitlisted(ctx context.Context, tx *sql.Tx, id string, position int) (*Registration, error) {
	r, err := GetRegistration(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	f, err := s.lockForum(ctx, tx, r.ForumID)
	if err != nil {
		return nil, err
	}
	if r, err = GetRegistration(ctx, tx, id); err != nil {
		return nil, err
	}
	if r.Status != Waitlisted {
		return nil, ErrNotWaitlisted
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM forum_registrations WHERE forum_id = $1 AND status = 'waitlisted'`, f.ID).Scan(&n); err != nil {
		return nil, err
	}
	position = min(max(position, 1), n)
	from := r.WaitlistPosition
	switch {
	case position < from:
		_, err = tx.ExecContext(ctx, `UPDATE forum_registrations SET waitlist_position = waitlist_position + 1
			WHERE forum_id = $1 AND status = 'waitlisted' AND waitlist_position >= $2 AND waitlist_position < $3`, f.ID, position, from)
	case position > from:
		_, err = tx.ExecContext(ctx, `UPDATE forum_registrations SET waitlist_position = waitlist_position - 1
			WHERE forum_id = $1 AND status = 'waitlisted' AND waitlist_position > $2 AND waitlist_position <= $3`, f.ID, from, position)
	}
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_registrations SET waitlist_position = $1, updated_at = $2 WHERE id = $3`,
		position, store.Now(), r.ID); err != nil {
		return nil, err
	}
	if err := renumber(ctx, tx, f.ID); err != nil {
		return nil, err
	}
	if _, err := s.fill(ctx, tx, f); err != nil {
		return nil, err
	}
	return GetRegistration(ctx, tx, r.ID)
}

// RegistrationFilter selects a forum's registrations.
type RegistrationFilter struct {
	// Status keeps one status ("" for every one).
	Status string
	// Query keeps registrations whose name, address or organisation
	// contains it, accents and case ignored.
	Query string
}

// ListRegistrations returns a forum's registrations for organisers:
// confirmed ones by surname, then the waiting list in order, then the
// cancelled ones by surname.
func ListRegistrations(ctx context.Context, q store.Querier, forumID string, rf RegistrationFilter) ([]*Registration, error) {
	query := `SELECT ` + registrationColumns + ` FROM forum_registrations WHERE forum_id = $1 AND ($2 = '' OR status = $2)`
	args := []any{forumID, rf.Status}
	if t := searchText(rf.Query, "", "", ""); t != "" {
		query += ` AND search_text LIKE $3 ESCAPE '\'`
		args = append(args, likePattern(t))
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Registration
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortRegistrations(out)
	return out, nil
}
