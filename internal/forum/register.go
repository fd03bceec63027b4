package forum

import (
	"context"
	"database/sql"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Register records a registration within tx and queues its mail: a
// confirmation with the forum's calendar file, or the waiting-list
// position. It returns the registration and its manage token (the secret
// of the personal link; only its hash is stored).
//
// Refusals: valid.Errors for the form's fields (consent, e-mail, names,
// college...) and for the organisation cap ("organisation":
// "error.forum_organisation_full"); ErrCancelled, ErrNotOpen,
// ErrNotYetOpen, ErrDeadlinePassed, ErrInvitationRequired; an
// *AlreadyRegisteredError for an address already registered. Nothing is
// written when it refuses.
func (s *Service) Register(ctx context.Context, tx *sql.Tx, forumID string, in RegistrationInput) (*Registration, string, error) {
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	f, err := s.lockForum(ctx, tx, forumID)
	if err != nil {
		return nil, "", err
	}
	now := store.Now()
	switch {
	case f.Status == StatusCancelled:
		return nil, "", ErrCancelled
	case f.Status != StatusOpen:
		return nil, "", ErrNotOpen
	case f.RegistrationOpensAt != nil && now.Before(*f.RegistrationOpensAt):
		return nil, "", ErrNotYetOpen
	case !now.Before(f.Deadline()):
		return nil, "", ErrDeadlinePassed
	}
	// The organisation's registrations are counted only when the forum
	// caps them: an empty key skips that count.
	var capKey string
	if f.MaxPerOrganisation > 0 {
		capKey = orgKey(in.Organisation)
	}
	var o occupancy
	var lastPosition, orgActive int
	var duplicate bool
	if err := s.queryRow(ctx, tx, seatStatsStatement, f.ID, capKey, in.Email).Scan(&o.confirmed, &o.civil, &lastPosition, &orgActive, &duplicate); err != nil {
		return nil, "", err
	}
	if duplicate {
		return nil, "", s.duplicateOf(ctx, tx, f.ID, in.Email)
	}
	var invitationID string
	if f.InvitationOnly {
		if invitationID, err = usableInvitation(ctx, tx, f.ID, in.InvitationToken); err != nil {
			return nil, "", err
		}
	}
	if capKey != "" && orgActive >= f.MaxPerOrganisation {
		return nil, "", valid.Errors{"organisation": "error.forum_organisation_full"}
	}
	status, position := Confirmed, 0
	if !f.seatFor(o, in.College) {
		// Only waiting registrations have a position: the index on
		// (forum_id, waitlist_position) gives the last one at once.
		status, position = Waitlisted, lastPosition+1
	}
	token := newSecret(24)
	r, err := s.insertRegistration(ctx, tx, f, in, status, position, false, auth.Hash(token))
	if err != nil {
		return nil, "", err
	}
	if invitationID != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_invitations SET registration_id = $1 WHERE id = $2`, r.ID, invitationID); err != nil {
			return nil, "", err
		}
	}
	kind := mailConfirmed
	if status == Waitlisted {
		kind = mailWaitlisted
	}
	if err := s.mailRegistration(ctx, tx, f, r, token, kind); err != nil {
		return nil, "", err
	}
	if status == Confirmed {
		o.add(in.College)
		if err := s.checkOccupancy(ctx, tx, f, o.confirmed); err != nil {
			return nil, "", err
		}
	}
	return r, token, nil
}

const duplicateStatement = `SELECT id, status, COALESCE(waitlist_position, 0) FROM forum_registrations
	WHERE forum_id = $1 AND email = $2 AND status IN ('confirmed', 'waitlisted') AND email <> ''`

// checkDuplicate refuses an address that holds an active registration.
func (s *Service) checkDuplicate(ctx context.Context, tx *sql.Tx, forumID, email string) error {
	if email == "" {
		return nil
	}
	return store.IgnoreNotFound(s.duplicateOf(ctx, tx, forumID, email))
}

// duplicateOf describes the active registration of an address, which
// seatStatsStatement found.
func (s *Service) duplicateOf(ctx context.Context, tx *sql.Tx, forumID, email string) error {
	var e AlreadyRegisteredError
	if err := s.queryRow(ctx, tx, duplicateStatement, forumID, email).Scan(&e.RegistrationID, &e.Status, &e.WaitlistPosition); err != nil {
		return store.Map(err)
	}
	return &e
}

// seatStatsStatement reads, once the forum's lock is held (PostgreSQL
// takes this statement's snapshot then), all that a registration decides
// on, in one round trip: the confirmed seats, those of civil society, the
// last waiting position, the active registrations of an organisation ($2;
// not counted when empty) and whether the address ($3) holds an active
// registration already. Every part runs on an index.
const seatStatsStatement = `SELECT
	(SELECT COUNT(*) FROM forum_registrations WHERE forum_id = $1 AND status = 'confirmed'),
	(SELECT COUNT(*) FROM forum_registrations WHERE forum_id = $1 AND status = 'confirmed' AND college = 'civil_society'),
	(SELECT COALESCE(MAX(waitlist_position), 0) FROM forum_registrations WHERE forum_id = $1 AND waitlist_position IS NOT NULL),
	(SELECT COUNT(*) FROM forum_registrations WHERE $2 <> '' AND forum_id = $1 AND organisation_key = $2
		AND status IN ('confirmed', 'waitlisted')),
	EXISTS (SELECT 1 FROM forum_registrations WHERE forum_id = $1 AND email = $3 AND $3 <> ''
		AND status IN ('confirmed', 'waitlisted') AND email <> '')`

// insertRegistration writes a registration (validated input). The consent
// date is now: only validated forms with consent, or walk-ins that gave
// it at the desk, get here with in.Consent set.
func (s *Service) insertRegistration(ctx context.Context, tx *sql.Tx, f *Forum, in RegistrationInput, status string, position int, walkIn bool, tokenHash string) (*Registration, error) {
	now := store.Now()
	r := &Registration{
		ID: store.NewID(), ForumID: f.ID, FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, Language: in.Language,
		Organisation: in.Organisation, College: in.College, Function: in.Function, Accessibility: in.Accessibility,
		Dietary: in.Dietary, PublicListing: in.PublicListing, Status: status, WalkIn: walkIn,
		CheckInToken: newCheckInToken(), CreatedAt: now, UpdatedAt: now,
	}
	var pos any
	if status == Waitlisted {
		r.WaitlistPosition, pos = position, position
	} else {
		r.ConfirmedAt = &now
	}
	if walkIn {
		r.CheckedInAt = &now
	}
	if in.Consent {
		r.ConsentAt = &now
	}
	// The address was checked under the forum's lock: a conflict here can
	// only be a check-in code drawn twice (one chance in 2^50 per pair).
	_, err := s.exec(ctx, tx, insertStatement,
		r.ID, f.ID, in.FirstName, in.LastName, in.Email, in.Language, in.Organisation, orgKey(in.Organisation), in.College,
		in.Function, in.Accessibility, in.Dietary, nullTime(r.ConsentAt), in.PublicListing, status, pos, walkIn, tokenHash,
		r.CheckInToken, nullTime(r.CheckedInAt), sortKey(in.FirstName, in.LastName), searchText(in.FirstName, in.LastName, in.Email, in.Organisation),
		now, nullTime(r.ConfirmedAt))
	if err != nil {
		return nil, store.Map(err)
	}
	return r, nil
}

const insertStatement = `INSERT INTO forum_registrations (id, forum_id, first_name, last_name, email, language,
	organisation, organisation_key, college, function, accessibility, dietary, consent_privacy_at, public_listing, status,
	waitlist_position, walk_in, manage_token_hash, checkin_token, checked_in_at, sort_key, search_text, created_at,
	updated_at, confirmed_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23, $24)`
