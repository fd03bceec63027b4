package directory

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/store"
)

// importer applies the rows of one import inside its transaction, a batch
// at a time: one query finds the batch's people by e-mail with their
// sectors, another the suppressed addresses among the new ones; new
// people, sectors and consents are inserted a few hundred rows per
// statement; organisations are loaded once and created as first met.
type importer struct {
	tx      *sql.Tx
	dialect store.Dialect
	cols    map[string]int
	sectors *sectorIndex
	orgs    map[string]string // folded name → id, oldest first
	res     *ImportResult
	rejects rejects // rows refused when written (suppressed addresses)
	now     time.Time
	stmts   map[string]*sql.Stmt
}

func newImporter(ctx context.Context, tx *sql.Tx, dialect store.Dialect, cols map[string]int, sectors *sectorIndex) (*importer, error) {
	// Organisations are found by name and created when missing: no other
	// import or join confirmation may do so until this import ends.
	if err := store.Lock(ctx, tx, OrganisationNamesLock); err != nil {
		return nil, err
	}
	im := &importer{tx: tx, dialect: dialect, cols: cols, sectors: sectors, orgs: map[string]string{},
		res: &ImportResult{Errors: []ImportError{}}, now: store.Now(), stmts: map[string]*sql.Stmt{}}
	rows, err := tx.QueryContext(ctx, `SELECT id, name_key FROM organisations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		if _, ok := im.orgs[key]; !ok {
			im.orgs[key] = id
		}
	}
	return im, rows.Err()
}

// close releases the prepared statements.
func (im *importer) close() {
	for _, s := range im.stmts {
		s.Close()
	}
}

// params returns n parameter markers numbered from "from". On SQLite they
// are anonymous "?": the driver looks each numbered or named parameter up
// by name in a list, which makes binding the thousands of values of a
// batch statement quadratic.
func (im *importer) params(from, n int) string {
	if im.dialect == store.SQLite {
		return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
	}
	return placeholders(from, n)
}

// in returns the condition "column is one of values", with its arguments:
// a list of parameters on SQLite, one array on PostgreSQL, which plans it
// much faster than hundreds of parameters.
func (im *importer) in(column string, values []string) (string, []any) {
	if im.dialect == store.Postgres {
		return column + ` = ANY($1)`, []any{values}
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return column + ` IN (` + im.params(1, len(values)) + `)`, args
}

// stmt returns query prepared once for the transaction.
func (im *importer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := im.stmts[query]; ok {
		return s, nil
	}
	s, err := im.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	im.stmts[query] = s
	return s, nil
}

// exec runs query, prepared when it will run again (a full batch's shape).
func (im *importer) exec(ctx context.Context, query string, reuse bool, args ...any) error {
	if !reuse {
		_, err := im.tx.ExecContext(ctx, query, args...)
		return store.Map(err)
	}
	s, err := im.stmt(ctx, query)
	if err != nil {
		return err
	}
	_, err = s.ExecContext(ctx, args...)
	return store.Map(err)
}

// storedPerson is what an import compares a row with.
type storedPerson struct {
	id, first, last, org, function, phone, language string
	info, invitations, optedOut                     bool
	sectors                                         []string
}

// flush applies a batch of rows.
func (im *importer) flush(ctx context.Context, batch []importRow) error {
	if len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	existing, err := im.lookup(ctx, batch)
	if err != nil {
		return err
	}
	suppressed, err := im.suppressed(ctx, batch, existing)
	if err != nil {
		return err
	}
	var people, sectors, consents, terms []any
	for i := range batch {
		row := &batch[i]
		e := existing[row.in.Email]
		if e == nil && suppressed[row.emailHash] {
			im.rejects.add(row.line, FieldErrors{FieldEmail: "error.email_suppressed"})
			continue
		}
		orgID := ""
		if row.org != "" {
			if orgID, err = im.organisation(ctx, row); err != nil {
				return err
			}
		}
		if e == nil {
			id := store.NewID()
			lang := row.in.Language
			if lang == "" {
				lang = i18n.Default
			}
			people = append(people, id, row.in.FirstName, row.in.LastName, row.in.Email, nullable(orgID), row.in.Function,
				row.in.Phone, lang, row.consent, row.consent, MethodImport,
				row.search, row.sort, im.now, im.now)
			for _, s := range row.in.Sectors {
				sectors = append(sectors, id, s)
			}
			for _, w := range row.words {
				terms = append(terms, id, w, head(w))
			}
			if row.consent {
				consents = append(consents, store.NewID(), id, PurposeInfo, true, MethodImport, im.now,
					store.NewID(), id, PurposeInvitations, true, MethodImport, im.now)
			}
			im.res.Created++
			continue
		}
		n := *e
		if row.in.FirstName != "" {
			n.first = row.in.FirstName
		}
		n.last = row.in.LastName
		if orgID != "" {
			n.org = orgID
		}
		if row.in.Function != "" {
			n.function = row.in.Function
		}
		if row.in.Phone != "" {
			n.phone = row.in.Phone
		}
		if row.langSet {
			n.language = row.in.Language
		}
		var grant []string
		if row.consent && !e.optedOut {
			if !e.info {
				grant, n.info = append(grant, PurposeInfo), true
			}
			if !e.invitations {
				grant, n.invitations = append(grant, PurposeInvitations), true
			}
		}
		newSectors := len(row.in.Sectors) > 0 && !slices.Equal(row.in.Sectors, e.sectors)
		if n.first == e.first && n.last == e.last && n.org == e.org && n.function == e.function && n.phone == e.phone &&
			n.language == e.language && len(grant) == 0 && !newSectors {
			im.res.Unchanged++
			continue
		}
		if err := im.exec(ctx, `UPDATE people SET first_name = $1, last_name = $2, organisation_id = $3, function = $4, phone = $5,
			language = $6, consent_info = $7, consent_invitations = $8, search_text = $9, sort_key = $10, updated_at = $11 WHERE id = $12`, true,
			n.first, n.last, nullable(n.org), n.function, n.phone, n.language, n.info, n.invitations,
			searchText(n.first, n.last, row.in.Email), sortKey(n.first, n.last), im.now, e.id); err != nil {
			return err
		}
		if n.first != e.first || n.last != e.last {
			if err := im.exec(ctx, `DELETE FROM person_terms WHERE person_id = $1`, true, e.id); err != nil {
				return err
			}
			terms = append(terms, termRows(e.id, n.first, n.last, row.in.Email)...)
		}
		if newSectors {
			if err := im.exec(ctx, `DELETE FROM person_sectors WHERE person_id = $1`, true, e.id); err != nil {
				return err
			}
			for _, s := range row.in.Sectors {
				sectors = append(sectors, e.id, s)
			}
		}
		for _, purpose := range grant {
			consents = append(consents, store.NewID(), e.id, purpose, true, MethodImport, im.now)
		}
		im.res.Updated++
	}
	if err := im.insert(ctx, `people (id, first_name, last_name, email, organisation_id, function, phone, language, consent_info,
		consent_invitations, source, search_text, sort_key, created_at, updated_at)`, 15, people); err != nil {
		return err
	}
	if err := im.insert(ctx, `person_sectors (person_id, sector_slug)`, 2, sectors); err != nil {
		return err
	}
	if err := im.insert(ctx, `person_terms (person_id, term, head)`, 3, terms); err != nil {
		return err
	}
	return im.insert(ctx, `consents (id, person_id, purpose, granted, method, at)`, 6, consents)
}

// insertVerb begins the batch inserts. On SQLite, a statement that writes
// several rows and may fail half-way keeps a copy of each page it changes,
// to undo itself alone: a constraint violation rolls back the whole
// transaction instead (OR ROLLBACK), which the import would do anyway, and
// spares those copies (see importTx for the other half).
func (im *importer) insertVerb() string {
	if im.dialect == store.SQLite {
		return "INSERT OR ROLLBACK INTO "
	}
	return "INSERT INTO "
}

// insert writes rows of width values each, a few hundred rows per
// statement.
func (im *importer) insert(ctx context.Context, into string, width int, values []any) error {
	perStmt := min(importBatch, 8000/width)
	for len(values) > 0 {
		n := min(len(values)/width, perStmt)
		var b strings.Builder
		b.WriteString(im.insertVerb() + into + " VALUES ")
		for r := range n {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + im.params(1+r*width, width) + ")")
		}
		if err := im.exec(ctx, b.String(), n == perStmt, values[:n*width]...); err != nil {
			return err
		}
		values = values[n*width:]
	}
	return nil
}

// lookup finds the batch's people already stored, by e-mail, with their
// sectors. The sectors come from a subquery per person, which both engines
// run on the primary key of person_sectors, whatever their statistics
// (a join may make PostgreSQL scan the whole table while it imports).
func (im *importer) lookup(ctx context.Context, batch []importRow) (map[string]*storedPerson, error) {
	emails := make([]string, len(batch))
	for i, row := range batch {
		emails[i] = row.in.Email
	}
	concat := `group_concat(sector_slug, ',')`
	if im.dialect == store.Postgres {
		concat = `string_agg(sector_slug, ',')`
	}
	cond, args := im.in("p.email", emails)
	query := `SELECT p.id, p.email, p.first_name, p.last_name, COALESCE(p.organisation_id, ''), p.function, p.phone, p.language,
		p.consent_info, p.consent_invitations, p.opted_out,
		COALESCE((SELECT ` + concat + ` FROM person_sectors ps WHERE ps.person_id = p.id), '')
		FROM people p WHERE ` + cond
	var rows *sql.Rows
	var err error
	if len(batch) == importBatch {
		var s *sql.Stmt
		if s, err = im.stmt(ctx, query); err != nil {
			return nil, err
		}
		rows, err = s.QueryContext(ctx, args...)
	} else {
		rows, err = im.tx.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*storedPerson{}
	for rows.Next() {
		p := &storedPerson{}
		var email, sectors string
		if err := rows.Scan(&p.id, &email, &p.first, &p.last, &p.org, &p.function, &p.phone, &p.language,
			&p.info, &p.invitations, &p.optedOut, &sectors); err != nil {
			return nil, err
		}
		if sectors != "" {
			p.sectors = strings.Split(sectors, ",")
			slices.Sort(p.sectors)
		}
		out[email] = p
	}
	return out, rows.Err()
}

// suppressed returns the hashes of the batch's new addresses that are on
// the suppression list.
func (im *importer) suppressed(ctx context.Context, batch []importRow, existing map[string]*storedPerson) (map[string]bool, error) {
	var hashes []string
	for _, row := range batch {
		if existing[row.in.Email] == nil {
			hashes = append(hashes, row.emailHash)
		}
	}
	out := map[string]bool{}
	if len(hashes) == 0 {
		return out, nil
	}
	cond, args := im.in("email_hash", hashes)
	rows, err := im.tx.QueryContext(ctx, `SELECT email_hash FROM suppressions WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out[h] = true
	}
	return out, rows.Err()
}

// organisation returns the id of the row's organisation, creating it the
// first time its name is met.
func (im *importer) organisation(ctx context.Context, row *importRow) (string, error) {
	key := row.orgKey
	if id, ok := im.orgs[key]; ok {
		return id, nil
	}
	kind := row.kind
	if kind == "" {
		kind = "association"
	}
	o, err := insertOrganisation(ctx, im.tx, OrganisationInput{Name: row.org, Kind: kind, College: row.college})
	if err != nil {
		return "", err
	}
	im.orgs[key] = o.ID
	return o.ID, nil
}

func nullable(id string) any {
	if id == "" {
		return nil
	}
	return id
}
