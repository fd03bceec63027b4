package attendance

import (
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Column widths in millimetres on A4 portrait with 12 mm margins (186 mm).
var widths = [6]float64{11, 38, 32, 50, 23, 32}

const (
	margin    = 12.0
	rowHeight = 9.0
	font      = "go"
)

// WritePDF writes the sheet as an A4 PDF: title, date and place at the top
// of every page, a table with a numbered row per person and a signature
// box, blank rows for walk-ins, and page numbers. Text is drawn with an
// embedded Unicode font, so accented and non-Latin names print as typed.
func WritePDF(w io.Writer, s Sheet) error {
	pdf := newA4(s.Title)

	header := func() {
		pdf.SetFont(font, "B", 14)
		pdf.MultiCell(0, 7, s.Title, "", "L", false)
		pdf.SetFont(font, "", 10)
		if s.When != "" {
			pdf.CellFormat(0, 5, s.When, "", 1, "L", false, 0, "")
		}
		if s.Where != "" {
			pdf.MultiCell(0, 5, s.Where, "", "L", false)
		}
		if s.Labels.Total != "" {
			pdf.CellFormat(0, 5, s.Labels.Total, "", 1, "L", false, 0, "")
		}
		pdf.Ln(2)
		pdf.SetFont(font, "B", 9)
		pdf.SetFillColor(230, 230, 240)
		l := s.Labels
		for i, h := range []string{l.Number, l.LastName, l.FirstName, l.Organisation, l.College, l.Signature} {
			pdf.CellFormat(widths[i], 7, fit(pdf, h, widths[i]), "1", 0, "C", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont(font, "", 9)
	}
	pdf.SetHeaderFunc(header)
	pageNumbers(pdf, s.Labels.Page)
	pdf.AddPage()
	n := 0
	for _, r := range s.Rows {
		n++
		row(pdf, []string{strconv.Itoa(n), r.LastName, r.FirstName, r.Organisation, r.College, ""})
	}
	for range s.BlankRows {
		n++
		row(pdf, []string{strconv.Itoa(n), "", "", "", "", ""})
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}

// newA4 starts an A4 portrait document with the embedded Unicode font.
func newA4(title string) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin+8)
	pdf.AddUTF8FontFromBytes(font, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(font, "B", gobold.TTF)
	pdf.SetTitle(title, true)
	pdf.SetCreator("ogforum", true)
	pdf.AliasNbPages("{nb}")
	return pdf
}

// pageNumbers prints label ("Page {page} / {pages}") at the foot of every
// page.
func pageNumbers(pdf *fpdf.Fpdf, label string) {
	pdf.SetFooterFunc(func() {
		pdf.SetY(-margin - 4)
		pdf.SetFont(font, "", 8)
		page := strings.NewReplacer("{page}", strconv.Itoa(pdf.PageNo()), "{pages}", "{nb}").Replace(label)
		pdf.CellFormat(0, 5, page, "", 0, "C", false, 0, "")
	})
}

func row(pdf *fpdf.Fpdf, cells []string) {
	for i, c := range cells {
		align := "L"
		if i == 0 {
			align = "C"
		}
		pdf.CellFormat(widths[i], rowHeight, fit(pdf, c, widths[i]), "1", 0, align, false, 0, "")
	}
	pdf.Ln(-1)
}

// fit shortens s with an ellipsis until it fits in a cell of width w.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	s = strings.Join(strings.Fields(s), " ")
	limit := w - 2*pdf.GetCellMargin()
	if pdf.GetStringWidth(s) <= limit {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > limit {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}
