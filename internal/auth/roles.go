// Package auth holds the people who sign in, their roles, passwordless
// sign-in links, browser sessions and API tokens. Secrets are random and only
// their SHA-256 hash is stored.
package auth

import (
	"errors"
	"fmt"
	"strings"
)

// Role is what a signed-in person may do. The public has no role.
type Role string

const (
	Public    Role = ""
	Admin     Role = "admin"
	Organiser Role = "organiser"
	Agent     Role = "agent"
	Member    Role = "member"
)

// Roles lists every role of a signed-in person, most powerful first.
var Roles = []Role{Admin, Organiser, Agent, Member}

// ParseRole reads a role name; "organizer" is accepted for organiser.
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "admin":
		return Admin, nil
	case "organiser", "organizer":
		return Organiser, nil
	case "agent":
		return Agent, nil
	case "member":
		return Member, nil
	}
	return Public, fmt.Errorf("%w: %q (want admin, organiser, agent or member)", ErrInvalidRole, s)
}

// ErrInvalidRole is returned for an unknown role name.
var ErrInvalidRole = errors.New("unknown role")

// AtLeastOrganiser tells whether r manages forums and the directory.
func (r Role) AtLeastOrganiser() bool { return r == Admin || r == Organiser }
