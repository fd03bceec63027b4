package directory

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"

	"github.com/ogforum/ogforum/internal/store"
)

// DuplicatePair is two people who are likely the same.
type DuplicatePair struct {
	A, B   *Person
	Reason string // "email" or "name"
}

// canonicalEmail folds the variants of one mailbox: a "+tag" suffix, and
// dots in Gmail addresses.
func canonicalEmail(email string) string {
	local, domain, ok := strings.Cut(strings.ToLower(email), "@")
	if !ok {
		return email
	}
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if domain == "gmail.com" || domain == "googlemail.com" {
		local = strings.ReplaceAll(local, ".", "")
		domain = "gmail.com"
	}
	return local + "@" + domain
}

// similar tells whether two folded names are at most one or two edits
// apart (one for short names).
func similar(a, b string) bool {
	if a == b {
		return true
	}
	limit := 2
	if len(a) < 8 || len(b) < 8 {
		limit = 1
	}
	if d := len(a) - len(b); d > limit || -d > limit {
		return false
	}
	return editDistance(a, b, limit) <= limit
}

// editDistance is the Levenshtein distance, stopping early above limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return best
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// FindDuplicates flags likely duplicate people: the same mailbox once
// variants are folded, or a very similar name in the same organisation.
func FindDuplicates(ctx context.Context, q store.Querier, limit int) ([]DuplicatePair, error) {
	type entry struct{ id, email, org, name string }
	rows, err := q.QueryContext(ctx, `SELECT id, email, COALESCE(organisation_id, ''), sort_key FROM people ORDER BY organisation_id, sort_key, id`)
	if err != nil {
		return nil, err
	}
	var all []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.id, &e.email, &e.org, &e.name); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	type pair struct{ a, b, reason string }
	var pairs []pair
	seen := map[[2]string]bool{}
	addPair := func(a, b, reason string) {
		if a > b {
			a, b = b, a
		}
		if !seen[[2]string{a, b}] {
			seen[[2]string{a, b}] = true
			pairs = append(pairs, pair{a, b, reason})
		}
	}
	byMailbox := map[string]string{}
	for _, e := range all {
		c := canonicalEmail(e.email)
		if other, ok := byMailbox[c]; ok {
			addPair(other, e.id, "email")
		} else {
			byMailbox[c] = e.id
		}
	}
	for i := 0; i < len(all); i++ {
		for j := i + 1; j < len(all) && all[j].org == all[i].org; j++ {
			if all[i].org == "" && all[i].name != all[j].name {
				continue // without an organisation, only identical names
			}
			if similar(all[i].name, all[j].name) {
				addPair(all[i].id, all[j].id, "name")
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].a < pairs[j].a })
	if limit > 0 && len(pairs) > limit {
		pairs = pairs[:limit]
	}
	out := make([]DuplicatePair, 0, len(pairs))
	for _, p := range pairs {
		a, err := GetPerson(ctx, q, p.a)
		if err != nil {
			return nil, err
		}
		b, err := GetPerson(ctx, q, p.b)
		if err != nil {
			return nil, err
		}
		out = append(out, DuplicatePair{A: a, B: b, Reason: p.reason})
	}
	return out, nil
}

// ErrSamePerson is returned when merging a person into themselves.
var ErrSamePerson = errors.New("cannot merge a person into themselves")

// Merge folds person from into person into: into keeps its fields and
// takes those it lacks from from, the union of sectors, the consent
// history of both (the most recent state wins), and what other domains
// hold (hooks); from is then deleted.
func Merge(ctx context.Context, tx *sql.Tx, fromID, intoID string) (*Person, error) {
	if fromID == intoID {
		return nil, ErrSamePerson
	}
	from, err := GetPerson(ctx, tx, fromID)
	if err != nil {
		return nil, err
	}
	into, err := GetPerson(ctx, tx, intoID)
	if err != nil {
		return nil, err
	}
	for _, h := range personHooks() {
		if h.Merge != nil {
			if err := h.Merge(ctx, tx, from, into); err != nil {
				return nil, err
			}
		}
	}
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&into.FirstName, from.FirstName)
	fill(&into.OrganisationID, from.OrganisationID)
	fill(&into.Function, from.Function)
	fill(&into.Phone, from.Phone)
	sectors := append(append([]string{}, into.Sectors...), from.Sectors...)
	if _, err := tx.ExecContext(ctx, `UPDATE consents SET person_id = $1 WHERE person_id = $2`, intoID, fromID); err != nil {
		return nil, err
	}
	var org any
	if into.OrganisationID != "" {
		org = into.OrganisationID
	}
	// The latest consent event per purpose decides the merged state.
	state := map[string]bool{}
	history, err := ConsentHistory(ctx, tx, intoID)
	if err != nil {
		return nil, err
	}
	for _, e := range history {
		state[e.Purpose] = e.Granted
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM people WHERE id = $1`, fromID); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE people SET first_name = $1, organisation_id = $2, function = $3, phone = $4,
		consent_info = $5, consent_invitations = $6, opted_out = $7, search_text = $8, sort_key = $9, updated_at = $10 WHERE id = $11`,
		into.FirstName, org, into.Function, into.Phone, state[PurposeInfo], state[PurposeInvitations], into.OptedOut || from.OptedOut,
		searchText(into.FirstName, into.LastName, into.Email), sortKey(into.FirstName, into.LastName), store.Now(), intoID); err != nil {
		return nil, err
	}
	if err := indexPerson(ctx, tx, intoID, into.FirstName, into.LastName, into.Email); err != nil {
		return nil, err
	}
	clean, err := checkSectors(ctx, tx, sectors)
	if err != nil {
		return nil, err
	}
	if err := setSectors(ctx, tx, "person_sectors", "person_id", intoID, clean); err != nil {
		return nil, err
	}
	return GetPerson(ctx, tx, intoID)
}
