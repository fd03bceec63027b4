package auth

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// User is a person who can sign in.
type User struct {
	ID             string    `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	Role           Role      `json:"role"`
	OrganisationID string    `json:"organisation_id,omitempty"`
	Language       string    `json:"language"`
	Disabled       bool      `json:"disabled"`
	CreatedAt      time.Time `json:"created_at"`
}

// FieldErrors maps a field name to a translation key describing what is
// wrong with it. Handlers translate the keys for HTML and JSON alike.
type FieldErrors = valid.Errors

// NormaliseEmail trims and lower-cases an address and checks its form.
func NormaliseEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " \r\n<>,;\"") {
		return s, false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return s, false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") {
		return s, false
	}
	return s, true
}

// NewUser holds what creating a user needs.
type NewUser struct {
	Email          string
	Name           string
	Role           string
	OrganisationID string
	Language       string
}

// Validate checks the fields and returns normalised values.
func (n NewUser) Validate() (NewUser, error) {
	fe := FieldErrors{}
	email, ok := NormaliseEmail(n.Email)
	if !ok {
		fe["email"] = "error.email_invalid"
	}
	n.Email = email
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		fe["name"] = "error.required"
	} else if utf8.RuneCountInString(n.Name) > 200 {
		fe["name"] = "error.too_long"
	}
	role, err := ParseRole(n.Role)
	if err != nil {
		fe["role"] = "error.role_invalid"
	}
	n.Role = string(role)
	// An empty language means no preference yet: the browser's
	// Accept-Language decides until the person uses the switcher.
	if n.Language != "" && n.Language != "fr" && n.Language != "en" {
		fe["language"] = "error.language_invalid"
	}
	if len(fe) > 0 {
		return n, fe
	}
	return n, nil
}

// ErrEmailTaken is returned when a user with that e-mail exists.
var ErrEmailTaken = errors.New("a user with this e-mail exists already")

// CreateUser validates n and inserts the user within q.
func CreateUser(ctx context.Context, q store.Querier, n NewUser) (*User, error) {
	n, err := n.Validate()
	if err != nil {
		return nil, err
	}
	var org any
	if n.OrganisationID != "" {
		var exists int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1`, n.OrganisationID).Scan(&exists); err != nil {
			return nil, err
		}
		if exists == 0 {
			return nil, FieldErrors{"organisation_id": "error.organisation_unknown"}
		}
		org = n.OrganisationID
	}
	now := store.Now()
	u := &User{ID: store.NewID(), Email: n.Email, Name: n.Name, Role: Role(n.Role), OrganisationID: n.OrganisationID, Language: n.Language, CreatedAt: now}
	_, err = q.ExecContext(ctx, `INSERT INTO users (id, email, name, role, organisation_id, language, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, u.ID, u.Email, u.Name, string(u.Role), org, u.Language, now)
	if err = store.Map(err); errors.Is(err, store.ErrConflict) {
		return nil, ErrEmailTaken
	}
	return u, err
}

const userColumns = `id, email, name, role, COALESCE(organisation_id, ''), language, disabled, created_at`

// scanUser reads a row of userColumns, followed by the columns that extra
// receive, if any.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (*User, error) {
	u := &User{}
	var role string
	err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &role, &u.OrganisationID, &u.Language, &u.Disabled, &u.CreatedAt}, extra...)...)
	u.Role = Role(role)
	return u, store.Map(err)
}

// UserByID loads a user.
func UserByID(ctx context.Context, q store.Querier, id string) (*User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// UserByEmail loads a user by address, case ignored.
func UserByEmail(ctx context.Context, q store.Querier, email string) (*User, error) {
	email, _ = NormaliseEmail(email)
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
}

// ListUsers returns every user, by name.
func ListUsers(ctx context.Context, q store.Querier) ([]*User, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetLanguage records a user's preferred interface language.
func SetLanguage(ctx context.Context, q store.Querier, userID, lang string) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET language = $1, updated_at = $2 WHERE id = $3`, lang, store.Now(), userID)
	return err
}

// UpdateUser changes role, organisation and disabled state (admins).
func UpdateUser(ctx context.Context, q store.Querier, id string, role Role, orgID string, disabled bool) error {
	var org any
	if orgID != "" {
		org = orgID
	}
	res, err := q.ExecContext(ctx, `UPDATE users SET role = $1, organisation_id = $2, disabled = $3, updated_at = $4 WHERE id = $5`,
		string(role), org, disabled, store.Now(), id)
	if err != nil {
		return store.Map(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	if disabled {
		_, err = q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
	}
	return err
}
