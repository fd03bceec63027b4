package forum

import (
	"errors"
	"fmt"

	"github.com/ogforum/ogforum/internal/valid"
)

// Refusals and other sentinel errors. ErrorKey gives each one's
// translation key.
var (
	// ErrNotOpen: the forum does not take registrations (draft, closed,
	// held or reported).
	ErrNotOpen = errors.New("registration is not open for this forum")
	// ErrCancelled: the forum is cancelled.
	ErrCancelled = errors.New("the forum is cancelled")
	// ErrNotYetOpen: registration opens later.
	ErrNotYetOpen = errors.New("registration has not opened yet")
	// ErrDeadlinePassed: the registration deadline has passed.
	ErrDeadlinePassed = errors.New("the registration deadline has passed")
	// ErrInvitationRequired: the forum is by invitation only and no valid,
	// unused invitation came with the registration.
	ErrInvitationRequired = errors.New("this forum is by invitation only: a valid personal invitation is required")
	// ErrAlreadyRegistered: the address holds an active registration for
	// the forum; the error is an *AlreadyRegisteredError.
	ErrAlreadyRegistered = errors.New("this e-mail address is already registered for this forum")
	// ErrInvalidToken: a manage or check-in token that does not match.
	ErrInvalidToken = errors.New("invalid or expired link")
	// ErrInvalidTransition: the forum's status cannot change that way.
	ErrInvalidTransition = errors.New("this status change is not allowed")
	// ErrNotActive: the registration is cancelled.
	ErrNotActive = errors.New("the registration is cancelled")
	// ErrNotConfirmed: the operation needs a confirmed registration.
	ErrNotConfirmed = errors.New("the registration is not confirmed")
	// ErrNotWaitlisted: the operation needs a waiting registration.
	ErrNotWaitlisted = errors.New("the registration is not on the waiting list")
	// ErrNoSeat: no seat is free for this person under the forum's rules.
	ErrNoSeat = errors.New("no seat is free for this person")
	// ErrThemesClosed: themes are no longer proposed or voted for (the
	// forum is held, reported or cancelled).
	ErrThemesClosed = errors.New("themes are closed for this forum")
	// ErrAlreadyVoted: one vote per person and theme.
	ErrAlreadyVoted = errors.New("you have already voted for this theme")
	// ErrNotVoter: the voter is neither a known user nor an active
	// registrant of the forum.
	ErrNotVoter = errors.New("only members and registrants of the forum may do this")
	// ErrAgendaEmpty: an agenda without items cannot be published.
	ErrAgendaEmpty = errors.New("the agenda has no items")
)

// AlreadyRegisteredError is the refusal of a second registration with the
// same address; it carries the existing registration's state (and matches
// ErrAlreadyRegistered with errors.Is). Tell the public its status and
// position only: the id is for organisers' tools.
type AlreadyRegisteredError struct {
	RegistrationID   string
	Status           string
	WaitlistPosition int
}

func (e *AlreadyRegisteredError) Error() string {
	return fmt.Sprintf("%v (status %s)", ErrAlreadyRegistered, e.Status)
}

// Is makes errors.Is(err, ErrAlreadyRegistered) true.
func (e *AlreadyRegisteredError) Is(target error) bool { return target == ErrAlreadyRegistered }

// ErrorKey is the translation key of a refusal or sentinel error of this
// package, "error.invalid" for valid.Errors (whose fields carry their own
// keys), or "" for other errors.
func ErrorKey(err error) string {
	var fe valid.Errors
	if errors.As(err, &fe) {
		return "error.invalid"
	}
	for _, k := range errorKeys {
		if errors.Is(err, k.err) {
			return k.key
		}
	}
	return ""
}

var errorKeys = []struct {
	err error
	key string
}{
	{ErrNotOpen, "error.forum_not_open"},
	{ErrCancelled, "error.forum_cancelled"},
	{ErrNotYetOpen, "error.forum_not_yet_open"},
	{ErrDeadlinePassed, "error.forum_deadline_passed"},
	{ErrInvitationRequired, "error.forum_invitation_required"},
	{ErrAlreadyRegistered, "error.forum_already_registered"},
	{ErrInvalidToken, "error.forum_invalid_token"},
	{ErrInvalidTransition, "error.forum_invalid_transition"},
	{ErrNotActive, "error.forum_registration_cancelled"},
	{ErrNotConfirmed, "error.forum_not_confirmed"},
	{ErrNotWaitlisted, "error.forum_not_waitlisted"},
	{ErrNoSeat, "error.forum_no_seat"},
	{ErrThemesClosed, "error.forum_themes_closed"},
	{ErrAlreadyVoted, "error.forum_already_voted"},
	{ErrNotVoter, "error.forum_not_voter"},
	{ErrAgendaEmpty, "error.forum_agenda_empty"},
	{ErrInviteNotOpen, "error.forum_invite_not_open"},
}
