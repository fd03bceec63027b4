package plan

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/sheet"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// ImportResult counts what an import did (or, in a dry run or when it was
// refused because of bad rows, what it would do) and lists the problems
// at their row (its line in the file, the header being 1) and field, as
// the directory's import does.
type ImportResult struct {
	Created   int                     `json:"created"`
	Updated   int                     `json:"updated"`
	Unchanged int                     `json:"unchanged"`
	Errors    []directory.ImportError `json:"errors"`
	// ErrorsOmitted counts the problems beyond directory.MaxImportErrors.
	ErrorsOmitted int `json:"errors_omitted,omitempty"`
	// Organisations counts the organisations created for names the
	// directory did not know.
	Organisations int `json:"organisations_created"`

	invalid int
	written bool
}

// Written tells whether the import was committed.
func (r *ImportResult) Written() bool { return r.written }

// ImportCommitments reads a spreadsheet of commitments (CSV or XLSX, as
// the directory's import reads them, with the same mapping and options)
// into a plan, in one transaction (organisers). A row is matched to a
// commitment of the plan by its reference, or by its number when it has
// none: the commitment is created, updated (an empty cell keeps the stored
// value) or left unchanged. The lead cell may name several institutions
// (separated by semicolons, " | " or new lines), as the OGP lists joint
// leads: the first leads, the others support. Institutions are matched to
// organisations by name, case and accents ignored, or created
// (central_administration unless the row's kind says otherwise); axes
// are matched by title or position, or added. Milestones (see
// parseMilestones) are matched by title: new ones are added, the due day
// of known ones updated, none removed. Every change is in the
// commitments' history, and their followers are mailed when it commits.
func ImportCommitments(ctx context.Context, db *store.DB, ch Change, planID string, r io.Reader, opts directory.ImportOptions) (*ImportResult, error) {
	if err := ch.mustManage(); err != nil {
		return nil, err
	}
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
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, store.Map(err)
	}
	defer tx.Rollback()
	im, err := newImporter(ctx, tx, ch, planID, cols)
	if err != nil {
		return nil, err
	}
	for {
		line, cells, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if sheet.Blank(cells) {
			continue
		}
		if err := im.row(ctx, line, cells); err != nil {
			return nil, err
		}
	}
	res := im.res
	if opts.DryRun || (res.invalid > 0 && !opts.SkipInvalid) {
		return res, tx.Rollback()
	}
	if err := tx.Commit(); err != nil {
		return nil, store.Map(err)
	}
	res.written = true
	return res, nil
}

// importer applies the rows of one import inside its transaction. Plans
// hold tens of commitments, not thousands: rows are applied one by one,
// each within a savepoint so that a bad row leaves nothing behind.
type importer struct {
	tx     *sql.Tx
	ch     Change
	planID string
	cols   map[string]int
	orgs   map[string]string // folded name → id, the oldest first
	seen   map[string]int    // reference or "#number" → line
	res    *ImportResult
	today  Date
}

func newImporter(ctx context.Context, tx *sql.Tx, ch Change, planID string, cols map[string]int) (*importer, error) {
	if _, err := GetPlan(ctx, tx, planID); err != nil {
		return nil, err
	}
	im := &importer{tx: tx, ch: ch, planID: planID, cols: cols, orgs: map[string]string{}, seen: map[string]int{},
		res: &ImportResult{Errors: []directory.ImportError{}}, today: Today()}
	rows, err := tx.QueryContext(ctx, `SELECT id, name_key FROM organisations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		if _, ok := im.orgs[key]; !ok {
			im.orgs[key] = id
		}
		return nil
	})
	return im, err
}

// importRow is a row read and checked. On update, the cells it has
// replace the stored values; empty cells keep them.
type importRow struct {
	in                    CommitmentInput
	lead                  string
	support               []string
	leadKind, supportKind string
	milestones            []MilestoneInput
	hasAxis               bool
}

// row checks one row and applies it within a savepoint.
func (im *importer) row(ctx context.Context, line int, cells []string) error {
	cell := func(field string) string {
		i, ok := im.cols[field]
		if !ok || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(cells[i])
	}
	r, fe := im.read(cell)
	if len(fe) > 0 {
		im.reject(line, fe)
		return nil
	}
	key := r.in.Reference
	if key == "" {
		key = "#" + r.in.Number
	}
	if _, dup := im.seen[key]; dup {
		field := FieldReference
		if r.in.Reference == "" {
			field = FieldNumber
		}
		im.reject(line, valid.Errors{field: "error.plan_duplicate_in_file"})
		return nil
	}
	im.seen[key] = line
	if _, err := im.tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
		return err
	}
	created, fe, err := im.apply(ctx, r)
	if err == nil && len(fe) == 0 {
		_, err = im.tx.ExecContext(ctx, `RELEASE SAVEPOINT import_row`)
		return err
	}
	if _, rbErr := im.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_row`); rbErr != nil {
		return rbErr
	}
	for _, name := range created {
		delete(im.orgs, fold(name))
		im.res.Organisations--
	}
	if err != nil {
		return err
	}
	im.reject(line, fe)
	return nil
}

// read turns a row's cells into an input, with the problems that need no
// database.
func (im *importer) read(cell func(string) string) (*importRow, valid.Errors) {
	r := &importRow{in: CommitmentInput{
		Reference: cell(FieldReference), Number: cell(FieldNumber), Title: cell(FieldTitle), TitleEN: cell(FieldTitleEN),
		Description: cell(FieldDescription), DescriptionEN: cell(FieldDescriptionEN), Axis: cell(FieldAxis),
	}}
	r.hasAxis = r.in.Axis != ""
	fe := r.in.check()
	out := valid.Errors{}
	for field, key := range fe {
		out[importField(field)] = key
	}
	if r.in.Reference == "" && r.in.Number == "" && out[FieldReference] == "" && out[FieldNumber] == "" {
		out[FieldReference] = "error.plan_import_key_required"
	}
	if len([]rune(r.in.Axis)) > 300 {
		out[FieldAxis] = "error.too_long"
	}
	names := splitNames(cell(FieldLead))
	if len(names) > 0 {
		r.lead = names[0]
	}
	r.support = append(names[min(1, len(names)):], splitNames(cell(FieldSupport))...)
	for _, n := range append([]string{r.lead}, r.support...) {
		if len([]rune(n)) > 200 {
			field := FieldSupport
			if n == r.lead {
				field = FieldLead
			}
			out[field] = "error.too_long"
		}
	}
	for field, kind := range map[string]*string{FieldLeadKind: &r.leadKind, FieldSupportKind: &r.supportKind} {
		v := strings.ReplaceAll(strings.ReplaceAll(fold(cell(field)), " ", "_"), "-", "_")
		if v != "" && !directory.ValidKind(v) {
			out[field] = "error.kind_invalid"
		}
		*kind = v
	}
	ms, bad := parseMilestones(cell(FieldMilestones))
	if bad != "" {
		out[FieldMilestones] = bad
	}
	for i := range ms {
		if f := ms[i].check(im.today); len(f) > 0 && out[FieldMilestones] == "" {
			for _, key := range f {
				out[FieldMilestones] = key
				break
			}
		}
	}
	r.milestones = ms
	return r, out
}

// importField is the import field a validation field belongs to.
func importField(field string) string {
	switch field {
	case "lead_organisation_id":
		return FieldLead
	case "support_organisation_ids":
		return FieldSupport
	case "axis_id":
		return FieldAxis
	}
	return field
}

// reject records the problems of a row, in the order of ImportFields.
func (im *importer) reject(line int, fe valid.Errors) {
	im.res.invalid++
	fields := slices.Clone(ImportFields)
	for f := range fe {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	for _, f := range fields {
		if msg := fe[f]; msg != "" {
			if len(im.res.Errors) >= directory.MaxImportErrors {
				im.res.ErrorsOmitted++
				continue
			}
			im.res.Errors = append(im.res.Errors, directory.ImportError{Row: line, Field: f, Message: msg})
		}
	}
}
