package forum

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// SetStatus moves a forum to another status within tx when the change is
// allowed (ErrInvalidTransition otherwise):
//
//	draft → open | cancelled
//	open → closed | held | cancelled
//	closed → open | held | cancelled
//	held → reported
//
// Cancelling mails every active registrant in the same transaction;
// opening or closing fills the free seats from the waiting list. It
// returns the updated forum.
func (s *Service) SetStatus(ctx context.Context, tx *sql.Tx, forumID, to string) (*Forum, error) {
	f, err := s.lockForum(ctx, tx, forumID)
	if err != nil {
		return nil, err
	}
	if !CanTransition(f.Status, to) {
		return nil, fmt.Errorf("%w: %s → %s", ErrInvalidTransition, f.Status, to)
	}
	now := store.Now()
	if to == StatusCancelled {
		_, err = tx.ExecContext(ctx, `UPDATE forums SET status = $1, cancelled_at = $2, updated_at = $2, sequence = sequence + 1 WHERE id = $3`, to, now, f.ID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE forums SET status = $1, updated_at = $2 WHERE id = $3`, to, now, f.ID)
	}
	if err != nil {
		return nil, err
	}
	f, err = GetForum(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	switch to {
	case StatusCancelled:
		if _, err := s.mailCancelled(ctx, tx, f); err != nil {
			return nil, err
		}
	case StatusOpen, StatusClosed:
		if _, err := s.fill(ctx, tx, f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Open opens registration.
func (s *Service) Open(ctx context.Context, tx *sql.Tx, forumID string) (*Forum, error) {
	return s.SetStatus(ctx, tx, forumID, StatusOpen)
}

// Close ends registration; the waiting list still moves.
func (s *Service) Close(ctx context.Context, tx *sql.Tx, forumID string) (*Forum, error) {
	return s.SetStatus(ctx, tx, forumID, StatusClosed)
}

// Cancel cancels the forum and mails every registrant.
func (s *Service) Cancel(ctx context.Context, tx *sql.Tx, forumID string) (*Forum, error) {
	return s.SetStatus(ctx, tx, forumID, StatusCancelled)
}

// UpdateForum validates in and replaces the forum's values within tx. A
// cancelled forum cannot change (ErrCancelled); the capacity cannot go
// below the seats already confirmed ("capacity":
// "error.forum_capacity_below_confirmed"). When the rules leave more room
// (capacity, share, cap), the waiting list is promoted in the same
// transaction. A change of date or place bumps the calendar SEQUENCE.
func (s *Service) UpdateForum(ctx context.Context, tx *sql.Tx, forumID string, in ForumInput) (*Forum, error) {
	f, err := s.lockForum(ctx, tx, forumID)
	if err != nil {
		return nil, err
	}
	if f.Status == StatusCancelled {
		return nil, ErrCancelled
	}
	verr := in.Validate(ctx, tx)
	fe, _ := verr.(valid.Errors)
	if verr != nil && fe == nil {
		return nil, verr
	}
	if fe == nil {
		fe = valid.Errors{}
	}
	o, err := occupancyOf(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	if fe["capacity"] == "" && in.Capacity < o.confirmed {
		fe["capacity"] = "error.forum_capacity_below_confirmed"
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	seq := f.Sequence
	if !in.StartsAt.Equal(f.StartsAt) || !in.EndsAt.Equal(f.EndsAt) || in.Venue != f.Venue || in.Address != f.Address {
		seq++
	}
	var series any
	if in.SeriesID != "" {
		series = in.SeriesID
	}
	_, err = tx.ExecContext(ctx, `UPDATE forums SET series_id = $1, title = $2, description = $3, starts_at = $4, ends_at = $5,
		timezone = $6, venue = $7, address = $8, access_info = $9, video_url = $10, capacity = $11, registration_opens_at = $12,
		registration_deadline = $13, civil_society_share = $14, max_per_organisation = $15, invitation_only = $16, sequence = $17,
		updated_at = $18 WHERE id = $19`,
		series, in.Title, in.Description, in.StartsAt, in.EndsAt, in.Timezone, in.Venue, in.Address, in.AccessInfo, in.VideoURL,
		in.Capacity, nullTime(in.RegistrationOpensAt), nullTime(in.RegistrationDeadline), in.CivilSocietyShare,
		in.MaxPerOrganisation, in.InvitationOnly, seq, store.Now(), f.ID)
	if err != nil {
		return nil, store.Map(err)
	}
	if err := setCommitments(ctx, tx, f.ID, in.CommitmentIDs); err != nil {
		return nil, err
	}
	f, err = GetForum(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	if _, err := s.fill(ctx, tx, f); err != nil {
		return nil, err
	}
	return f, nil
}
