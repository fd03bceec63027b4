package forum

import (
	"context"
	"sort"
	"strings"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

// statusRank orders registrations: confirmed, waiting, cancelled.
var statusRank = map[string]int{Confirmed: 0, Waitlisted: 1, Cancelled: 2}

// bySurname compares two registrations by surname then first name,
// accents and case ignored, the way a French reader expects a list
// ("Élodie Durand" between "Dupont" and "Duval").
func bySurname(a, b *Registration) int {
	if c := strings.Compare(directory.Fold(a.LastName), directory.Fold(b.LastName)); c != 0 {
		return c
	}
	if c := strings.Compare(directory.Fold(a.FirstName), directory.Fold(b.FirstName)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func sortRegistrations(rs []*Registration) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if statusRank[a.Status] != statusRank[b.Status] {
			return statusRank[a.Status] < statusRank[b.Status]
		}
		if a.Status == Waitlisted {
			return a.WaitlistPosition < b.WaitlistPosition
		}
		return bySurname(a, b) < 0
	})
}

// Attendance is the list for the attendance sheet and the check-in page:
// every confirmed registration (walk-ins included) by surname, accents
// ignored.
func Attendance(ctx context.Context, q store.Querier, forumID string) ([]*Registration, error) {
	return ListRegistrations(ctx, q, forumID, RegistrationFilter{Status: Confirmed})
}

// Catering sizes the catering.
type Catering struct {
	Confirmed  int `json:"confirmed"`
	CheckedIn  int `json:"checked_in"`
	WalkIns    int `json:"walk_ins"`
	Waitlisted int `json:"waitlisted"`
	// Dietary counts the confirmed people per stated dietary need: the
	// known codes of DietaryNeeds by code, other texts by their folded
	// form (so "Végétarien" and "vegetarien" count together).
	Dietary map[string]int `json:"dietary"`
	// Accessibility counts the confirmed people who stated an
	// accessibility need.
	Accessibility int `json:"accessibility"`
}

// DietaryNeeds are the codes a form may offer (labels under
// "forum.dietary.<code>"); any other text is accepted too.
var DietaryNeeds = []string{"vegetarian", "vegan", "halal", "kosher", "gluten_free", "lactose_free"}

// CateringSummary counts a forum's confirmed and checked-in people and
// their dietary needs.
func CateringSummary(ctx context.Context, q store.Querier, forumID string) (Catering, error) {
	c := Catering{Dietary: map[string]int{}}
	rows, err := q.QueryContext(ctx, `SELECT status, walk_in, checked_in_at IS NOT NULL, dietary, accessibility <> ''
		FROM forum_registrations WHERE forum_id = $1 AND status IN ('confirmed', 'waitlisted')`, forumID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var status, dietary string
		var walkIn, checkedIn, access bool
		if err := rows.Scan(&status, &walkIn, &checkedIn, &dietary, &access); err != nil {
			return c, err
		}
		if status == Waitlisted {
			c.Waitlisted++
			continue
		}
		c.Confirmed++
		if walkIn {
			c.WalkIns++
		}
		if checkedIn {
			c.CheckedIn++
		}
		if access {
			c.Accessibility++
		}
		if d := directory.Fold(dietary); d != "" {
			c.Dietary[d]++
		}
	}
	return c, rows.Err()
}

// ParticipatingOrganisations is the public list of the organisations of
// confirmed registrants who agreed to appear in it, by name, each once.
func ParticipatingOrganisations(ctx context.Context, q store.Querier, forumID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT organisation, organisation_key FROM forum_registrations
		WHERE forum_id = $1 AND status = 'confirmed' AND public_listing = TRUE AND organisation_key <> ''`, forumID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	out := []string{}
	for rows.Next() {
		var name, key string
		if err := rows.Scan(&name, &key); err != nil {
			return nil, err
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, name)
		}
	}
	sort.Slice(out, func(i, j int) bool { return directory.Fold(out[i]) < directory.Fold(out[j]) })
	return out, rows.Err()
}

// likePattern makes a LIKE pattern matching q anywhere, with LIKE's
// wildcards escaped (used with ESCAPE '\').
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}
