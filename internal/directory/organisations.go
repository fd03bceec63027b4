package directory

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/store"
)

// Colleges: the two sides of the forum.
const (
	CollegeAdministration = "administration"
	CollegeCivilSociety   = "civil_society"
)

// Kinds lists the kinds of organisation, in display order.
var Kinds = []string{
	"association", "collective", "foundation", "union", "research", "media", "company",
	"central_administration", "devolved_service", "local_authority", "independent_authority",
	"public_operator", "international", "individual",
}

var administrationKinds = map[string]bool{
	"central_administration": true, "devolved_service": true, "local_authority": true,
	"independent_authority": true, "public_operator": true,
}

// CollegeOfKind is the college an organisation of that kind belongs to
// unless set otherwise.
func CollegeOfKind(kind string) string {
	if administrationKinds[kind] {
		return CollegeAdministration
	}
	return CollegeCivilSociety
}

// ValidKind tells whether k is one of Kinds.
func ValidKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// ValidCollege tells whether c is a college.
func ValidCollege(c string) bool { return c == CollegeAdministration || c == CollegeCivilSociety }

// Organisation is an administration or a civil-society body. All its
// fields are public.
type Organisation struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	College     string    `json:"college"`
	Sectors     []string  `json:"sectors"`
	Website     string    `json:"website"`
	Description string    `json:"description"`
	City        string    `json:"city"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	collegeExplicit bool
}

// OrganisationInput is what a form or an API call gives. College empty
// means "derived from the kind".
type OrganisationInput struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	College     string   `json:"college"`
	Sectors     []string `json:"sectors"`
	Website     string   `json:"website"`
	Description string   `json:"description"`
	City        string   `json:"city"`
}

// Validate checks and normalises the input.
func (in *OrganisationInput) Validate(ctx context.Context, q store.Querier) error {
	fe := FieldErrors{}
	in.Name, in.City, in.Website = clean(in.Name), clean(in.City), strings.TrimSpace(in.Website)
	in.Description = strings.TrimSpace(in.Description)
	in.Kind, in.College = strings.TrimSpace(in.Kind), strings.TrimSpace(in.College)
	switch {
	case in.Name == "":
		fe["name"] = "error.required"
	case utf8.RuneCountInString(in.Name) > 200:
		fe["name"] = "error.too_long"
	}
	if in.Kind == "" {
		in.Kind = "association"
	}
	if !ValidKind(in.Kind) {
		fe["kind"] = "error.kind_invalid"
	}
	if in.College != "" && !ValidCollege(in.College) {
		fe["college"] = "error.college_invalid"
	}
	if in.Website != "" {
		if !strings.Contains(in.Website, "://") {
			in.Website = "https://" + in.Website
		}
		u, err := url.Parse(in.Website)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Host, ".") || len(in.Website) > 300 {
			fe["website"] = "error.url_invalid"
		}
	}
	if utf8.RuneCountInString(in.Description) > 2000 {
		fe["description"] = "error.too_long"
	}
	if utf8.RuneCountInString(in.City) > 100 {
		fe["city"] = "error.too_long"
	}
	sectors, err := checkSectors(ctx, q, in.Sectors)
	if errors.Is(err, errUnknownSector) {
		fe["sectors"] = "error.sector_unknown"
	} else if err != nil {
		return err
	}
	in.Sectors = sectors
	return fe.Err()
}

func (in *OrganisationInput) college() (string, bool) {
	if in.College != "" {
		return in.College, true
	}
	return CollegeOfKind(in.Kind), false
}

// CreateOrganisation validates in and inserts it within tx.
func CreateOrganisation(ctx context.Context, tx *sql.Tx, in OrganisationInput) (*Organisation, error) {
	if err := in.Validate(ctx, tx); err != nil {
		return nil, err
	}
	return insertOrganisation(ctx, tx, in)
}

func insertOrganisation(ctx context.Context, tx *sql.Tx, in OrganisationInput) (*Organisation, error) {
	now := store.Now()
	college, explicit := in.college()
	o := &Organisation{ID: store.NewID(), Name: in.Name, Kind: in.Kind, College: college, Sectors: in.Sectors,
		Website: in.Website, Description: in.Description, City: in.City, CreatedAt: now, UpdatedAt: now, collegeExplicit: explicit}
	_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, kind, college, college_explicit, website, description, city, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
		o.ID, o.Name, Fold(o.Name), o.Kind, o.College, explicit, o.Website, o.Description, o.City, now)
	if err != nil {
		return nil, store.Map(err)
	}
	if err := setSectors(ctx, tx, "organisation_sectors", "organisation_id", o.ID, o.Sectors); err != nil {
		return nil, err
	}
	if err := indexOrganisation(ctx, tx, o.ID, o.Name); err != nil {
		return nil, err
	}
	if o.Sectors == nil {
		o.Sectors = []string{}
	}
	return o, nil
}

// UpdateOrganisation replaces the fields of an organisation.
func UpdateOrganisation(ctx context.Context, tx *sql.Tx, id string, in OrganisationInput) (*Organisation, error) {
	if err := in.Validate(ctx, tx); err != nil {
		return nil, err
	}
	college, explicit := in.college()
	res, err := tx.ExecContext(ctx, `UPDATE organisations SET name = $1, name_key = $2, kind = $3, college = $4, college_explicit = $5,
		website = $6, description = $7, city = $8, updated_at = $9 WHERE id = $10`,
		in.Name, Fold(in.Name), in.Kind, college, explicit, in.Website, in.Description, in.City, store.Now(), id)
	if err != nil {
		return nil, store.Map(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, store.ErrNotFound
	}
	if err := setSectors(ctx, tx, "organisation_sectors", "organisation_id", id, in.Sectors); err != nil {
		return nil, err
	}
	if err := indexOrganisation(ctx, tx, id, in.Name); err != nil {
		return nil, err
	}
	return GetOrganisation(ctx, tx, id)
}

// ErrInUse means an organisation still has users who sign in, or carries
// or supports commitments of a plan.
var ErrInUse = errors.New("organisation still in use")

// DeleteOrganisation removes an organisation; its people stay, without
// organisation. It refuses while users (agents) belong to it or while it
// leads or supports a commitment.
func DeleteOrganisation(ctx context.Context, tx *sql.Tx, id string) error {
	var uses int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM users WHERE organisation_id = $1)
		+ (SELECT COUNT(*) FROM commitments WHERE lead_organisation_id = $1)
		+ (SELECT COUNT(*) FROM commitment_supporters WHERE organisation_id = $1)`, id).Scan(&uses); err != nil {
		return err
	}
	if uses > 0 {
		return ErrInUse
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM organisations WHERE id = $1`, id)
	if err != nil {
		return store.Map(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

const orgColumns = `o.id, o.name, o.kind, o.college, o.college_explicit, o.website, o.description, o.city, o.created_at, o.updated_at`

func scanOrganisation(row interface{ Scan(...any) error }) (*Organisation, error) {
	o := &Organisation{}
	err := row.Scan(&o.ID, &o.Name, &o.Kind, &o.College, &o.collegeExplicit, &o.Website, &o.Description, &o.City, &o.CreatedAt, &o.UpdatedAt)
	return o, store.Map(err)
}

// GetOrganisation loads one organisation with its sectors.
func GetOrganisation(ctx context.Context, q store.Querier, id string) (*Organisation, error) {
	o, err := scanOrganisation(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations o WHERE o.id = $1`, id))
	if err != nil {
		return nil, err
	}
	s, err := sectorsOf(ctx, q, "organisation_sectors", "organisation_id", []string{id})
	if err != nil {
		return nil, err
	}
	o.Sectors = nonNil(s[id])
	return o, nil
}

// OrganisationNamesLock is the named lock (store.Lock) of whoever finds an
// organisation by name and creates it when missing, taken before the
// lookup: two such transactions at once would otherwise both create it.
const OrganisationNamesLock = "organisation_names"

// OrganisationByName finds an organisation by name, case and accents
// ignored (the oldest if several share it).
func OrganisationByName(ctx context.Context, q store.Querier, name string) (*Organisation, error) {
	return scanOrganisation(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations o WHERE o.name_key = $1 ORDER BY o.id LIMIT 1`, Fold(name)))
}

// OrganisationFilter selects organisations.
type OrganisationFilter struct {
	Q       string
	Kind    string
	College string
	Sector  string
	Limit   int
	Offset  int
}

// ListOrganisations returns a page of organisations sorted by name, and
// the total that match.
func ListOrganisations(ctx context.Context, q store.Querier, f OrganisationFilter) ([]*Organisation, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+itoa(len(args))))
	}
	if s := Fold(f.Q); s != "" {
		add(`o.name_key LIKE ? ESCAPE '\'`, likePattern(s))
	}
	if f.Kind != "" {
		add(`o.kind = ?`, f.Kind)
	}
	if f.College != "" {
		add(`o.college = ?`, f.College)
	}
	if f.Sector != "" {
		add(`EXISTS (SELECT 1 FROM organisation_sectors os WHERE os.organisation_id = o.id AND os.sector_slug = ?)`, f.Sector)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations o`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	args = append(args, limit, max(f.Offset, 0))
	rows, err := q.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations o`+cond+
		` ORDER BY o.name_key, o.id LIMIT $`+itoa(len(args)-1)+` OFFSET $`+itoa(len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*Organisation
	var ids []string
	for rows.Next() {
		o, err := scanOrganisation(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
		ids = append(ids, o.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	sectors, err := sectorsOf(ctx, q, "organisation_sectors", "organisation_id", ids)
	if err != nil {
		return nil, 0, err
	}
	for _, o := range out {
		o.Sectors = nonNil(sectors[o.ID])
	}
	return out, total, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
