package plan

import (
	"context"
	"errors"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
)

// ErrForbidden means the editor may not make this change: an agent whose
// administration does not lead the commitment, a member, the public, or
// an agent doing what only organisers do. Handlers answer 403.
var ErrForbidden = errors.New("plan: not allowed to change this")

// Editor is who makes a change: a signed-in user, or the command line
// and the demo loader (as an admin). Label (an e-mail or a name) is kept
// in the history for organisers; public pages show the organisation.
type Editor struct {
	UserID         string
	Label          string
	Role           auth.Role
	OrganisationID string
}

// EditorOf is the editor a signed-in user is.
func EditorOf(u *auth.User) Editor {
	return Editor{UserID: u.ID, Label: u.Email, Role: u.Role, OrganisationID: u.OrganisationID}
}

// CanManage tells whether e manages plans: creates and edits plans and
// their axes, creates and imports commitments, sets their lead, number,
// reference, axis and IRM assessment, deletes milestones and dismisses
// alerts. Organisers and admins only.
func (e Editor) CanManage() bool { return e.Role.AtLeastOrganiser() }

// CanEdit is the rule of the issue: a commitment is changed (its text,
// milestones, evidence, indicators and their values, progress updates) by
// organisers and admins, and by the agents of its lead administration —
// not by the agents of supporting administrations, who report through the
// lead, nor by an agent without an administration. It returns nil or
// ErrForbidden.
func (e Editor) CanEdit(leadOrganisationID string) error {
	switch {
	case e.CanManage():
		return nil
	case e.Role == auth.Agent && e.OrganisationID != "" && e.OrganisationID == leadOrganisationID:
		return nil
	}
	return ErrForbidden
}

func (e Editor) mustManage() error {
	if !e.CanManage() {
		return ErrForbidden
	}
	return nil
}

// AuthorizeCommitment tells whether e may change the commitment: nil,
// ErrForbidden, or store.ErrNotFound. Handlers call it (or the functions
// below) to answer 403 before reading a form; every change checks again.
func AuthorizeCommitment(ctx context.Context, q store.Querier, e Editor, commitmentID string) error {
	var lead string
	err := q.QueryRowContext(ctx, `SELECT COALESCE(lead_organisation_id, '') FROM commitments WHERE id = $1`, commitmentID).Scan(&lead)
	if err != nil {
		return store.Map(err)
	}
	return e.CanEdit(lead)
}

// AuthorizeMilestone is AuthorizeCommitment for a milestone's commitment.
func AuthorizeMilestone(ctx context.Context, q store.Querier, e Editor, milestoneID string) error {
	return authorizeChild(ctx, q, e, "milestones", milestoneID)
}

// AuthorizeIndicator is AuthorizeCommitment for an indicator's commitment.
func AuthorizeIndicator(ctx context.Context, q store.Querier, e Editor, indicatorID string) error {
	return authorizeChild(ctx, q, e, "indicators", indicatorID)
}

func authorizeChild(ctx context.Context, q store.Querier, e Editor, table, id string) error {
	var lead string
	err := q.QueryRowContext(ctx, `SELECT COALESCE(c.lead_organisation_id, '') FROM `+table+` x
		JOIN commitments c ON c.id = x.commitment_id WHERE x.id = $1`, id).Scan(&lead)
	if err != nil {
		return store.Map(err)
	}
	return e.CanEdit(lead)
}
