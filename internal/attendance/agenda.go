package attendance

import (
	"io"
	"strconv"
)

// Agenda is a forum's agenda as a printable document, attached to
// invitations: the caller gives the texts already translated.
type Agenda struct {
	// Title is the forum's title; When and Where are shown under it.
	Title, When, Where string
	// Heading names the list ("Ordre du jour").
	Heading string
	Items   []AgendaItem
	// Page is the footer, with {page} and {pages} placeholders.
	Page string
}

// AgendaItem is one numbered part of the agenda.
type AgendaItem struct {
	Title string
	// Details is the line under the title: duration and who presents.
	Details     string
	Description string
}

// WriteAgendaPDF writes the agenda as an A4 PDF with the same embedded
// Unicode font as the sheet.
func WriteAgendaPDF(w io.Writer, a Agenda) error {
	pdf := newA4(a.Title)
	pageNumbers(pdf, a.Page)
	pdf.AddPage()
	pdf.SetFont(font, "B", 16)
	pdf.MultiCell(0, 8, a.Title, "", "L", false)
	pdf.SetFont(font, "", 11)
	for _, s := range []string{a.When, a.Where} {
		if s != "" {
			pdf.MultiCell(0, 6, s, "", "L", false)
		}
	}
	pdf.Ln(4)
	pdf.SetFont(font, "B", 13)
	pdf.MultiCell(0, 7, a.Heading, "", "L", false)
	pdf.Ln(2)
	for i, it := range a.Items {
		pdf.SetFont(font, "B", 11)
		pdf.MultiCell(0, 6, strconv.Itoa(i+1)+". "+it.Title, "", "L", false)
		pdf.SetFont(font, "", 10)
		if it.Details != "" {
			pdf.MultiCell(0, 5, it.Details, "", "L", false)
		}
		if it.Description != "" {
			pdf.SetTextColor(60, 60, 60)
			pdf.MultiCell(0, 5, it.Description, "", "L", false)
			pdf.SetTextColor(0, 0, 0)
		}
		pdf.Ln(3)
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}
