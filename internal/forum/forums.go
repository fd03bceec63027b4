package forum

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
	"github.com/ogforum/ogforum/internal/zone"
)

// Forum statuses. A forum is prepared as a draft, opened to registration,
// closed (registration over), held, then reported (minutes published), or
// cancelled at any point before it is held.
const (
	StatusDraft     = "draft"
	StatusOpen      = "open"
	StatusClosed    = "closed"
	StatusHeld      = "held"
	StatusReported  = "reported"
	StatusCancelled = "cancelled"
)

// Statuses lists the statuses in the order of a forum's life.
var Statuses = []string{StatusDraft, StatusOpen, StatusClosed, StatusHeld, StatusReported, StatusCancelled}

// transitions are the allowed status changes.
var transitions = map[string][]string{
	StatusDraft:     {StatusOpen, StatusCancelled},
	StatusOpen:      {StatusClosed, StatusHeld, StatusCancelled},
	StatusClosed:    {StatusOpen, StatusHeld, StatusCancelled},
	StatusHeld:      {StatusReported},
	StatusReported:  nil,
	StatusCancelled: nil,
}

// CanTransition tells whether a forum may go from status from to status to.
func CanTransition(from, to string) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Forum is one meeting. Its fields are public (no personal data).
type Forum struct {
	ID          string    `json:"id"`
	SeriesID    string    `json:"series_id,omitempty"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Timezone    string    `json:"timezone"`
	Venue       string    `json:"venue"`
	Address     string    `json:"address"`
	AccessInfo  string    `json:"access_info"`
	VideoURL    string    `json:"video_url,omitempty"`
	Capacity    int       `json:"capacity"`
	// RegistrationOpensAt, when set, is when registration opens (in
	// status open); RegistrationDeadline, when set, when it ends (else at
	// the start of the forum).
	RegistrationOpensAt  *time.Time `json:"registration_opens_at,omitempty"`
	RegistrationDeadline *time.Time `json:"registration_deadline,omitempty"`
	Status               string     `json:"status"`
	// CivilSocietyShare is the percentage of seats reserved for the
	// civil_society college (see the package documentation).
	CivilSocietyShare int `json:"civil_society_share"`
	// MaxPerOrganisation caps the active registrations of one
	// organisation; 0 means no cap.
	MaxPerOrganisation int        `json:"max_per_organisation"`
	InvitationOnly     bool       `json:"invitation_only"`
	AgendaPublishedAt  *time.Time `json:"agenda_published_at,omitempty"`
	// Sequence counts the changes of date, place or status, for the
	// SEQUENCE of calendar events.
	Sequence      int        `json:"-"`
	CommitmentIDs []string   `json:"commitment_ids"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	CancelledAt   *time.Time `json:"cancelled_at,omitempty"`
}

// Deadline is when registration ends: the deadline if set, else the start.
func (f *Forum) Deadline() time.Time {
	if f.RegistrationDeadline != nil {
		return *f.RegistrationDeadline
	}
	return f.StartsAt
}

// Location is the forum's time zone (the team's if its name is unknown).
func (f *Forum) Location() *time.Location {
	if loc, err := location(f.Timezone); err == nil {
		return loc
	}
	return zone.Get()
}

// locations caches time.LoadLocation, which reads the zone database at
// every call.
var locations sync.Map

func location(name string) (*time.Location, error) {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, errors.New("unknown time zone")
	}
	locations.Store(name, loc)
	return loc, nil
}

// ReservedSeats is R, the seats reserved for civil society: the
// civil-society share of the capacity, rounded up.
func (f *Forum) ReservedSeats() int {
	return (f.Capacity*f.CivilSocietyShare + 99) / 100
}

// ForumInput is what a form or an API call gives; times are instants
// (RFC 3339 in JSON), stored in UTC.
type ForumInput struct {
	SeriesID             string     `json:"series_id"`
	Title                string     `json:"title"`
	Description          string     `json:"description"`
	StartsAt             time.Time  `json:"starts_at"`
	EndsAt               time.Time  `json:"ends_at"`
	Timezone             string     `json:"timezone"`
	Venue                string     `json:"venue"`
	Address              string     `json:"address"`
	AccessInfo           string     `json:"access_info"`
	VideoURL             string     `json:"video_url"`
	Capacity             int        `json:"capacity"`
	RegistrationOpensAt  *time.Time `json:"registration_opens_at"`
	RegistrationDeadline *time.Time `json:"registration_deadline"`
	CivilSocietyShare    int        `json:"civil_society_share"`
	MaxPerOrganisation   int        `json:"max_per_organisation"`
	InvitationOnly       bool       `json:"invitation_only"`
	CommitmentIDs        []string   `json:"commitment_ids"`
}

// Input returns the forum's current values as an input, to edit them.
func (f *Forum) Input() ForumInput {
	return ForumInput{
		SeriesID: f.SeriesID, Title: f.Title, Description: f.Description, StartsAt: f.StartsAt, EndsAt: f.EndsAt,
		Timezone: f.Timezone, Venue: f.Venue, Address: f.Address, AccessInfo: f.AccessInfo, VideoURL: f.VideoURL,
		Capacity: f.Capacity, RegistrationOpensAt: f.RegistrationOpensAt, RegistrationDeadline: f.RegistrationDeadline,
		CivilSocietyShare: f.CivilSocietyShare, MaxPerOrganisation: f.MaxPerOrganisation, InvitationOnly: f.InvitationOnly,
		CommitmentIDs: append([]string(nil), f.CommitmentIDs...),
	}
}

// Validate checks and normalises the input; it looks the series up in q.
func (in *ForumInput) Validate(ctx context.Context, q store.Querier) error {
	fe := valid.Errors{}
	in.SeriesID, in.Title, in.Timezone = line(in.SeriesID), line(in.Title), line(in.Timezone)
	in.Venue, in.Address, in.VideoURL = line(in.Venue), line(in.Address), line(in.VideoURL)
	in.Description, in.AccessInfo = text(in.Description), text(in.AccessInfo)
	if in.Timezone == "" {
		in.Timezone = zone.Name()
	}
	requiredText(fe, "title", in.Title, 200)
	maxText(fe, "description", in.Description, 5000)
	maxText(fe, "venue", in.Venue, 200)
	maxText(fe, "address", in.Address, 300)
	maxText(fe, "access_info", in.AccessInfo, 2000)
	if in.VideoURL != "" && (!validWebURL(in.VideoURL) || tooLong(in.VideoURL, 500)) {
		fe["video_url"] = "error.url_invalid"
	}
	if _, err := location(in.Timezone); err != nil {
		fe["timezone"] = "error.forum_timezone_invalid"
	}
	in.StartsAt, in.EndsAt = in.StartsAt.UTC().Truncate(time.Second), in.EndsAt.UTC().Truncate(time.Second)
	switch {
	case in.StartsAt.IsZero() || in.StartsAt.Year() < 2000:
		fe["starts_at"] = "error.required"
	case in.EndsAt.IsZero():
		fe["ends_at"] = "error.required"
	case !in.EndsAt.After(in.StartsAt):
		fe["ends_at"] = "error.forum_ends_before_start"
	case in.EndsAt.Sub(in.StartsAt) > 7*24*time.Hour:
		fe["ends_at"] = "error.forum_too_long"
	}
	for _, p := range []**time.Time{&in.RegistrationOpensAt, &in.RegistrationDeadline} {
		if *p != nil && (*p).IsZero() {
			*p = nil
		}
		if *p != nil {
			t := (*p).UTC().Truncate(time.Second)
			*p = &t
		}
	}
	if d := in.RegistrationDeadline; d != nil && fe["ends_at"] == "" && fe["starts_at"] == "" && d.After(in.EndsAt) {
		fe["registration_deadline"] = "error.forum_deadline_after_end"
	}
	if o, d := in.RegistrationOpensAt, in.RegistrationDeadline; o != nil && d != nil && !o.Before(*d) {
		fe["registration_opens_at"] = "error.forum_opens_after_deadline"
	}
	if in.Capacity < 1 || in.Capacity > MaxCapacity {
		fe["capacity"] = "error.forum_capacity_range"
	}
	if in.CivilSocietyShare < 0 || in.CivilSocietyShare > 100 {
		fe["civil_society_share"] = "error.forum_share_range"
	}
	if in.MaxPerOrganisation < 0 || in.MaxPerOrganisation > MaxCapacity {
		fe["max_per_organisation"] = "error.forum_max_per_organisation_range"
	}
	ids, ok := cleanIDs(in.CommitmentIDs)
	if !ok {
		fe["commitment_ids"] = "error.forum_commitments_invalid"
	}
	in.CommitmentIDs = ids
	if in.SeriesID != "" {
		ok, err := seriesExists(ctx, q, in.SeriesID)
		if err != nil {
			return err
		}
		if !ok {
			fe["series_id"] = "error.forum_series_unknown"
		}
	}
	return fe.Err()
}

// cleanIDs trims, deduplicates and checks commitment ids (at most 50, each
// at most 100 characters). Their existence is not checked: the plan's
// commitments are another domain.
func cleanIDs(in []string) ([]string, bool) {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range in {
		id = line(id)
		if id == "" || seen[id] {
			continue
		}
		if tooLong(id, 100) {
			return out, false
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, len(out) <= 50
}

const forumColumns = `id, COALESCE(series_id, ''), title, description, starts_at, ends_at, timezone, venue, address, access_info,
	video_url, capacity, registration_opens_at, registration_deadline, status, civil_society_share, max_per_organisation,
	invitation_only, agenda_published_at, sequence, created_at, updated_at, cancelled_at`

func scanForum(row interface{ Scan(...any) error }) (*Forum, error) {
	f := &Forum{}
	err := row.Scan(&f.ID, &f.SeriesID, &f.Title, &f.Description, &f.StartsAt, &f.EndsAt, &f.Timezone, &f.Venue, &f.Address,
		&f.AccessInfo, &f.VideoURL, &f.Capacity, &f.RegistrationOpensAt, &f.RegistrationDeadline, &f.Status,
		&f.CivilSocietyShare, &f.MaxPerOrganisation, &f.InvitationOnly, &f.AgendaPublishedAt, &f.Sequence,
		&f.CreatedAt, &f.UpdatedAt, &f.CancelledAt)
	if err != nil {
		return nil, store.Map(err)
	}
	f.CommitmentIDs = []string{}
	return f, nil
}

// CreateForum validates in and inserts the forum as a draft.
func CreateForum(ctx context.Context, q store.Querier, in ForumInput) (*Forum, error) {
	if err := in.Validate(ctx, q); err != nil {
		return nil, err
	}
	now := store.Now()
	id := store.NewID()
	var series any
	if in.SeriesID != "" {
		series = in.SeriesID
	}
	_, err := q.ExecContext(ctx, `INSERT INTO forums (id, series_id, title, description, starts_at, ends_at, timezone, venue,
		address, access_info, video_url, capacity, registration_opens_at, registration_deadline, status, civil_society_share,
		max_per_organisation, invitation_only, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'draft', $15, $16, $17, $18, $18)`,
		id, series, in.Title, in.Description, in.StartsAt, in.EndsAt, in.Timezone, in.Venue, in.Address, in.AccessInfo,
		in.VideoURL, in.Capacity, nullTime(in.RegistrationOpensAt), nullTime(in.RegistrationDeadline), in.CivilSocietyShare,
		in.MaxPerOrganisation, in.InvitationOnly, now)
	if err != nil {
		return nil, store.Map(err)
	}
	if err := setCommitments(ctx, q, id, in.CommitmentIDs); err != nil {
		return nil, err
	}
	return GetForum(ctx, q, id)
}

func setCommitments(ctx context.Context, q store.Querier, forumID string, ids []string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM forum_commitments WHERE forum_id = $1`, forumID); err != nil {
		return err
	}
	for _, c := range ids {
		if _, err := q.ExecContext(ctx, `INSERT INTO forum_commitments (forum_id, commitment_id) VALUES ($1, $2)`, forumID, c); err != nil {
			return store.Map(err)
		}
	}
	return nil
}

func loadCommitments(ctx context.Context, q store.Querier, f *Forum) error {
	rows, err := q.QueryContext(ctx, `SELECT commitment_id FROM forum_commitments WHERE forum_id = $1 ORDER BY commitment_id`, f.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	f.CommitmentIDs = []string{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		f.CommitmentIDs = append(f.CommitmentIDs, c)
	}
	return rows.Err()
}

// GetForum loads a forum with its commitment ids.
func GetForum(ctx context.Context, q store.Querier, id string) (*Forum, error) {
	f, err := scanForum(q.QueryRowContext(ctx, `SELECT `+forumColumns+` FROM forums WHERE id = $1`, id))
	if err != nil {
		return nil, err
	}
	return f, loadCommitments(ctx, q, f)
}

// ListFilter selects forums; zero values select everything.
type ListFilter struct {
	SeriesID string
	// Statuses keeps forums in one of these statuses.
	Statuses []string
	// From and To keep forums starting in [From, To).
	From, To time.Time
	// CommitmentID keeps forums focusing on that commitment.
	CommitmentID string
	// Descending lists the latest first.
	Descending bool
	Limit      int
}

// ListForums returns the forums matching the filter by start date, with
// their commitment ids.
func ListForums(ctx context.Context, q store.Querier, lf ListFilter) ([]*Forum, error) {
	query := `SELECT ` + forumColumns + ` FROM forums WHERE ($1 = '' OR series_id = $1)
		AND ($2 = '' OR id IN (SELECT forum_id FROM forum_commitments WHERE commitment_id = $2))`
	args := []any{lf.SeriesID, lf.CommitmentID}
	if !lf.From.IsZero() {
		args = append(args, lf.From.UTC())
		query += ` AND starts_at >= $` + itoa(len(args))
	}
	if !lf.To.IsZero() {
		args = append(args, lf.To.UTC())
		query += ` AND starts_at < $` + itoa(len(args))
	}
	if len(lf.Statuses) > 0 {
		query += ` AND status IN (`
		for i, s := range lf.Statuses {
			args = append(args, s)
			if i > 0 {
				query += `, `
			}
			query += `$` + itoa(len(args))
		}
		query += `)`
	}
	if lf.Descending {
		query += ` ORDER BY starts_at DESC, id DESC`
	} else {
		query += ` ORDER BY starts_at, id`
	}
	if lf.Limit > 0 {
		args = append(args, lf.Limit)
		query += ` LIMIT $` + itoa(len(args))
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []*Forum
	for rows.Next() {
		f, err := scanForum(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, f := range out {
		if err := loadCommitments(ctx, q, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}
