package directory

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/sheet"
	"github.com/ogforum/ogforum/internal/store"
)

// ImportOptions say how an import reads its file and what it does.
type ImportOptions struct {
	// Mapping maps fields (ImportFields) to column headers. It is laid over
	// the mapping SuggestMapping proposes for the file's headers; a field
	// mapped to "" is not read. Nil means the suggestion alone.
	Mapping map[string]string
	// DryRun does everything but commit, so that the preview's counts and
	// errors are exactly those of the real import.
	DryRun bool
	// SkipInvalid imports the good rows when some are bad; without it, one
	// bad row means nothing is written.
	SkipInvalid bool
}

// ImportResult counts what an import did (or, in a dry run or when it
// was refused because of bad rows, what it would do) and lists the
// problems, each at the row (its line in the file, the header being 1)
// and field that caused it.
type ImportResult struct {
	Created   int           `json:"created"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Errors    []ImportError `json:"errors"`
	// ErrorsOmitted counts the problems beyond the first MaxImportErrors.
	ErrorsOmitted int `json:"errors_omitted,omitempty"`

	invalid int
	written bool
}

// Written tells whether the import was committed.
func (r *ImportResult) Written() bool { return r.written }

// ImportError is one problem of one row; Message is a translation key.
type ImportError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// MaxImportErrors bounds the errors an import lists.
const MaxImportErrors = 1000

// importBatch is how many rows are looked up and written together.
const importBatch = 500

// ImportPeople reads a spreadsheet of people — CSV (comma, semicolon or
// tab; UTF-8, Windows-1252 or UTF-16) or XLSX (first sheet), told apart by
// content — and upserts them by e-mail in one transaction: a person is
// created, updated when the row changes something, or left unchanged. An
// empty cell, or an unmapped column, leaves the stored value as it is.
// Organisations are matched by name, case and accents ignored, or created
// once per new name (civil society unless the row's kind or college says
// otherwise); an existing organisation is never modified. The consent
// column, when "yes", records consent to information and invitations with
// the method "import", except for people who opted out; an address on the
// suppression list (erased or unsubscribed) is never added back.
//
// The file is read row by row and written in batches, never held whole
// as rows; r should be a local file or buffer, since the write
// transaction stays open while it is read (and an XLSX is read whole by
// its zip reader: the caller caps the size). The transaction is not
// retried: a stream cannot be read twice.
//
// A file that is not a spreadsheet, or a mapping that does not fit its
// headers, gives FieldErrors before anything is read ("file", or
// "map.<field>"); bad rows are listed in the result.
func ImportPeople(ctx context.Context, db *store.DB, r io.Reader, opts ImportOptions) (*ImportResult, error) {
	s, err := sheet.Open(r)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	_, headers, err := sheet.Header(s)
	if err != nil {
		return nil, err
	}
	cols, err := resolveMapping(headers, opts.Mapping)
	if err != nil {
		return nil, err
	}
	tx, done, err := importTx(ctx, db)
	if err != nil {
		return nil, store.Map(err)
	}
	defer done()
	defer tx.Rollback()
	// The sectors are read inside the transaction: no sector the rows
	// name can then disappear before they are written.
	sectors, err := loadSectorIndex(ctx, tx)
	if err != nil {
		return nil, err
	}
	im, err := newImporter(ctx, tx, db.Dialect, cols, sectors)
	if err != nil {
		return nil, err
	}
	res, err := im.run(ctx, s)
	im.close()
	if err != nil {
		return nil, err
	}
	if opts.DryRun || (res.invalid > 0 && !opts.SkipInvalid) {
		return res, tx.Rollback()
	}
	if err := tx.Commit(); err != nil {
		return nil, store.Map(err)
	}
	res.written = true
	// The connection goes back to the pool first, so that the statistics
	// below are refreshed on it and its cache stays warm.
	done()
	if res.Created+res.Updated >= analyzeAfter {
		// A large import changes the tables' shape faster than the
		// engine's statistics follow (PostgreSQL's autovacuum comes
		// later, if it is on); without fresh statistics its planner may
		// pick plans that take seconds for a search. On PostgreSQL the
		// tables the import wrote are vacuumed too: until their pages are
		// marked all-visible, a search reads each person's row beside the
		// index that holds what it needs (twice as slow over 100,000
		// people). Either takes a moment (0.7 s for 100,000 people).
		stmt := `ANALYZE`
		if db.Dialect == store.Postgres {
			stmt = `VACUUM (ANALYZE) people, person_terms, person_sectors, consents, organisations, organisation_terms`
		}
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return res, err
		}
	}
	return res, nil
}

// importTx begins the transaction of an import; done gives its connection
// back to the pool once the transaction is over (it may be called again).
//
// On SQLite the transaction runs on a connection whose foreign keys are
// not enforced. With them, every statement that inserts several rows into
// a table with a foreign key keeps a copy of each page it changes, so as
// to undo itself alone should a key be missing: a tenth of an import's
// time, to guard rows whose keys the import itself has just read or made
// in the same transaction (people, organisations, sectors). The pragma is
// set back before the connection returns to the pool; should that fail,
// the connection is closed instead.
func importTx(ctx context.Context, db *store.DB) (tx *sql.Tx, done func(), err error) {
	if db.Dialect != store.SQLite {
		tx, err := db.BeginTx(ctx, nil)
		return tx, func() {}, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	var once sync.Once
	done = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); err != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			conn.Close()
		})
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		done()
		return nil, nil, err
	}
	if tx, err = conn.BeginTx(ctx, nil); err != nil {
		done()
		return nil, nil, err
	}
	return tx, done, nil
}

// analyzeAfter is the number of written rows from which an import
// refreshes the planner's statistics.
const analyzeAfter = 1000

// ReadHeaders returns the column names of a spreadsheet (its first
// non-empty row), to show the mapping step of an import.
func ReadHeaders(r io.Reader) ([]string, error) { return sheet.Headers(r) }

// run reads every row and applies them a batch at a time. Reading runs
// beside the writing, on a goroutine of its own: checking a row and
// preparing what will be written of it (folded name, search text and
// terms, address hash) is a fifth of an import's work, which the other
// core does while the database writes the batch before. At most a few
// batches are held at once.
func (im *importer) run(ctx context.Context, s sheet.Reader) (*ImportResult, error) {
	rd := &rowReader{cols: im.cols, sectors: im.sectors, seen: map[string]struct{}{}, folded: map[string]string{}}
	batches := make(chan []importRow, 2)
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(batches)
		defer func() {
			// A fault in reading fails this import, not the process (a
			// request's own goroutine would have recovered it).
			if p := recover(); p != nil {
				readErr = fmt.Errorf("import: reading row: %v", p)
			}
		}()
		batch := make([]importRow, 0, importBatch)
		send := func() bool {
			select {
			case batches <- batch:
				batch = make([]importRow, 0, importBatch)
				return true
			case <-stop:
				return false
			}
		}
		for {
			line, cells, err := s.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				readErr = err
				return
			}
			if sheet.Blank(cells) {
				continue
			}
			if row, ok := rd.read(line, cells); ok {
				batch = append(batch, row)
			}
			if len(batch) >= importBatch && !send() {
				return
			}
		}
		if len(batch) > 0 {
			send()
		}
	}()
	var err error
	for batch := range batches {
		if err == nil {
			if err = im.flush(ctx, batch); err != nil {
				close(stop) // and wait for the reader to end: the caller closes s
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if readErr != nil { // written before batches was closed
		return nil, readErr
	}
	res := im.res
	res.Errors, res.ErrorsOmitted, res.invalid = rd.rejects.merge(im.rejects)
	return res, nil
}

// importRow is a valid row waiting in a batch, normalised, with what will
// be written of it if the person is new.
type importRow struct {
	line    int
	in      PersonInput
	org     string // organisation name, "" to keep
	orgKey  string // org folded
	kind    string // kind or college for an organisation made on the fly
	college string
	consent bool
	langSet bool

	search, sort string   // searchText and sortKey
	words        []string // personWords
	emailHash    string
}

// rowReader checks the rows of an import (see importer.run).
type rowReader struct {
	cols    map[string]int
	sectors *sectorIndex
	seen    map[string]struct{} // e-mails read so far
	folded  map[string]string   // organisation names as written → folded
	rejects rejects
}

// read checks one row and returns it ready to write, or records its
// problems and reports false.
func (rd *rowReader) read(line int, cells []string) (importRow, bool) {
	cell := func(field string) string {
		i, ok := rd.cols[field]
		if !ok || i >= len(cells) {
			return ""
		}
		return unguard(strings.TrimSpace(cells[i]))
	}
	row := importRow{line: line, in: PersonInput{
		FirstName: cell(FieldFirstName), LastName: cell(FieldLastName), Name: cell(FieldName),
		Email: cell(FieldEmail), Function: cell(FieldFunction), Phone: cell(FieldPhone),
		Language: cell(FieldLanguage), ConsentMethod: MethodImport,
	}}
	row.langSet = row.in.Language != ""
	fe := row.in.check()
	if fe["name"] != "" {
		delete(fe, "last_name")
	}
	if !row.langSet {
		row.in.Language = ""
	}
	if v := cell(FieldSectors); v != "" {
		slugs, ok := rd.sectors.parse(v)
		if !ok {
			fe[FieldSectors] = "error.sector_unknown"
		}
		row.in.Sectors = slugs
	}
	row.org = clean(cell(FieldOrganisation))
	if utf8.RuneCountInString(row.org) > 200 {
		fe[FieldOrganisation] = "error.too_long"
	}
	if v := cell(FieldKind); v != "" {
		k, ok := parseKind(v)
		if !ok {
			fe[FieldKind] = "error.kind_invalid"
		}
		row.kind = k
	}
	if v := cell(FieldCollege); v != "" {
		c, ok := parseCollege(v)
		if !ok {
			fe[FieldCollege] = "error.college_invalid"
		}
		row.college = c
	}
	if v := cell(FieldConsent); v != "" {
		yes, ok := parseYes(v)
		if !ok {
			fe[FieldConsent] = "error.import_consent_invalid"
		}
		row.consent = yes
	}
	if fe["email"] == "" {
		if _, dup := rd.seen[row.in.Email]; dup {
			fe["email"] = "error.duplicate_in_file"
		} else {
			// A copy: the cell's string shares the memory of its whole row.
			rd.seen[strings.Clone(row.in.Email)] = struct{}{}
		}
	}
	if len(fe) > 0 {
		rd.rejects.add(line, fe)
		return importRow{}, false
	}
	if row.org != "" {
		key, ok := rd.folded[row.org]
		if !ok {
			key = Fold(row.org)
			rd.folded[row.org] = key
		}
		row.orgKey = key
	}
	first, last, email := row.in.FirstName, row.in.LastName, row.in.Email
	row.search, row.sort, row.words, row.emailHash = searchText(first, last, email), sortKey(first, last), personWords(first, last, email), EmailHash(email)
	return row, true
}

// rejects are the problems of an import's rows: the first MaxImportErrors
// of them in the order of the rows, and how many rows and problems there
// were in all.
type rejects struct {
	list         []ImportError
	rows, errors int
}

// add records the problems of a row, in the order of ImportFields. Rows
// come in their order.
func (r *rejects) add(line int, fe FieldErrors) {
	r.rows++
	fields := slices.Clone(ImportFields)
	for f := range fe {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	for _, f := range fields {
		if msg := fe[f]; msg != "" {
			r.errors++
			if len(r.list) < MaxImportErrors {
				r.list = append(r.list, ImportError{Row: line, Field: f, Message: msg})
			}
		}
	}
}

// merge gives the first MaxImportErrors problems of r and o by row, how
// many more there are, and how many rows had problems. Each of r and o
// keeps the first problems of its own rows: together they hold the first
// of all.
func (r rejects) merge(o rejects) (list []ImportError, omitted, rows int) {
	list = append(append([]ImportError{}, r.list...), o.list...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Row < list[j].Row })
	if len(list) > MaxImportErrors {
		list = list[:MaxImportErrors]
	}
	return list, r.errors + o.errors - len(list), r.rows + o.rows
}

// unguard removes the apostrophe that exports put before a cell starting
// with a formula character (see guardCell), so that a re-import reads the
// value as it was.
func unguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && needsGuard(s[1:]) {
		return s[1:]
	}
	return s
}

// parseYes reads a yes/no cell, French or English.
func parseYes(s string) (yes, ok bool) {
	switch Fold(s) {
	case "yes", "y", "oui", "o", "1", "true", "vrai", "x":
		return true, true
	case "no", "n", "non", "0", "false", "faux":
		return false, true
	}
	return false, false
}
