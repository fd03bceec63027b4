package directory

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/ogforum/ogforum/internal/store"
)

// How a search runs over a large directory.
//
// The words of three characters or more (and an e-mail address or a
// domain) are looked up in the term index: the people who have a term
// starting with the word, and the people of the organisations that have
// one. The people matching every such word are one set, an INTERSECT of one
// UNION per word, which every engine builds word by word from the indexes
// alone, whatever it estimates (PostgreSQL's estimates for LIKE are far off,
// and a prepared statement's generic plan knows nothing of the words). A
// search of words only is counted from that set, without reading people.
//
// A page of results is chosen on (sort_key, id) alone, then only its rows
// are read in full with their organisation. When many people match, SQLite
// walks the index in sort order and stops at the page's end instead of
// sorting every match (see densePage).

// dialectOf tells the engine behind q, or "" when q does not tell (a
// transaction): the portable path is then taken.
func dialectOf(q store.Querier) store.Dialect {
	if db, ok := q.(*store.DB); ok {
		return db.Dialect
	}
	return ""
}

// A query's words are matched by word prefix through the term index,
// whatever their length ("an" finds "Anne" and "Antoine", not "Jean"):
// words of three characters or more by their head and range, shorter
// ones by a range of heads. A short word beside a longer one is rather
// checked on the people the longer words find ("jean de" finds the Jeans,
// then tests them for "de", not the thousands whose organisation's name
// has "de"). An e-mail address or a domain (a query with "@" or "." and
// no space), or its beginning, is matched against the stored addresses
// and domains; a query without letters or digits, or a fragment such as
// "@example" or "ex.", is scanned for in the folded text.

// queryWords cuts the folded query into the words whose people are found
// in the index, the words checked on those people, and the fragments
// scanned for; email tells that the query is an address or a domain,
// looked up whole.
func queryWords(folded string) (indexed, checked, scanned []string, email bool) {
	if q := strings.TrimSpace(folded); strings.ContainsAny(q, "@.") && !strings.Contains(q, " ") {
		if strings.HasPrefix(q, "@") || len([]rune(q)) < headLen {
			return nil, nil, []string{q}, false
		}
		return []string{q}, nil, nil, true
	}
	ws := words(folded)
	if len(ws) == 0 {
		return nil, nil, []string{folded}, false
	}
	for _, w := range ws {
		if len([]rune(w)) < headLen {
			checked = append(checked, w)
		} else {
			indexed = append(indexed, w)
		}
	}
	if len(indexed) == 0 {
		return checked, nil, nil, false
	}
	return indexed, checked, nil, false
}

// textSet selects the ids of the people matching every indexed word of the
// folded query, or is "" when it has none.
func textSet(folded string, d store.Dialect, arg func(any) string) string {
	indexed, _, _, email := queryWords(folded)
	if email {
		// Both the address and its domain may start with the query.
		return `SELECT pt.person_id AS id FROM person_terms pt WHERE ` + termPrefix("pt", indexed[0], d, arg) + `
			UNION ` + addressSet(indexed[0], d, arg)
	}
	if len(indexed) == 1 {
		return wordSet(indexed[0], "UNION", d, arg)
	}
	// Each word's set in a subquery of its own (INTERSECT binds tighter
	// than UNION on PostgreSQL, not on SQLite), with its duplicates: the
	// INTERSECT removes them, and removing them before would cost SQLite
	// two more sorts per word.
	var sets []string
	for i, w := range indexed {
		sets = append(sets, `SELECT id FROM (`+wordSet(w, "UNION ALL", d, arg)+`) w`+itoa(i+1))
	}
	return strings.Join(sets, " INTERSECT ")
}

// addressSet selects the people whose folded address starts with q.
// Addresses are not terms of their own: the words of q before its "@" are
// words of the address, and what follows the "@" begins its domain, so the
// people who have all of them (by word prefix) are found in the index and
// only they are checked on the address, the last part of their folded text
// (see searchText). A query without a word of three characters or a domain
// part of three is checked on everyone.
func addressSet(q string, d store.Dialect, arg func(any) string) string {
	local, domain, _ := strings.Cut(q, "@")
	var narrow []string
	for _, w := range words(local) {
		if len([]rune(w)) >= headLen {
			// Words only: "example" would find every domain "example.org".
			narrow = append(narrow, `SELECT ax.person_id FROM person_terms ax WHERE `+termPrefix("ax", w, d, arg)+
				` AND ax.term NOT LIKE '%.%'`)
		}
	}
	if len([]rune(domain)) >= headLen {
		narrow = append(narrow, `SELECT ax.person_id FROM person_terms ax WHERE `+termPrefix("ax", domain, d, arg))
	}
	check := `ap.search_text LIKE ` + arg("% | % | "+likeEscaper.Replace(q)+"%") + ` ESCAPE '\'`
	if len(narrow) == 0 {
		return `SELECT ap.id FROM people ap WHERE ` + check
	}
	for i, s := range narrow {
		narrow[i] = `SELECT person_id FROM (` + s + `) a` + itoa(i+1)
	}
	return `SELECT ap.id FROM people ap WHERE ap.id IN (` + strings.Join(narrow, " INTERSECT ") + `) AND ` + check
}

// textChecks are the conditions on p for the words of the folded query
// that are checked or scanned for.
func textChecks(folded string, d store.Dialect, arg func(any) string) []string {
	_, checked, scanned, _ := queryWords(folded)
	var conds []string
	for _, w := range checked {
		conds = append(conds, checkCondition(w, d, arg))
	}
	for _, w := range scanned {
		conds = append(conds, scanCondition(w, arg))
	}
	return conds
}

// checkCondition matches people who have a word starting with w, or whose
// organisation has one, testing each person by the primary key of their
// terms.
func checkCondition(w string, d store.Dialect, arg func(any) string) string {
	own := `ck.term LIKE ` + arg(likeEscaper.Replace(w)+"%") + ` ESCAPE '\'`
	if d == store.SQLite {
		own = `ck.term >= ` + arg(w) + ` AND ck.term < ` + arg(pastPrefix(w))
	}
	return `(EXISTS (SELECT 1 FROM person_terms ck WHERE ck.person_id = p.id AND ` + own + `)
		OR p.organisation_id IN (SELECT ot.organisation_id FROM organisation_terms ot WHERE ` + termPrefix("ot", w, d, arg) + `))`
}

// wordSet selects the ids of the people matching one word: by a term of
// their own or one of their organisation's name, joined by union ("UNION"
// or "UNION ALL", which keeps those who match both ways twice).
func wordSet(w, union string, d store.Dialect, arg func(any) string) string {
	return `SELECT pt.person_id AS id FROM person_terms pt WHERE ` + termPrefix("pt", w, d, arg) + `
		` + union + ` SELECT op.id FROM people op WHERE op.organisation_id IN
			(SELECT ot.organisation_id FROM organisation_terms ot WHERE ` + termPrefix("ot", w, d, arg) + `)`
}

// termPrefix is the condition on the terms (table alias t) that start with
// w: the head by equality, then LIKE 'w%'. On SQLite, whose LIKE cannot
// narrow an index range by itself, the range [w, w with its last byte
// incremented) of the binary collation stands for the LIKE: it holds
// exactly the strings starting with w, so that only those index entries
// are read (a head such as "mar" has tens of thousands), and it is cheaper
// to test. Terms and queries are folded (lower case), so that LIKE's
// ignoring of ASCII case made no difference. PostgreSQL compares text by
// the database's collation, where such a range would not be exact.
//
// A word shorter than a head is a prefix of the heads it matches (a head
// is its term's beginning): the heads of the range [w, w with its last
// byte incremented) on SQLite, the heads LIKE 'w%' on PostgreSQL (see
// headRange).
func termPrefix(t, w string, d store.Dialect, arg func(any) string) string {
	short := len([]rune(w)) < headLen
	if d == store.SQLite {
		if short {
			return t + `.head >= ` + arg(w) + ` AND ` + t + `.head < ` + arg(pastPrefix(w))
		}
		return t + `.head = ` + arg(head(w)) + ` AND ` + t + `.term >= ` + arg(w) + ` AND ` + t + `.term < ` + arg(pastPrefix(w))
	}
	if short {
		return headRange(t, w, arg) + t + `.head LIKE ` + arg(likeEscaper.Replace(w)+"%") + ` ESCAPE '\'`
	}
	return t + `.head = ` + arg(head(w)) + ` AND ` + t + `.term LIKE ` + arg(likeEscaper.Replace(w)+"%") + ` ESCAPE '\'`
}

// pastPrefix is w with its last byte incremented: in binary order, the
// strings starting with w are those in [w, pastPrefix(w)). The last byte
// of UTF-8 text is never 0xFF.
func pastPrefix(w string) string {
	hi := []byte(w)
	hi[len(hi)-1]++
	return string(hi)
}

// headRange narrows, for PostgreSQL, the heads LIKE 'w%' of a short word w
// to a range of their index, which a LIKE cannot use under a collation
// other than C. Terms are folded letters and digits; when w is made of
// a-z and 0-9, every such string starting with w sorts in [w, w with its
// last character replaced by the next letter or digit) under C and under
// the usual linguistic collations alike, which compare "an..." and "ao"
// on their second letter; after "z" the range is left open. The LIKE
// beside it keeps the answer exact; another w is only matched by LIKE,
// reading every head.
func headRange(t, w string, arg func(any) string) string {
	for _, r := range w {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return ""
		}
	}
	cond := t + `.head >= ` + arg(w) + ` AND `
	switch last := w[len(w)-1]; last {
	case 'z':
		return cond
	case '9':
		return cond + t + `.head < ` + arg(w[:len(w)-1]+"a") + ` AND `
	default:
		return cond + t + `.head < ` + arg(w[:len(w)-1]+string(last+1)) + ` AND `
	}
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// scanCondition matches s anywhere in a person's folded text or their
// organisation's folded name. The organisation is looked up by id among
// the organisations whose name matches, so that counting needs no join.
func scanCondition(s string, arg func(any) string) string {
	p := arg(likePattern(s))
	return `(p.search_text LIKE ` + p + ` ESCAPE '\' OR p.organisation_id IN
		(SELECT so.id FROM organisations so WHERE so.name_key LIKE ` + p + ` ESCAPE '\'))`
}

// CountPeople counts the people matching f.
func CountPeople(ctx context.Context, q store.Querier, f Filter) (int, error) {
	return f.build(dialectOf(q), nil).count(ctx, q)
}

// SearchPeople returns a page of the people matching f, sorted by last
// and first name.
func SearchPeople(ctx context.Context, q store.Querier, f Filter, limit, offset int) ([]*Person, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	fs := f.build(dialectOf(q), nil)
	return readPage(ctx, q, ` FROM people p`, fs.cond, fs.args, limit, offset)
}

// SearchPeopleCount returns a page of the people matching f and how many
// match in all, as a paginated list needs. The count comes first: it tells
// how the page is best found.
//
// When the query has indexed words, their set is found once and its ids
// read; the rest of the filter is then applied to those ids, and the page
// chosen among those that remain. Finding the set again for the page
// would cost as much as the count (an intersection of common words costs
// more than anything else here), and PostgreSQL, which cannot estimate
// how many people the words find, plans well for a known list of ids.
// (A window count in the page query was tried: it costs more when many
// people match, since every matching row is then read in full.)
func SearchPeopleCount(ctx context.Context, q store.Querier, f Filter, limit, offset int) ([]*Person, int, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	offset = max(offset, 0)
	fs := f.build(dialectOf(q), nil)
	ids, total, err := fs.matches(ctx, q, f)
	if err != nil || total == 0 || offset >= total {
		return []*Person{}, total, err
	}
	walk, err := densePage(ctx, q, fs.dialect, total, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	people, err := fs.page(ctx, q, ids, walk, limit, offset)
	if people == nil {
		people = []*Person{}
	}
	return people, total, err
}

// matches counts the people matching f (built as fs) and, when the query
// has indexed words and there are at most maxIDs of them, lists their ids.
func (fs filterSQL) matches(ctx context.Context, q store.Querier, f Filter) ([]string, int, error) {
	switch {
	case fs.set == "" || fs.dialect == "":
		n, err := fs.count(ctx, q)
		return nil, n, err
	case fs.only:
		return readIDs(ctx, q, `SELECT id FROM (`+fs.set+`) m`, fs.setArgs)
	case fs.dialect == store.SQLite:
		// SQLite builds the set, then tests each of its people.
		return readIDs(ctx, q, `SELECT p.id FROM people p`+fs.cond, fs.args)
	}
	// PostgreSQL estimates a set of words so badly that it may read every
	// person to test the rest of the filter: it gets the set's ids instead.
	ids, n, err := readIDs(ctx, q, `SELECT id FROM (`+fs.set+`) m`, fs.setArgs)
	if err != nil || n == 0 {
		return ids, n, err
	}
	if ids == nil {
		n, err := fs.count(ctx, q)
		return nil, n, err
	}
	rest := f.build(fs.dialect, ids)
	return readIDs(ctx, q, `SELECT p.id FROM people p`+rest.cond, rest.args)
}

// maxIDs is the most ids of matching people a search holds to choose its
// page among them; beyond, it only counts them and the page query finds
// them again.
const maxIDs = 20000

// readIDs reads the ids that query selects and counts them; past maxIDs it
// only counts, and returns no ids.
func readIDs(ctx context.Context, q store.Querier, query string, args []any) ([]string, int, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	ids := []string{}
	n := 0
	for rows.Next() {
		n++
		if n > maxIDs {
			ids = nil
			continue
		}
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	return ids, n, rows.Err()
}

// count counts the matching people: from the set of ids alone when it is
// the whole filter.
func (fs filterSQL) count(ctx context.Context, q store.Querier) (int, error) {
	query, args := `SELECT COUNT(*) FROM people p`+fs.cond, fs.args
	if fs.only {
		query, args = `SELECT COUNT(*) FROM (`+fs.set+`) m`, fs.setArgs
	}
	var n int
	err := q.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// page reads a page of the matching people: among ids when not nil (the
// matches, read by matches), else by the filter's condition. walk makes
// SQLite follow the sort index (see densePage).
func (fs filterSQL) page(ctx context.Context, q store.Querier, ids []string, walk bool, limit, offset int) ([]*Person, error) {
	from := ` FROM people p`
	if walk && fs.dialect == store.SQLite {
		from += ` INDEXED BY people_sort`
	}
	cond, args := fs.cond, fs.args
	if ids != nil {
		args = nil
		cond = ` WHERE ` + idsCondition(fs.dialect, ids, func(v any) string {
			args = append(args, v)
			return "$" + itoa(len(args))
		})
	}
	return readPage(ctx, q, from, cond, args, limit, offset)
}

// idsCondition selects the people of ids, passed as one argument: an array
// on PostgreSQL, a JSON array elsewhere.
func idsCondition(d store.Dialect, ids []string, arg func(any) string) string {
	if d == store.Postgres {
		return `p.id = ANY(` + arg(ids) + `)`
	}
	b, _ := json.Marshal(ids)
	return `p.id IN (SELECT value FROM json_each(` + arg(string(b)) + `))`
}

// readPage reads the people at [offset, offset+limit) of those that from
// and cond select, in the order of their sort key. The page's ids are
// chosen on (sort_key, id) alone; only those rows are then read in full,
// with their organisation.
func readPage(ctx context.Context, q store.Querier, from, cond string, args []any, limit, offset int) ([]*Person, error) {
	args = append(args[:len(args):len(args)], limit, max(offset, 0))
	rows, err := q.QueryContext(ctx, `SELECT `+personColumns+` FROM (SELECT p.id, p.sort_key`+from+cond+
		` ORDER BY p.sort_key, p.id LIMIT $`+itoa(len(args)-1)+` OFFSET $`+itoa(len(args))+`) pg
		JOIN people p ON p.id = pg.id LEFT JOIN organisations o ON o.id = p.organisation_id
		ORDER BY pg.sort_key, pg.id`, args...)
	if err != nil {
		return nil, err
	}
	return collectPeople(ctx, q, rows)
}

// denseShare is the share of the directory from which a search's matches
// are dense enough for SQLite to walk the people in sort order (index
// entries only) until the page is full, rather than read every match's
// row and sort them all: from 1 in 100, reading the whole index costs
// about as much as sorting, and the walk usually stops long before.
const denseShare = 100

// densePage tells whether the page at offset of a search matching total
// people should be found by walking the sort index.
func densePage(ctx context.Context, q store.Querier, d store.Dialect, total, limit, offset int) (bool, error) {
	if d != store.SQLite || total == 0 {
		return false, nil
	}
	// The largest rowid stands for the number of people: counting them
	// would read a whole index, and a rough figure is enough here.
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM people`).Scan(&n); err != nil {
		return false, err
	}
	// The walk reads about (offset+limit)·n/total entries to fill the
	// page; sorting reads total rows, each worth some 30 entries.
	return total*denseShare >= n && (offset+limit)*n <= 30*total*total, nil
}
