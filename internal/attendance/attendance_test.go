package attendance_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ogforum/ogforum/internal/attendance"
)

func sheet(n int) attendance.Sheet {
	s := attendance.Sheet{
		Title: "Forum ouvert du gouvernement ouvert — décembre", When: "mardi 15 décembre 2026, 17:00–19:00",
		Where: "Ministère de la Transition écologique, salle Émile-Zola, 246 boulevard Saint-Germain, Paris",
		Labels: attendance.Labels{Number: "N°", LastName: "Nom", FirstName: "Prénom", Organisation: "Organisation",
			College: "Collège", Signature: "Signature", Page: "Page {page} / {pages}", Total: fmt.Sprintf("Inscrits : %d", n)},
		BlankRows: 10,
	}
	names := []string{"Dubois", "Ølsen", "Łukasiewicz", "Émeric", "zola", "<script>alert(1)</script>", "Nguyễn"}
	for i := range n {
		s.Rows = append(s.Rows, attendance.Row{LastName: names[i%len(names)], FirstName: fmt.Sprintf("Hélène %d", i),
			Organisation: "Fondation pour le logement des défavorisés et une organisation au nom très long", College: "Société civile"})
	}
	return s
}

func TestSortIgnoresAccentsAndCase(t *testing.T) {
	s := sheet(7)
	s.Sort()
	var got []string
	for _, r := range s.Rows {
		got = append(got, r.LastName)
	}
	want := []string{"<script>alert(1)</script>", "Dubois", "Émeric", "Łukasiewicz", "Nguyễn", "Ølsen", "zola"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// The PDF is A4, numbered, and its text (read back with pdftotext) shows
// accented names, the header on each page and the signature column.
func TestPDF(t *testing.T) {
	var buf bytes.Buffer
	s := sheet(120)
	s.Sort()
	if err := attendance.WritePDF(&buf, s); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (Debian package poppler-utils) is needed to read the PDF back")
		}
		t.Skip("pdftotext not installed: install poppler-utils to check the PDF's text")
	}
	path := t.TempDir() + "/sheet.pdf"
	os.WriteFile(path, buf.Bytes(), 0o600)
	info, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "A4") {
		t.Errorf("not A4:\n%s", info)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	pages := strings.Count(text, "\f")
	for _, want := range []string{"Forum ouvert du gouvernement ouvert — décembre", "salle Émile-Zola", "Hélène", "Łukasiewicz", "Nguyễn",
		"Ølsen", "<script>alert(1)</script>", "Signature", "Inscrits : 120", fmt.Sprintf("Page 1 / %d", pages), fmt.Sprintf("Page %d / %d", pages, pages)} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if pages < 3 || strings.Count(text, "Signature") != pages {
		t.Errorf("%d pages, %d headers: the header must repeat on each page", pages, strings.Count(text, "Signature"))
	}
	if !strings.Contains(text, "130") {
		t.Error("blank rows for walk-ins must be numbered after the list (130)")
	}
}

func TestCSVAndXLSX(t *testing.T) {
	s := sheet(3)
	s.Rows[0].LastName = "=HYPERLINK(\"http://evil\")"
	var excel, open, x bytes.Buffer
	if err := attendance.WriteCSV(&excel, s, true); err != nil {
		t.Fatal(err)
	}
	if err := attendance.WriteCSV(&open, s, false); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(excel.String(), "\ufeffN°;Nom;Prénom") || !strings.Contains(excel.String(), "\r\n") || !strings.Contains(excel.String(), "'=HYPERLINK") {
		t.Errorf("excel CSV:\n%s", excel.String())
	}
	if strings.HasPrefix(open.String(), "\ufeff") || !strings.HasPrefix(open.String(), "N°,Nom,Prénom") || strings.Contains(open.String(), "'=") {
		t.Errorf("open CSV:\n%s", open.String())
	}
	if err := attendance.WriteXLSX(&x, s); err != nil {
		t.Fatal(err)
	}
	if _, err := zip.NewReader(bytes.NewReader(x.Bytes()), int64(x.Len())); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Sheet1")
	if len(rows) != 4 || rows[0][5] != "Signature" || rows[2][1] != "Ølsen" {
		t.Fatalf("xlsx rows %q", rows)
	}
	if formula, _ := f.GetCellFormula("Sheet1", "B2"); formula != "" {
		t.Fatal("a name became a formula")
	}
}

// BenchmarkPDF500 is the attendance sheet of 500 registrants (issue 5's
// figure: under 300 ms).
func BenchmarkPDF500(b *testing.B) {
	s := sheet(500)
	s.Sort()
	for b.Loop() {
		var buf bytes.Buffer
		if err := attendance.WritePDF(&buf, s); err != nil {
			b.Fatal(err)
		}
	}
}
