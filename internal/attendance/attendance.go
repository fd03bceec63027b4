// Package attendance renders a forum's printed documents. The attendance
// sheet ("feuille d'émargement") for the reception desk: a printable A4 PDF
// with a signature column, and the same list as CSV (French Excel or open
// data) and XLSX. The agenda ("ordre du jour") attached to invitations, as
// an A4 PDF. It knows nothing of forums: the caller gives the rows and the
// translated labels.
package attendance

import (
	"sort"

	"github.com/ogforum/ogforum/internal/directory"
)

// Row is one person expected at the desk.
type Row struct {
	LastName     string
	FirstName    string
	Organisation string
	College      string // already translated for display
	WalkIn       bool
}

// Labels are the translated texts of the sheet.
type Labels struct {
	Number, LastName, FirstName, Organisation, College, Signature string
	// Page is the footer, with {page} and {pages} placeholders.
	Page string
	// Total introduces the number of registrants ("Inscrits : 80").
	Total string
}

// Sheet is everything the sheet shows.
type Sheet struct {
	Title string
	// When and Where are shown under the title, already formatted.
	When, Where string
	Rows        []Row
	// BlankRows are numbered empty rows for walk-ins, after the list.
	BlankRows int
	Labels    Labels
}

// Sort orders the rows by surname then first name, accents and case
// ignored, as the desk looks people up.
func (s *Sheet) Sort() {
	key := func(r Row) string { return directory.Fold(r.LastName + " " + r.FirstName) }
	sort.SliceStable(s.Rows, func(i, j int) bool { return key(s.Rows[i]) < key(s.Rows[j]) })
}
