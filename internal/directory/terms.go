package directory

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/ogforum/ogforum/internal/store"
)

// Search works by word prefix over an index: each person's name and each
// organisation's name are cut into folded words, stored with their first
// three characters ("head"), and so are the words of each person's address
// and its domain, whole. A query word of three
// characters or more is looked up by head (an equality, fast and free of
// collation differences between engines) and then by LIKE 'word%'; a
// shorter query, or one without letters or digits, falls back to scanning
// the folded text.

const headLen = 3

// words cuts s into its distinct folded words of letters and digits.
func words(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if r := []rune(w); len(r) > 64 {
			w = string(r[:64])
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func head(w string) string {
	r := []rune(w)
	if len(r) > headLen {
		r = r[:headLen]
	}
	return string(r)
}

// personWords are the searchable words of a person: the words of their
// name and of their address before the "@", and the domain as one term
// ("sante" finds "sante.gouv.fr"). Domain parts such as "org" or "gouv"
// are not words of their own: shared by everyone, they would only slow
// imports. Nor is the whole address: a query for an address finds its
// people by these words and the domain, then checks the address in their
// folded text (see addressSet), which spares every import a fifth of its
// index rows. (Databases written before keep those terms; they match
// the same people.)
func personWords(first, last, email string) []string {
	local, domain, _ := strings.Cut(Fold(email), "@")
	ws := words(first + " " + last + " " + local)
	if domain != "" && !slices.Contains(ws, domain) {
		ws = append(ws, domain)
	}
	return ws
}

// indexPerson replaces the search words of a person.
func indexPerson(ctx context.Context, q store.Querier, id, first, last, email string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM person_terms WHERE person_id = $1`, id); err != nil {
		return err
	}
	return insertTerms(ctx, q, "person_terms (person_id, term, head)", id, personWords(first, last, email))
}

// indexOrganisation replaces the search words of an organisation.
func indexOrganisation(ctx context.Context, q store.Querier, id, name string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM organisation_terms WHERE organisation_id = $1`, id); err != nil {
		return err
	}
	return insertTerms(ctx, q, "organisation_terms (organisation_id, term, head)", id, words(name))
}

// IndexOrganisation makes an organisation written outside this package
// (demo data) searchable, and sets its folded name.
func IndexOrganisation(ctx context.Context, q store.Querier, id string) error {
	var name string
	if err := q.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, id).Scan(&name); err != nil {
		return store.Map(err)
	}
	if _, err := q.ExecContext(ctx, `UPDATE organisations SET name_key = $1 WHERE id = $2`, Fold(name), id); err != nil {
		return err
	}
	return indexOrganisation(ctx, q, id, name)
}

func insertTerms(ctx context.Context, q store.Querier, into, id string, ws []string) error {
	if len(ws) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(ws))
	var b strings.Builder
	b.WriteString("INSERT INTO " + into + " VALUES ")
	for i, w := range ws {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + placeholders(1+3*i, 3) + ")")
		args = append(args, id, w, head(w))
	}
	_, err := q.ExecContext(ctx, b.String(), args...)
	return err
}

// termRows are the values of the person_terms rows of one person, for
// batched inserts.
func termRows(id, first, last, email string) []any {
	ws := personWords(first, last, email)
	out := make([]any, 0, 3*len(ws))
	for _, w := range ws {
		out = append(out, id, w, head(w))
	}
	return out
}
