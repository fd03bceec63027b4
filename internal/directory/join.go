package directory

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
)

// JoinValidity is how long a "join the community" confirmation link works.
const JoinValidity = 72 * time.Hour

// JoinInput is the public "join the community" form.
type JoinInput struct {
	FirstName    string   `json:"first_name"`
	LastName     string   `json:"last_name"`
	Name         string   `json:"name"`
	Email        string   `json:"email"`
	Organisation string   `json:"organisation"`
	Sectors      []string `json:"sectors"`
	Language     string   `json:"language"`
	// Consent to the privacy notice is required; Info and Invitations say
	// what the person wants to receive.
	Consent     bool `json:"consent"`
	Info        bool `json:"info"`
	Invitations bool `json:"invitations"`
}

// Validate checks the form.
func (in *JoinInput) Validate(ctx context.Context, q store.Querier) error {
	p := PersonInput{FirstName: in.FirstName, LastName: in.LastName, Name: in.Name, Email: in.Email, Sectors: in.Sectors, Language: in.Language}
	fe := p.check()
	in.FirstName, in.LastName, in.Email, in.Language = p.FirstName, p.LastName, p.Email, p.Language
	in.Organisation = clean(in.Organisation)
	if len([]rune(in.Organisation)) > 200 {
		fe["organisation"] = "error.too_long"
	}
	sectors, err := checkSectors(ctx, q, in.Sectors)
	if errors.Is(err, errUnknownSector) {
		fe["sectors"] = "error.sector_unknown"
	} else if err != nil {
		return err
	}
	in.Sectors = sectors
	if !in.Consent {
		fe["consent"] = "error.consent_required"
	}
	return fe.Err()
}

// RequestJoin validates the form and stores the request until the person
// confirms it from the mail; it returns the confirmation secret to put in
// that mail (sent in the same transaction by the caller).
func RequestJoin(ctx context.Context, tx *sql.Tx, in JoinInput) (string, error) {
	if err := in.Validate(ctx, tx); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	rand.Read(b)
	secret := base64.RawURLEncoding.EncodeToString(b)
	payload, _ := json.Marshal(in)
	now := store.Now()
	_, err := tx.ExecContext(ctx, `INSERT INTO join_requests (id, token_hash, email, payload, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		store.NewID(), auth.Hash(secret), in.Email, string(payload), now, now.Add(JoinValidity))
	return secret, err
}

// ErrJoinLinkInvalid covers unknown, used and expired confirmation links.
var ErrJoinLinkInvalid = errors.New("invalid or expired confirmation link")

// ConfirmJoin turns a confirmed request into a person (or updates the
// person with that address), recording the consent given on the form with
// its date. The organisation is matched by name or created.
func ConfirmJoin(ctx context.Context, tx *sql.Tx, secret string) (*Person, error) {
	var id, payload string
	err := tx.QueryRowContext(ctx, `SELECT id, payload FROM join_requests WHERE token_hash = $1 AND confirmed_at IS NULL AND expires_at > $2`,
		auth.Hash(secret), store.Now()).Scan(&id, &payload)
	if err != nil {
		if errors.Is(store.Map(err), store.ErrNotFound) {
			return nil, ErrJoinLinkInvalid
		}
		return nil, err
	}
	// A link clicked twice at once is confirmed by one transaction only.
	res, err := tx.ExecContext(ctx, `UPDATE join_requests SET confirmed_at = $1 WHERE id = $2 AND confirmed_at IS NULL`, store.Now(), id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, ErrJoinLinkInvalid
	}
	var in JoinInput
	if err := json.Unmarshal([]byte(payload), &in); err != nil {
		return nil, err
	}
	orgID := ""
	if in.Organisation != "" {
		if err := store.Lock(ctx, tx, OrganisationNamesLock); err != nil {
			return nil, err
		}
		o, err := OrganisationByName(ctx, tx, in.Organisation)
		switch {
		case err == nil:
			orgID = o.ID
		case errors.Is(err, store.ErrNotFound):
			o, err := insertOrganisation(ctx, tx, OrganisationInput{Name: in.Organisation, Kind: "association"})
			if err != nil {
				return nil, err
			}
			orgID = o.ID
		default:
			return nil, err
		}
	}
	info, inv := in.Info, in.Invitations
	p := PersonInput{FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, OrganisationID: orgID, Sectors: in.Sectors,
		Language: in.Language, ConsentInfo: &info, ConsentInvitations: &inv, ConsentMethod: MethodForm, Source: "join"}
	existing, err := PersonByEmail(ctx, tx, in.Email)
	switch {
	case err == nil:
		// The form replaces what it asks for and keeps the rest.
		if p.OrganisationID == "" {
			p.OrganisationID = existing.OrganisationID
		}
		if len(p.Sectors) == 0 {
			p.Sectors = existing.Sectors
		}
		p.Function, p.Phone = existing.Function, existing.Phone
		if _, err := tx.ExecContext(ctx, `UPDATE people SET opted_out = FALSE WHERE id = $1`, existing.ID); err != nil {
			return nil, err
		}
		// Confirming from the mailbox lifts the suppression whatever its
		// reason, as for a newcomer: an address erased, then re-imported by
		// an organiser, would otherwise stay unmailable although its owner
		// asked to join.
		if _, err := tx.ExecContext(ctx, `DELETE FROM suppressions WHERE email_hash = $1`, EmailHash(in.Email)); err != nil {
			return nil, err
		}
		return UpdatePerson(ctx, tx, existing.ID, p)
	case errors.Is(err, store.ErrNotFound):
		if _, err := tx.ExecContext(ctx, `DELETE FROM suppressions WHERE email_hash = $1`, EmailHash(in.Email)); err != nil {
			return nil, err
		}
		return CreatePerson(ctx, tx, p)
	default:
		return nil, err
	}
}
