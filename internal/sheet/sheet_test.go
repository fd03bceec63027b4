package sheet

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

func decodeAll(t *testing.T, in []byte) (string, error) {
	t.Helper()
	// One byte per read, so that every multi-byte sequence and the BOM
	// are cut across reads.
	out, err := io.ReadAll(transform.NewReader(iotest.OneByteReader(bytes.NewReader(in)), &textDecoder{}))
	return string(out), err
}

func TestTextDecoder(t *testing.T) {
	text := "Nom;Prénom\nDœuf;Hélène — « ça » 5 €\n"
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("ascii only;line\n", 10000) // the decision comes late
	cases := map[string]struct{ in, want string }{
		"utf-8":                   {text, text},
		"utf-8 with BOM":          {"\uFEFF" + text, text},
		"windows-1252":            {cp1252, text},
		"windows-1252 after 160k": {long + cp1252, long + text},
		"utf-8 after 160k":        {long + text, long + text},
		"stray byte in utf-8":     {"é;\xe9\n", "é;é\n"},
		"BOM only":                {"\uFEFF", ""},
		"short":                   {"\xEF", "ï"},
	}
	for name, c := range cases {
		got, err := decodeAll(t, []byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("%s: %q (%v), want %q", name, got[:min(len(got), 80)], err, c.want[:min(len(c.want), 80)])
		}
	}
	if _, err := decodeAll(t, []byte("a;b\nc\x00;d\n")); !errors.Is(err, errNUL) {
		t.Errorf("NUL: %v", err)
	}
}

func TestSniffDelimiter(t *testing.T) {
	cases := map[string]rune{
		"Nom;Prénom;Courriel\nDupont, Jean;x;y\n": ';',
		"name,email\n": ',',
		`"Nom; complet",Courriel,Structure` + "\n":   ',',
		`"Nom, complet";Courriel;"Structure, ville"`: ';',
		"Nom\tCourriel\n": '\t',
		"Courriel\n":      ',',
		"a,b;c\n":         ';',
	}
	for head, want := range cases {
		if got := sniffDelimiter([]byte(head)); got != want {
			t.Errorf("sniffDelimiter(%q) = %q, want %q", head, got, want)
		}
	}
}

func readRows(t *testing.T, file []byte) ([]int, [][]string) {
	t.Helper()
	s, err := Open(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var lines []int
	var rows [][]string
	for {
		line, cells, err := s.Next()
		if errors.Is(err, io.EOF) {
			return lines, rows
		}
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
		rows = append(rows, append([]string(nil), cells...))
	}
}

func TestCSVRowsAndLines(t *testing.T) {
	file := "sep=;\r\nNom;Fonction\r\nA;\"deux\r\nlignes\"\r\n\r\nB;\"dit \"\"oui\"\"\"\r\nC;bad\"quote\r\n"
	lines, rows := readRows(t, []byte(file))
	wantLines := []int{2, 3, 6, 7}
	if len(lines) != 4 || lines[0] != 2 || lines[1] != 3 || lines[2] != 6 || lines[3] != 7 {
		t.Errorf("lines %v, want %v", lines, wantLines)
	}
	if rows[1][1] != "deux\nlignes" || rows[2][1] != `dit "oui"` || rows[3][1] != `bad"quote` {
		t.Errorf("rows %q", rows)
	}
	// UTF-16 as Excel's "Unicode text" saves it, tab-separated.
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("Nom\tCourriel\nHélène\th@example.org\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, rows := readRows(t, []byte(utf16)); len(rows) != 2 || rows[1][0] != "Hélène" || rows[1][1] != "h@example.org" {
		t.Errorf("UTF-16 rows %q", rows)
	}
}
