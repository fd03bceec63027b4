package forum

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/store"
)

// occupancy is the confirmed seats of a forum.
type occupancy struct {
	confirmed int // every confirmed registration, walk-ins included
	civil     int // of which of the civil_society college
}

func occupancyOf(ctx context.Context, q store.Querier, forumID string) (occupancy, error) {
	var o occupancy
	err := q.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN college = 'civil_society' THEN 1 END) FROM forum_registrations
		WHERE forum_id = $1 AND status = 'confirmed'`, forumID).Scan(&o.confirmed, &o.civil)
	return o, err
}

// seatFor applies the allocation rule of the package documentation: is
// there a seat for one more person of this college?
func (f *Forum) seatFor(o occupancy, college string) bool {
	if o.confirmed >= f.Capacity {
		return false
	}
	if college == directory.CollegeCivilSociety {
		return true
	}
	return o.confirmed-o.civil < f.Capacity-f.ReservedSeats()
}

func (o *occupancy) add(college string) {
	o.confirmed++
	if college == directory.CollegeCivilSociety {
		o.civil++
	}
}

// Availability is the public state of a forum's seats.
type Availability struct {
	Capacity  int `json:"capacity"`
	Confirmed int `json:"confirmed"`
	// SeatsLeft is the free seats (for civil society, who may take any).
	SeatsLeft int `json:"seats_left"`
	// OpenSeatsLeft is the free seats other colleges may still take.
	OpenSeatsLeft int `json:"open_seats_left"`
	// ReservedSeats is the seats reserved for civil society.
	ReservedSeats int `json:"reserved_seats"`
	Waitlisted    int `json:"waitlisted"`
}

// Seats reports a forum's availability.
func Seats(ctx context.Context, q store.Querier, f *Forum) (Availability, error) {
	o, err := occupancyOf(ctx, q, f.ID)
	if err != nil {
		return Availability{}, err
	}
	a := Availability{Capacity: f.Capacity, Confirmed: o.confirmed, ReservedSeats: f.ReservedSeats()}
	a.SeatsLeft = max(0, f.Capacity-o.confirmed)
	a.OpenSeatsLeft = min(a.SeatsLeft, max(0, f.Capacity-a.ReservedSeats-(o.confirmed-o.civil)))
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM forum_registrations WHERE forum_id = $1 AND status = 'waitlisted'`, f.ID).Scan(&a.Waitlisted)
	return a, err
}

// promotes reports whether the waiting list moves in this status.
func promotes(status string) bool { return status == StatusOpen || status == StatusClosed }

// fill promotes waiting people, in order, while the rule finds a seat for
// them (the forum must be locked by the caller). One pass is enough: a
// person skipped for their college or organisation stays without a seat
// as later promotions only fill the room more.
func (s *Service) fill(ctx context.Context, tx *sql.Tx, f *Forum) ([]*Registration, error) {
	if !promotes(f.Status) {
		return nil, nil
	}
	o, err := occupancyOf(ctx, tx, f.ID)
	if err != nil {
		return nil, err
	}
	if o.confirmed >= f.Capacity {
		return nil, nil
	}
	var perOrg map[string]int
	if f.MaxPerOrganisation > 0 {
		if perOrg, err = confirmedPerOrganisation(ctx, tx, f.ID); err != nil {
			return nil, err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, college, organisation_key FROM forum_registrations
		WHERE forum_id = $1 AND status = 'waitlisted' ORDER BY waitlist_position, created_at, id`, f.ID)
	if err != nil {
		return nil, err
	}
	type candidate struct{ id, college, org string }
	var chosen []candidate
	for rows.Next() && o.confirmed < f.Capacity {
		var c candidate
		if err := rows.Scan(&c.id, &c.college, &c.org); err != nil {
			rows.Close()
			return nil, err
		}
		if !f.seatFor(o, c.college) {
			continue
		}
		if f.MaxPerOrganisation > 0 && c.org != "" && perOrg[c.org] >= f.MaxPerOrganisation {
			continue
		}
		o.add(c.college)
		if perOrg != nil {
			perOrg[c.org]++
		}
		chosen = append(chosen, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*Registration
	for _, c := range chosen {
		r, err := s.confirm(ctx, tx, f, c.id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if len(out) > 0 {
		if err := renumber(ctx, tx, f.ID); err != nil {
			return nil, err
		}
		if err := s.checkOccupancy(ctx, tx, f, o.confirmed); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func confirmedPerOrganisation(ctx context.Context, q store.Querier, forumID string) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT organisation_key, COUNT(*) FROM forum_registrations
		WHERE forum_id = $1 AND status = 'confirmed' AND organisation_key <> '' GROUP BY organisation_key`, forumID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// confirm gives a waiting person their seat and mails them, with a new
// manage link (the mail holds the only copy of the secret, whose hash
// replaces the previous one). The caller renumbers the waiting list.
func (s *Service) confirm(ctx context.Context, tx *sql.Tx, f *Forum, id string) (*Registration, error) {
	token := newSecret(24)
	now := store.Now()
	res, err := tx.ExecContext(ctx, `UPDATE forum_registrations SET status = 'confirmed', waitlist_position = NULL,
		confirmed_at = $1, updated_at = $1, manage_token_hash = $2 WHERE id = $3 AND status = 'waitlisted'`, now, auth.Hash(token), id)
	if err := affected(res, err); err != nil {
		return nil, err
	}
	r, err := GetRegistration(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if r.Email != "" {
		if err := s.mailRegistration(ctx, tx, f, r, token, mailPromoted); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// renumber makes the waiting positions 1..n again, keeping their order.
func renumber(ctx context.Context, tx *sql.Tx, forumID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, waitlist_position FROM forum_registrations
		WHERE forum_id = $1 AND status = 'waitlisted' ORDER BY waitlist_position, created_at, id`, forumID)
	if err != nil {
		return err
	}
	type pos struct {
		id string
		at int
	}
	var change []pos
	n := 0
	for rows.Next() {
		var p pos
		if err := rows.Scan(&p.id, &p.at); err != nil {
			rows.Close()
			return err
		}
		n++
		if p.at != n {
			change = append(change, pos{p.id, n})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range change {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_registrations SET waitlist_position = $1 WHERE id = $2`, p.at, p.id); err != nil {
			return err
		}
	}
	return nil
}

// Occupancy thresholds, in percent of capacity, that alert the organisers.
var alertThresholds = []int{80, 100}

// AlertJobKind is the job that mails the organisers when a forum's
// occupancy passes a threshold.
const AlertJobKind = "forum.occupancy_alert"

type alertPayload struct {
	ForumID   string `json:"forum_id"`
	Threshold int    `json:"threshold"`
}

// checkOccupancy queues the alert of each threshold the confirmed count
// has reached. The job's unique key makes it one alert per forum and
// threshold, ever.
func (s *Service) checkOccupancy(ctx context.Context, tx *sql.Tx, f *Forum, confirmed int) error {
	for _, t := range alertThresholds {
		if confirmed*100 < t*f.Capacity {
			continue
		}
		payload, _ := json.Marshal(alertPayload{ForumID: f.ID, Threshold: t})
		key := fmt.Sprintf("%s:%s:%d", AlertJobKind, f.ID, t)
		if _, err := jobs.Enqueue(ctx, tx, AlertJobKind, string(payload), jobs.Options{UniqueKey: key, MaxAttempts: 5}); err != nil {
			return err
		}
	}
	return nil
}
