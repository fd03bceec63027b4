package directory

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ogforum/ogforum/internal/store"
)

// ExportFormat is the form of a spreadsheet export.
//
//   - ExportExcel is a CSV for French Excel: semicolons, UTF-8 with a
//     byte-order mark (without it Excel reads Windows-1252), CRLF line ends,
//     French column headers, and values for people to read: French labels
//     for kinds, colleges and sectors, "oui"/"non", dates as
//     "2006-01-02 15:04:05" in UTC. Cells that a spreadsheet would run as
//     a formula get a leading apostrophe (see guardCell).
//   - ExportOpen is a CSV for open data and programs: commas, UTF-8 without
//     byte-order mark, LF line ends, English snake_case headers (the field
//     names of the API), and raw values: slugs, "true"/"false", RFC 3339
//     times in UTC. Values are written exactly as stored, unguarded.
//   - ExportXLSX is a workbook with the headers and labels of ExportExcel;
//     its cells are typed strings (and a date), which a spreadsheet never
//     runs as formulas, so they need no guard.
//
// Sectors are joined with ", " in every form. ImportPeople reads all three
// back: an export re-imported changes nothing.
type ExportFormat string

const (
	ExportExcel ExportFormat = "excel"
	ExportOpen  ExportFormat = "open"
	ExportXLSX  ExportFormat = "xlsx"
)

// ParseExportFormat reads a format name; "" is ExportExcel.
func ParseExportFormat(s string) (ExportFormat, bool) {
	switch f := ExportFormat(strings.ToLower(strings.TrimSpace(s))); f {
	case "":
		return ExportExcel, true
	case ExportExcel, ExportOpen, ExportXLSX:
		return f, true
	}
	return "", false
}

// ContentType is the MIME type of an export in this format.
func (f ExportFormat) ContentType() string {
	if f == ExportXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Extension is the file-name extension of the format, with its dot.
func (f ExportFormat) Extension() string {
	if f == ExportXLSX {
		return ".xlsx"
	}
	return ".csv"
}

// exportBatch is how many people each keyset query reads.
const exportBatch = 500

// column is one column of an export: its French and open-data headers.
type column struct{ fr, open string }

var peopleColumns = []column{
	{"Prénom", "first_name"}, {"Nom", "last_name"}, {"Courriel", "email"}, {"Organisation", "organisation"},
	{"Collège", "college"}, {"Type", "kind"}, {"Fonction", "function"}, {"Téléphone", "phone"},
	{"Secteurs", "sectors"}, {"Langue", "language"}, {"Consentement information", "consent_info"},
	{"Consentement invitations", "consent_invitations"}, {"Désinscrit", "opted_out"}, {"Créé le (UTC)", "created_at"},
}

var organisationColumns = []column{
	{"Nom", "name"}, {"Type", "kind"}, {"Collège", "college"}, {"Secteurs", "sectors"},
	{"Site web", "website"}, {"Ville", "city"}, {"Description", "description"},
}

// ExportPeople writes the people matching filter to w, in the order of
// their ids, reading them in keyset batches (never all at once). People
// are personal data: organisers only. A bad filter gives FieldErrors
// before anything is written; a CSV is streamed as it goes, a workbook is
// written at the end.
func ExportPeople(ctx context.Context, q store.Querier, w io.Writer, filter Filter, format ExportFormat) error {
	if err := filter.Validate(ctx, q); err != nil {
		return err
	}
	ix, err := loadSectorIndex(ctx, q)
	if err != nil {
		return err
	}
	out, err := newTableWriter(w, format, "Personnes", peopleColumns)
	if err != nil {
		return err
	}
	kinds := map[string]string{} // organisation id → kind, filled as met
	err = EachPerson(ctx, q, filter, exportBatch, func(p *Person) error {
		kind := ""
		if p.OrganisationID != "" {
			k, ok := kinds[p.OrganisationID]
			if !ok {
				if err := q.QueryRowContext(ctx, `SELECT kind FROM organisations WHERE id = $1`, p.OrganisationID).Scan(&k); err != nil {
					return store.Map(err)
				}
				kinds[p.OrganisationID] = k
			}
			kind = k
		}
		return out.row(
			text(p.FirstName), text(p.LastName), text(p.Email), text(p.OrganisationName),
			out.college(p.College), out.kind(kind), text(p.Function), text(p.Phone),
			out.sectors(ix, p.Sectors), text(p.Language), out.yes(p.Consent.Info), out.yes(p.Consent.Invitations),
			out.yes(p.OptedOut), out.time(p.CreatedAt))
	})
	if err != nil {
		out.abort()
		return err
	}
	return out.close()
}

// ExportOrganisations writes the organisations matching filter to w,
// sorted by name, with their public fields only. Organisations are few
// (thousands at most): they are read in pages of a thousand.
func ExportOrganisations(ctx context.Context, q store.Querier, w io.Writer, filter OrganisationFilter, format ExportFormat) error {
	ix, err := loadSectorIndex(ctx, q)
	if err != nil {
		return err
	}
	out, err := newTableWriter(w, format, "Organisations", organisationColumns)
	if err != nil {
		return err
	}
	filter.Limit, filter.Offset = 1000, 0
	for {
		page, _, err := ListOrganisations(ctx, q, filter)
		if err != nil {
			out.abort()
			return err
		}
		for _, o := range page {
			if err := out.row(text(o.Name), out.kind(o.Kind), out.college(o.College), out.sectors(ix, o.Sectors),
				text(o.Website), text(o.City), text(o.Description)); err != nil {
				out.abort()
				return err
			}
		}
		if len(page) < filter.Limit {
			return out.close()
		}
		filter.Offset += len(page)
	}
}

// formulaStarts are the characters with which a cell is read as a formula
// by Excel or LibreOffice ("=", "+", "-", "@") or can smuggle one in (tab,
// carriage return).
const formulaStarts = "=+-@\t\r"

// guardCell protects against CSV formula injection: a value that a
// spreadsheet would run as a formula (a name such as "=HYPERLINK(...)"
// typed into the public join form, for instance) gets a leading
// apostrophe, which makes the cell plain text. Only the Excel CSV is
// guarded; the open-data CSV keeps values exact for programs, and XLSX
// cells are typed strings. ImportPeople removes the apostrophe again (see
// unguard); a value that itself starts with an apostrophe and a formula
// character gets one more, so that it too comes back as it was.
func guardCell(s string) string {
	if needsGuard(s) {
		return "'" + s
	}
	return s
}

// needsGuard tells whether s starts with a formula character, after any
// apostrophes.
func needsGuard(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0
}

// text marks a value as free text (guarded in the Excel CSV).
type text string

// tableWriter writes rows in one of the export formats.
type tableWriter struct {
	format ExportFormat
	csv    *csv.Writer
	w      io.Writer
	xlsx   *excelize.File
	stream *excelize.StreamWriter
	n      int // rows written, header included
	rec    []string
	date   int // XLSX style of dates
}

func newTableWriter(w io.Writer, format ExportFormat, sheet string, cols []column) (*tableWriter, error) {
	t := &tableWriter{format: format, w: w}
	headers := make([]any, len(cols))
	for i, c := range cols {
		headers[i] = c.fr
		if format == ExportOpen {
			headers[i] = c.open
		}
	}
	switch format {
	case ExportExcel, ExportOpen:
		if format == ExportExcel {
			if _, err := io.WriteString(w, "\uFEFF"); err != nil {
				return nil, err
			}
		}
		t.csv = csv.NewWriter(w)
		if format == ExportExcel {
			t.csv.Comma, t.csv.UseCRLF = ';', true
		}
	case ExportXLSX:
		t.xlsx = excelize.NewFile()
		if err := t.xlsx.SetSheetName("Sheet1", sheet); err != nil {
			t.xlsx.Close()
			return nil, err
		}
		sw, err := t.xlsx.NewStreamWriter(sheet)
		if err != nil {
			t.xlsx.Close()
			return nil, err
		}
		t.stream = sw
		bold, err := t.xlsx.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
		if err != nil {
			t.xlsx.Close()
			return nil, err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			t.xlsx.Close()
			return nil, err
		}
		if err := sw.SetColWidth(1, len(cols), 20); err != nil {
			t.xlsx.Close()
			return nil, err
		}
		if t.date, err = t.xlsx.NewStyle(&excelize.Style{NumFmt: 22}); err != nil {
			t.xlsx.Close()
			return nil, err
		}
		for i := range headers {
			headers[i] = excelize.Cell{StyleID: bold, Value: headers[i]}
		}
	default:
		return nil, errors.New("unknown export format " + string(format))
	}
	return t, t.row(headers...)
}

// row writes one row; text values are guarded in the Excel CSV.
func (t *tableWriter) row(values ...any) error {
	t.n++
	if t.stream != nil {
		for i, v := range values {
			if s, ok := v.(text); ok {
				values[i] = string(s)
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, t.n)
		if err != nil {
			return err
		}
		return t.stream.SetRow(cell, values)
	}
	t.rec = t.rec[:0]
	for _, v := range values {
		var s string
		switch v := v.(type) {
		case text:
			s = string(v)
			if t.format == ExportExcel {
				s = guardCell(s)
			}
		case string:
			s = v
		case time.Time:
			s = v.Format(time.RFC3339)
		}
		t.rec = append(t.rec, s)
	}
	return t.csv.Write(t.rec)
}

func (t *tableWriter) human() bool { return t.format != ExportOpen }

func (t *tableWriter) kind(k string) any {
	if t.human() {
		return kindLabelFR(k)
	}
	return k
}

func (t *tableWriter) college(c string) any {
	if t.human() {
		return collegeLabelFR(c)
	}
	return c
}

func (t *tableWriter) sectors(ix *sectorIndex, slugs []string) any {
	if t.human() {
		return text(strings.Join(ix.labels(slugs), ", "))
	}
	return strings.Join(slugs, ", ")
}

func (t *tableWriter) yes(b bool) any {
	switch {
	case t.human() && b:
		return "oui"
	case t.human():
		return "non"
	case b:
		return "true"
	}
	return "false"
}

func (t *tableWriter) time(at time.Time) any {
	at = at.UTC()
	switch t.format {
	case ExportXLSX:
		return excelize.Cell{StyleID: t.date, Value: at}
	case ExportExcel:
		return at.Format("2006-01-02 15:04:05")
	}
	return at
}

// close finishes the file: flushes the CSV, or zips the workbook to w.
func (t *tableWriter) close() error {
	if t.csv != nil {
		t.csv.Flush()
		return t.csv.Error()
	}
	defer t.xlsx.Close()
	if err := t.stream.Flush(); err != nil {
		return err
	}
	return t.xlsx.Write(t.w)
}

// abort releases a workbook's temporary files after an error.
func (t *tableWriter) abort() {
	if t.xlsx != nil {
		t.xlsx.Close()
	}
}
