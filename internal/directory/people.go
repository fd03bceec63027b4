package directory

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/store"
)

// Consent purposes.
const (
	PurposeInfo        = "info"        // information about forums
	PurposeInvitations = "invitations" // invitations to forums
)

// Consent collection methods.
const (
	MethodForm     = "form"
	MethodImport   = "import"
	MethodInPerson = "in_person"
)

// ValidMethod tells whether m is a consent collection method.
func ValidMethod(m string) bool { return m == MethodForm || m == MethodImport || m == MethodInPerson }

// Person is someone of the community. Everything here is personal data:
// never on public pages or in public API answers.
type Person struct {
	ID               string    `json:"id"`
	FirstName        string    `json:"first_name"`
	LastName         string    `json:"last_name"`
	Name             string    `json:"name"`
	Email            string    `json:"email"`
	OrganisationID   string    `json:"organisation_id"`
	OrganisationName string    `json:"organisation"`
	College          string    `json:"college"`
	Function         string    `json:"function"`
	Phone            string    `json:"phone"`
	Sectors          []string  `json:"sectors"`
	Language         string    `json:"language"`
	Consent          Consent   `json:"consent"`
	OptedOut         bool      `json:"opted_out"`
	Source           string    `json:"source"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Consent is the current state of a person's consent per purpose.
type Consent struct {
	Info        bool `json:"info"`
	Invitations bool `json:"invitations"`
}

// PersonInput is what a form, an API call or an import row gives.
type PersonInput struct {
	FirstName      string   `json:"first_name"`
	LastName       string   `json:"last_name"`
	Name           string   `json:"name"`
	Email          string   `json:"email"`
	OrganisationID string   `json:"organisation_id"`
	Function       string   `json:"function"`
	Phone          string   `json:"phone"`
	Sectors        []string `json:"sectors"`
	Language       string   `json:"language"`
	// Consent, when set, records the person's consent with ConsentMethod.
	ConsentInfo        *bool  `json:"consent_info"`
	ConsentInvitations *bool  `json:"consent_invitations"`
	ConsentMethod      string `json:"consent_method"`
	Source             string `json:"-"`
}

// SplitName cuts a full name at its last space (any Unicode space, such as
// the no-break space spreadsheets put in names): "Marie-Claire de Vries" →
// ("Marie-Claire de", "Vries"). A single word is a last name.
func SplitName(full string) (first, last string) {
	full = clean(full)
	i := strings.LastIndexFunc(full, unicode.IsSpace)
	if i < 0 {
		return "", full
	}
	_, size := utf8.DecodeRuneInString(full[i:])
	return strings.TrimSpace(full[:i]), strings.TrimSpace(full[i+size:])
}

// Validate checks and normalises the input; known is the sector taxonomy
// (loaded once by imports; nil to load it).
func (in *PersonInput) Validate(ctx context.Context, q store.Querier) error {
	fe := in.check()
	sectors, err := checkSectors(ctx, q, in.Sectors)
	if errors.Is(err, errUnknownSector) {
		fe["sectors"] = "error.sector_unknown"
	} else if err != nil {
		return err
	}
	in.Sectors = sectors
	if in.OrganisationID != "" && fe["organisation_id"] == "" {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1`, in.OrganisationID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			fe["organisation_id"] = "error.organisation_unknown"
		}
	}
	return fe.Err()
}

// check validates what needs no database.
func (in *PersonInput) check() FieldErrors {
	fe := FieldErrors{}
	in.FirstName, in.LastName, in.Name = clean(in.FirstName), clean(in.LastName), clean(in.Name)
	if in.FirstName == "" && in.LastName == "" && in.Name != "" {
		in.FirstName, in.LastName = SplitName(in.Name)
	}
	if in.LastName == "" {
		if in.FirstName == "" {
			fe["name"] = "error.name_required"
		}
		fe["last_name"] = "error.required"
	}
	if utf8.RuneCountInString(in.FirstName) > 100 {
		fe["first_name"] = "error.too_long"
	}
	if utf8.RuneCountInString(in.LastName) > 100 {
		fe["last_name"] = "error.too_long"
	}
	email, ok := auth.NormaliseEmail(in.Email)
	in.Email = email
	if email == "" {
		fe["email"] = "error.required"
	} else if !ok {
		fe["email"] = "error.email_invalid"
	}
	in.Function, in.Phone = clean(in.Function), clean(in.Phone)
	if utf8.RuneCountInString(in.Function) > 200 {
		fe["function"] = "error.too_long"
	}
	if in.Phone != "" && !validPhone(in.Phone) {
		fe["phone"] = "error.phone_invalid"
	}
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	switch in.Language {
	case "":
		in.Language = i18n.Default
	case "français", "francais", "french":
		in.Language = "fr"
	case "anglais", "english":
		in.Language = "en"
	}
	if !i18n.Supported(in.Language) {
		fe["language"] = "error.language_invalid"
	}
	if (in.ConsentInfo != nil || in.ConsentInvitations != nil) && !ValidMethod(in.ConsentMethod) {
		fe["consent_method"] = "error.consent_method_invalid"
	}
	return fe
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ .-()/", r):
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 20
}

func searchText(first, last, email string) string {
	return Fold(first+" "+last) + " | " + Fold(last+" "+first) + " | " + Fold(email)
}

func sortKey(first, last string) string { return Fold(last + " " + first) }

// ErrEmailTaken means another person has this e-mail.
var ErrEmailTaken = errors.New("a person with this e-mail exists already")

// CreatePerson validates in and inserts the person within tx, with their
// consent if given.
func CreatePerson(ctx context.Context, tx *sql.Tx, in PersonInput) (*Person, error) {
	if err := in.Validate(ctx, tx); err != nil {
		return nil, err
	}
	id := store.NewID()
	now := store.Now()
	var org any
	if in.OrganisationID != "" {
		org = in.OrganisationID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO people (id, first_name, last_name, email, organisation_id, function, phone, language,
		source, search_text, sort_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
		id, in.FirstName, in.LastName, in.Email, org, in.Function, in.Phone, in.Language, in.Source,
		searchText(in.FirstName, in.LastName, in.Email), sortKey(in.FirstName, in.LastName), now)
	if err = store.Map(err); errors.Is(err, store.ErrConflict) {
		return nil, ErrEmailTaken
	} else if err != nil {
		return nil, err
	}
	if err := setSectors(ctx, tx, "person_sectors", "person_id", id, in.Sectors); err != nil {
		return nil, err
	}
	if err := indexPerson(ctx, tx, id, in.FirstName, in.LastName, in.Email); err != nil {
		return nil, err
	}
	if err := applyConsent(ctx, tx, id, in); err != nil {
		return nil, err
	}
	return GetPerson(ctx, tx, id)
}

// UpdatePerson replaces the fields of a person.
func UpdatePerson(ctx context.Context, tx *sql.Tx, id string, in PersonInput) (*Person, error) {
	if err := in.Validate(ctx, tx); err != nil {
		return nil, err
	}
	var org any
	if in.OrganisationID != "" {
		org = in.OrganisationID
	}
	res, err := tx.ExecContext(ctx, `UPDATE people SET first_name = $1, last_name = $2, email = $3, organisation_id = $4, function = $5,
		phone = $6, language = $7, search_text = $8, sort_key = $9, updated_at = $10 WHERE id = $11`,
		in.FirstName, in.LastName, in.Email, org, in.Function, in.Phone, in.Language,
		searchText(in.FirstName, in.LastName, in.Email), sortKey(in.FirstName, in.LastName), store.Now(), id)
	if err = store.Map(err); errors.Is(err, store.ErrConflict) {
		return nil, ErrEmailTaken
	} else if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, store.ErrNotFound
	}
	if err := setSectors(ctx, tx, "person_sectors", "person_id", id, in.Sectors); err != nil {
		return nil, err
	}
	if err := indexPerson(ctx, tx, id, in.FirstName, in.LastName, in.Email); err != nil {
		return nil, err
	}
	if err := applyConsent(ctx, tx, id, in); err != nil {
		return nil, err
	}
	return GetPerson(ctx, tx, id)
}

func applyConsent(ctx context.Context, tx *sql.Tx, id string, in PersonInput) error {
	if in.ConsentInfo != nil {
		if err := SetConsent(ctx, tx, id, PurposeInfo, *in.ConsentInfo, in.ConsentMethod); err != nil {
			return err
		}
	}
	if in.ConsentInvitations != nil {
		return SetConsent(ctx, tx, id, PurposeInvitations, *in.ConsentInvitations, in.ConsentMethod)
	}
	return nil
}

// SetConsent records a consent given or withdrawn, keeping the history.
// Nothing is written when the state does not change.
func SetConsent(ctx context.Context, tx *sql.Tx, personID, purpose string, granted bool, method string) error {
	column := map[string]string{PurposeInfo: "consent_info", PurposeInvitations: "consent_invitations"}[purpose]
	if column == "" {
		return errors.New("unknown consent purpose " + purpose)
	}
	var current bool
	if err := tx.QueryRowContext(ctx, `SELECT `+column+` FROM people WHERE id = $1`, personID).Scan(&current); err != nil {
		return store.Map(err)
	}
	var history int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM consents WHERE person_id = $1 AND purpose = $2`, personID, purpose).Scan(&history); err != nil {
		return err
	}
	if current == granted && (history > 0 || !granted) {
		return nil
	}
	now := store.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO consents (id, person_id, purpose, granted, method, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		store.NewID(), personID, purpose, granted, method, now); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE people SET `+column+` = $1, updated_at = $2 WHERE id = $3`, granted, now, personID)
	return err
}

// DeletePerson removes a person (an organiser's correction; erasure for
// personal-data requests is Erase).
func DeletePerson(ctx context.Context, tx *sql.Tx, id string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM people WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

const personColumns = `p.id, p.first_name, p.last_name, p.email, COALESCE(p.organisation_id, ''), COALESCE(o.name, ''),
	COALESCE(o.college, 'civil_society'), p.function, p.phone, p.language, p.consent_info, p.consent_invitations, p.opted_out,
	p.source, p.created_at, p.updated_at`

const personFrom = ` FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id`

func scanPerson(row interface{ Scan(...any) error }) (*Person, error) {
	p := &Person{}
	err := row.Scan(&p.ID, &p.FirstName, &p.LastName, &p.Email, &p.OrganisationID, &p.OrganisationName, &p.College,
		&p.Function, &p.Phone, &p.Language, &p.Consent.Info, &p.Consent.Invitations, &p.OptedOut, &p.Source, &p.CreatedAt, &p.UpdatedAt)
	p.Name = strings.TrimSpace(p.FirstName + " " + p.LastName)
	return p, store.Map(err)
}

// GetPerson loads one person with their sectors.
func GetPerson(ctx context.Context, q store.Querier, id string) (*Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personColumns+personFrom+` WHERE p.id = $1`, id))
	if err != nil {
		return nil, err
	}
	s, err := sectorsOf(ctx, q, "person_sectors", "person_id", []string{id})
	if err != nil {
		return nil, err
	}
	p.Sectors = nonNil(s[id])
	return p, nil
}

// PersonByEmail finds a person by e-mail, case ignored.
func PersonByEmail(ctx context.Context, q store.Querier, email string) (*Person, error) {
	email, _ = auth.NormaliseEmail(email)
	var id string
	if err := q.QueryRowContext(ctx, `SELECT id FROM people WHERE email = $1`, email).Scan(&id); err != nil {
		return nil, store.Map(err)
	}
	return GetPerson(ctx, q, id)
}
