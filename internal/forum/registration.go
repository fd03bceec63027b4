package forum

import (
	"context"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Registration statuses.
const (
	Confirmed  = "confirmed"
	Waitlisted = "waitlisted"
	Cancelled  = "cancelled"
)

// Who cancelled a registration.
const (
	ByRegistrant = "registrant"
	ByOrganiser  = "organiser"
	ByErasure    = "erasure"
	ByMerge      = "merge"
)

// Registration is one person's registration to a forum. Everything here
// but the counts is personal data: organisers only.
type Registration struct {
	ID           string `json:"id"`
	ForumID      string `json:"forum_id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Email        string `json:"email"`
	Language     string `json:"language"`
	Organisation string `json:"organisation"`
	College      string `json:"college"`
	Function     string `json:"function"`
	// Accessibility and Dietary are the needs the person stated.
	Accessibility string `json:"accessibility"`
	Dietary       string `json:"dietary"`
	// ConsentAt is when the person accepted the privacy notice.
	ConsentAt *time.Time `json:"consent_at,omitempty"`
	// PublicListing: the person agreed that their organisation appears in
	// the public list of participating organisations.
	PublicListing bool   `json:"public_listing"`
	Status        string `json:"status"`
	// WaitlistPosition is 1 for the first person waiting, 0 when not
	// waiting.
	WaitlistPosition int  `json:"waitlist_position,omitempty"`
	WalkIn           bool `json:"walk_in"`
	// CheckInToken is the code in the QR code of the confirmation mail.
	CheckInToken string     `json:"check_in_token,omitempty"`
	CheckedInAt  *time.Time `json:"checked_in_at,omitempty"`
	CancelledBy  string     `json:"cancelled_by,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	ConfirmedAt  *time.Time `json:"confirmed_at,omitempty"`
	CancelledAt  *time.Time `json:"cancelled_at,omitempty"`
	AnonymisedAt *time.Time `json:"anonymised_at,omitempty"`
}

// Name is "First Last".
func (r *Registration) Name() string {
	if r.FirstName == "" {
		return r.LastName
	}
	return r.FirstName + " " + r.LastName
}

// Active tells whether the registration holds a seat or a place in line.
func (r *Registration) Active() bool { return r.Status == Confirmed || r.Status == Waitlisted }

const registrationColumns = `id, forum_id, first_name, last_name, email, language, organisation, college, function,
	accessibility, dietary, consent_privacy_at, public_listing, status, COALESCE(waitlist_position, 0), walk_in, checkin_token,
	checked_in_at, cancelled_by, created_at, updated_at, confirmed_at, cancelled_at, anonymised_at`

func scanRegistration(row interface{ Scan(...any) error }) (*Registration, error) {
	r := &Registration{}
	err := row.Scan(&r.ID, &r.ForumID, &r.FirstName, &r.LastName, &r.Email, &r.Language, &r.Organisation, &r.College,
		&r.Function, &r.Accessibility, &r.Dietary, &r.ConsentAt, &r.PublicListing, &r.Status, &r.WaitlistPosition, &r.WalkIn,
		&r.CheckInToken, &r.CheckedInAt, &r.CancelledBy, &r.CreatedAt, &r.UpdatedAt, &r.ConfirmedAt, &r.CancelledAt, &r.AnonymisedAt)
	if err != nil {
		return nil, store.Map(err)
	}
	return r, nil
}

// GetRegistration loads a registration.
func GetRegistration(ctx context.Context, q store.Querier, id string) (*Registration, error) {
	return scanRegistration(q.QueryRowContext(ctx, `SELECT `+registrationColumns+` FROM forum_registrations WHERE id = $1`, id))
}

// RegistrationInput is the registration form. A single Name is split at
// its last space when FirstName and LastName are both empty.
type RegistrationInput struct {
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	Organisation  string `json:"organisation"`
	College       string `json:"college"`
	Function      string `json:"function"`
	Accessibility string `json:"accessibility"`
	Dietary       string `json:"dietary"`
	// Language of the mails: "fr" (default) or "en".
	Language string `json:"language"`
	// Consent to the privacy notice, required.
	Consent bool `json:"consent"`
	// PublicListing: optional consent to appear in the public list of
	// participating organisations.
	PublicListing bool `json:"public_listing"`
	// InvitationToken is the personal invitation, for invitation-only
	// forums.
	InvitationToken string `json:"invitation"`
}

// Validate checks and normalises the form: names, address, college,
// lengths, language and consent.
func (in *RegistrationInput) Validate() error {
	fe := in.check(true)
	if !in.Consent {
		fe["consent"] = "error.consent_required"
	}
	return fe.Err()
}

// check validates everything but consent; the address is required when
// emailRequired.
func (in *RegistrationInput) check(emailRequired bool) valid.Errors {
	fe := valid.Errors{}
	in.FirstName, in.LastName, in.Name = line(in.FirstName), line(in.LastName), line(in.Name)
	if in.FirstName == "" && in.LastName == "" && in.Name != "" {
		in.FirstName, in.LastName = directory.SplitName(in.Name)
	}
	in.Organisation, in.College, in.Function = line(in.Organisation), line(in.College), line(in.Function)
	in.Accessibility, in.Dietary = text(in.Accessibility), line(in.Dietary)
	in.InvitationToken, in.Language = line(in.InvitationToken), line(in.Language)
	maxText(fe, "first_name", in.FirstName, 100)
	if in.LastName == "" {
		if in.Name != "" || in.FirstName != "" {
			fe["last_name"] = "error.required"
		} else {
			fe["name"] = "error.required"
			fe["last_name"] = "error.required"
		}
	} else {
		maxText(fe, "last_name", in.LastName, 100)
	}
	email, ok := auth.NormaliseEmail(in.Email)
	in.Email = email
	switch {
	case email == "" && emailRequired:
		fe["email"] = "error.required"
	case email != "" && !ok:
		fe["email"] = "error.email_invalid"
	}
	maxText(fe, "organisation", in.Organisation, 200)
	switch {
	case in.College == "":
		fe["college"] = "error.required"
	case !directory.ValidCollege(in.College):
		fe["college"] = "error.college_invalid"
	}
	maxText(fe, "function", in.Function, 200)
	maxText(fe, "accessibility", in.Accessibility, 1000)
	maxText(fe, "dietary", in.Dietary, 200)
	if in.Language == "" {
		in.Language = i18n.Default
	} else if !i18n.Supported(in.Language) {
		fe["language"] = "error.language_invalid"
	}
	return fe
}

// orgKey is how organisations are compared for the cap.
func orgKey(name string) string { return directory.Fold(name) }

// sortKey orders the attendance list by surname, accents and case ignored.
func sortKey(first, last string) string { return directory.Fold(last) + " " + directory.Fold(first) }

func searchText(first, last, email, org string) string {
	return directory.Fold(first + " " + last + " " + email + " " + org)
}
