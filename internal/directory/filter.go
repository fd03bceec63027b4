package directory

import (
	"context"
	"slices"
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

// filterSQL is a filter in SQL for one engine.
type filterSQL struct {
	cond string // " WHERE ..." on people p, or ""
	args []any
	// set selects the ids of the people matching the indexed words of the
	// query, or is ""; setArgs are its arguments, from $1. only tells
	// that the set is the whole filter.
	set     string
	setArgs []any
	only    bool
	dialect store.Dialect
}

// build turns the filter into SQL for dialect d ("" for any engine), its
// placeholders numbered from $1. ids, when
// not nil, are the people matching the indexed words of the query, found
// already: they stand for the set. People match a sector when they or
// their organisation carry it.
func (f Filter) build(d store.Dialect, ids []string) filterSQL {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	fs := filterSQL{dialect: d}
	var scans []string
	if s := Fold(f.Q); s != "" {
		if ids != nil {
			conds = append(conds, idsCondition(d, ids, arg))
		} else if set := textSet(s, d, arg); set != "" {
			fs.set, fs.setArgs = set, slices.Clone(args)
			conds = append(conds, `p.id IN (`+set+`)`)
		}
		scans = textChecks(s, d, arg)
	}
	someSet := len(conds) > 0
	if len(f.Sectors) > 0 {
		var ph []string
		for _, s := range f.Sectors {
			ph = append(ph, arg(s))
		}
		in := strings.Join(ph, ", ")
		if someSet {
			// The words found a set of people: each is tested, rather than
			// listing everyone who carries the sectors.
			conds = append(conds, `(EXISTS (SELECT 1 FROM person_sectors ps WHERE ps.person_id = p.id AND ps.sector_slug IN (`+in+`))
				OR p.organisation_id IN (SELECT os.organisation_id FROM organisation_sectors os WHERE os.sector_slug IN (`+in+`)))`)
		} else {
			// One IN over a UNION: the engine starts from the people who
			// carry the sectors instead of testing everyone.
			conds = append(conds, `p.id IN (SELECT ps.person_id FROM person_sectors ps WHERE ps.sector_slug IN (`+in+`)
				UNION SELECT sp.id FROM people sp WHERE sp.organisation_id IN
					(SELECT os.organisation_id FROM organisation_sectors os WHERE os.sector_slug IN (`+in+`)))`)
		}
	}
	// The organisation's college and kind are looked up among the
	// organisations (a few thousand at most), so that no condition needs
	// the organisation joined. People without an organisation are of the
	// civil society and of the kind "individual". (COALESCE keeps the
	// engine from listing the people of those organisations by index: they
	// are often most of the directory, and reading them one by one costs
	// more than reading everyone.)
	if f.College != "" {
		c := `COALESCE(p.organisation_id, '') IN (SELECT co.id FROM organisations co WHERE co.college = ` + arg(f.College) + `)`
		if f.College == CollegeCivilSociety {
			c = `(p.organisation_id IS NULL OR ` + c + `)`
		}
		conds = append(conds, c)
	}
	if len(f.Kinds) > 0 {
		var ph []string
		for _, k := range f.Kinds {
			ph = append(ph, arg(k))
		}
		c := `COALESCE(p.organisation_id, '') IN (SELECT ko.id FROM organisations ko WHERE ko.kind IN (` + strings.Join(ph, ", ") + `))`
		if slices.Contains(f.Kinds, "individual") {
			c = `(p.organisation_id IS NULL OR ` + c + `)`
		}
		conds = append(conds, c)
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
	// Checking or scanning the text costs the most per person: it comes
	// last, so that the other conditions rule people out first.
	conds = append(conds, scans...)
	fs.args = args
	if len(conds) > 0 {
		fs.cond = " WHERE " + strings.Join(conds, " AND ")
	}
	fs.only = fs.set != "" && len(conds) == 1
	return fs
}

// EachPerson walks every person matching f in batches ordered by id
// (keyset pagination), so that exports and campaigns never hold all rows.
// A batch size below 1 means 500.
func EachPerson(ctx context.Context, q store.Querier, f Filter, batch int, fn func(*Person) error) error {
	if batch < 1 {
		batch = 500
	}
	after := ""
	fs := f.build(dialectOf(q), nil)
	for {
		cond, args := fs.cond, append(fs.args[:len(fs.args):len(fs.args)], after, batch)
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
