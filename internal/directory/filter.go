package directory

import (
	"context"
	"regexp"
	"strings"

	"github.com/ogforum/ogforum/internal/store"
)

// Filter selects people; it is also what an audience saves.
type Filter struct {
	Q        string   `json:"q,omitempty"`
	Sectors  []string `json:"sectors,omitempty"`
	College  string   `json:"college,omitempty"`
	Kinds    []string `json:"kinds,omitempty"`
	Language string   `json:"language,omitempty"`
	// Consent: "info" or "invitations" (has consented to it), "none" (to
	// nothing), "opted_out".
	Consent        string `json:"consent,omitempty"`
	OrganisationID string `json:"organisation_id,omitempty"`
}

// Consent filter values.
var ConsentFilters = []string{PurposeInfo, PurposeInvitations, "none", "opted_out"}

// Validate checks the filter's values.
func (f *Filter) Validate(ctx context.Context, q store.Querier) error {
	fe := FieldErrors{}
	f.Q = strings.TrimSpace(f.Q)
	if len(f.Q) > 200 {
		fe["q"] = "error.too_long"
	}
	if f.College != "" && !ValidCollege(f.College) {
		fe["college"] = "error.college_invalid"
	}
	for _, k := range f.Kinds {
		if !ValidKind(k) {
			fe["kinds"] = "error.kind_invalid"
		}
	}
	if f.Language != "" && f.Language != "fr" && f.Language != "en" {
		fe["language"] = "error.language_invalid"
	}
	if f.Consent != "" {
		ok := false
		for _, c := range ConsentFilters {
			ok = ok || c == f.Consent
		}
		if !ok {
			fe["consent"] = "error.consent_filter_invalid"
		}
	}
	if len(f.Sectors) > 0 {
		known, err := sectorSet(ctx, q)
		if err != nil {
			return err
		}
		for _, s := range f.Sectors {
			if !known[s] {
				fe["sectors"] = "error.sector_unknown"
			}
		}
	}
	return fe.Err()
}

// where builds the SQL condition and its arguments, numbering placeholders
// from $1. People match a sector when they or their organisation carry it.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if s := Fold(f.Q); s != "" {
		conds = append(conds, textCondition(s, arg))
	}
	if len(f.Sectors) > 0 {
		var ph []string
		for _, s := range f.Sectors {
			ph = append(ph, arg(s))
		}
		in := strings.Join(ph, ", ")
		// One IN over a UNION: the engine starts from the people who carry
		// the sectors instead of testing everyone.
		conds = append(conds, `p.id IN (SELECT ps.person_id FROM person_sectors ps WHERE ps.sector_slug IN (`+in+`)
			UNION SELECT sp.id FROM people sp WHERE sp.organisation_id IN
				(SELECT os.organisation_id FROM organisation_sectors os WHERE os.sector_slug IN (`+in+`)))`)
	}
	if f.College != "" {
		conds = append(conds, `COALESCE(o.college, 'civil_society') = `+arg(f.College))
	}
	if len(f.Kinds) > 0 {
		var ph []string
		for _, k := range f.Kinds {
			ph = append(ph, arg(k))
		}
		conds = append(conds, `COALESCE(o.kind, 'individual') IN (`+strings.Join(ph, ", ")+`)`)
	}
	if f.Language != "" {
		conds = append(conds, `p.language = `+arg(f.Language))
	}
	switch f.Consent {
	case PurposeInfo:
		conds = append(conds, `p.consent_info AND NOT p.opted_out`)
	case PurposeInvitations:
		conds = append(conds, `p.consent_invitations AND NOT p.opted_out`)
	case "none":
		conds = append(conds, `NOT p.consent_info AND NOT p.consent_invitations`)
	case "opted_out":
		conds = append(conds, `p.opted_out`)
	}
	if f.OrganisationID != "" {
		conds = append(conds, `p.organisation_id = `+arg(f.OrganisationID))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

var orgColumn = regexp.MustCompile(`\bo\.`)

// CountPeople counts the people matching f. The organisation is joined
// only when the filter looks at it.
func CountPeople(ctx context.Context, q store.Querier, f Filter) (int, error) {
	cond, args := f.where()
	from := personFrom
	if !orgColumn.MatchString(cond) {
		from = ` FROM people p`
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*)`+from+cond, args...).Scan(&n)
	return n, err
}

// SearchPeople returns a page of the people matching f, sorted by last
// and first name.
func SearchPeople(ctx context.Context, q store.Querier, f Filter, limit, offset int) ([]*Person, error) {
	return searchPeople(ctx, q, f, limit, offset)
}

func searchPeople(ctx context.Context, q store.Querier, f Filter, limit, offset int) ([]*Person, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	cond, args := f.where()
	args = append(args, limit, max(offset, 0))
	rows, err := q.QueryContext(ctx, `SELECT `+personColumns+personFrom+cond+
		` ORDER BY p.sort_key, p.id LIMIT $`+itoa(len(args)-1)+` OFFSET $`+itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	return collectPeople(ctx, q, rows)
}

// SearchPeopleCount returns a page of the people matching f and how many
// match in all, as a paginated list needs. (A window count in the page
// query was tried: it costs more when many people match, since every
// matching row is then read in full.)

func SearchPeopleCount(ctx context.Context, q store.Querier, f Filter, limit, offset int) ([]*Person, int, error) {
	total, err := CountPeople(ctx, q, f)
	if err != nil || total == 0 || offset >= total {
		return []*Person{}, total, err
	}
	people, err := searchPeople(ctx, q, f, limit, offset)
	if people == nil {
		people = []*Person{}
	}
	return people, total, err
}

// EachPerson walks every person matching f in batches ordered by id
// (keyset pagination), so that exports and campaigns never hold all rows.
// A batch size below 1 means 500.
func EachPerson(ctx context.Context, q store.Querier, f Filter, batch int, fn func(*Person) error) error {
	if batch < 1 {
		batch = 500
	}
	after := ""
	for {
		cond, args := f.where()
		args = append(args, after, batch)
		link := " WHERE "
		if cond != "" {
			link = cond + " AND "
		}
		rows, err := q.QueryContext(ctx, `SELECT `+personColumns+personFrom+link+`p.id > $`+itoa(len(args)-1)+
			` ORDER BY p.id LIMIT $`+itoa(len(args)), args...)
		if err != nil {
			return err
		}
		people, err := collectPeople(ctx, q, rows)
		if err != nil {
			return err
		}
		for _, p := range people {
			if err := fn(p); err != nil {
				return err
			}
		}
		if len(people) < batch {
			return nil
		}
		after = people[len(people)-1].ID
	}
}

type personRows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}

func collectPeople(ctx context.Context, q store.Querier, rows personRows) ([]*Person, error) {
	return collect(ctx, q, rows, scanPerson)
}

// collect reads people with scan, then their sectors in one query.
func collect(ctx context.Context, q store.Querier, rows personRows, scan func(interface{ Scan(...any) error }) (*Person, error)) ([]*Person, error) {
	defer rows.Close()
	var out []*Person
	var ids []string
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		ids = append(ids, p.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	sectors, err := sectorsOf(ctx, q, "person_sectors", "person_id", ids)
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		p.Sectors = nonNil(sectors[p.ID])
	}
	return out, nil
}

// textCondition matches every word of the folded query: by word prefix
// through the term index for words of three characters or more, and by
// scanning the folded text for shorter words or a query without words.
func textCondition(folded string, arg func(any) string) string {
	scan := func(w string) string {
		p := arg(likePattern(w))
		return `(p.search_text LIKE ` + p + ` ESCAPE '\' OR o.name_key LIKE ` + p + ` ESCAPE '\')`
	}
	if q := strings.TrimSpace(folded); strings.ContainsAny(q, "@.") && !strings.Contains(q, " ") {
		// An e-mail address or a domain, or their beginning: matched
		// against the stored addresses and domains; a fragment such as
		// "@example" is scanned for.
		if strings.HasPrefix(q, "@") || len([]rune(q)) < headLen {
			return scan(q)
		}
		h, prefix := arg(head(q)), arg(strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)+"%")
		return `p.id IN (SELECT pt.person_id FROM person_terms pt WHERE pt.head = ` + h + ` AND pt.term LIKE ` + prefix + ` ESCAPE '\')`
	}
	ws := words(folded)
	if len(ws) == 0 {
		p := arg(likePattern(folded))
		return `(p.search_text LIKE ` + p + ` ESCAPE '\' OR o.name_key LIKE ` + p + ` ESCAPE '\')`
	}
	var conds []string
	for _, w := range ws {
		if len([]rune(w)) < headLen {
			p := arg(likePattern(w))
			conds = append(conds, `(p.search_text LIKE `+p+` ESCAPE '\' OR o.name_key LIKE `+p+` ESCAPE '\')`)
			continue
		}
		h, prefix := arg(head(w)), arg(strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w)+"%")
		// One IN over a UNION, so that the engine drives the search from
		// the matching ids rather than testing every person.
		conds = append(conds, `p.id IN (SELECT pt.person_id FROM person_terms pt WHERE pt.head = `+h+` AND pt.term LIKE `+prefix+` ESCAPE '\'
			UNION SELECT op.id FROM people op WHERE op.organisation_id IN
				(SELECT ot.organisation_id FROM organisation_terms ot WHERE ot.head = `+h+` AND ot.term LIKE `+prefix+` ESCAPE '\'))`)
	}
	return strings.Join(conds, " AND ")
}
