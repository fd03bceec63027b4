package attendance

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

func (s Sheet) records(withSignature bool) [][]string {
	l := s.Labels
	head := []string{l.Number, l.LastName, l.FirstName, l.Organisation, l.College}
	if withSignature {
		head = append(head, l.Signature)
	}
	out := [][]string{head}
	for i, r := range s.Rows {
		rec := []string{strconv.Itoa(i + 1), r.LastName, r.FirstName, r.Organisation, r.College}
		if withSignature {
			rec = append(rec, "")
		}
		out = append(out, rec)
	}
	return out
}

// WriteCSV writes the list as CSV. excel selects the French Excel variant
// (semicolons, UTF-8 byte-order mark, CRLF, and cells that a spreadsheet
// would run as formulas prefixed with an apostrophe); otherwise the
// open-data variant (commas, no mark, LF, values as they are).
func WriteCSV(w io.Writer, s Sheet, excel bool) error {
	cw := csv.NewWriter(w)
	if excel {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw.Comma, cw.UseCRLF = ';', true
	}
	for _, rec := range s.records(false) {
		if excel {
			for i, c := range rec {
				rec[i] = guard(c)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// guard keeps a spreadsheet from running a cell as a formula.
func guard(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}

// WriteXLSX writes the list as a workbook with a signature column; cells
// are typed strings, never formulas.
func WriteXLSX(w io.Writer, s Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, rec := range s.records(true) {
		row := make([]any, len(rec))
		for j, c := range rec {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
