// Package sheet reads the spreadsheets people upload for imports: CSV
// (comma, semicolon or tab; UTF-8, Windows-1252 or UTF-16) or XLSX (first
// worksheet), told apart by their content, one row at a time. Problems
// with the file as a whole are valid.Errors under the field "file".
package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/ogforum/ogforum/internal/valid"
)

// Limits on what an uploaded workbook may unpack to: a zip bomb is refused,
// and any worksheet or shared-string table larger than xlsxInMemory is
// unpacked to a temporary file and read from there as a stream.
const (
	xlsxUnzipLimit = 512 << 20
	xlsxInMemory   = 8 << 20
)

// Problems with the file as a whole, reported in valid.Errors under "file".
const (
	errNotSpreadsheet = "error.import_not_spreadsheet"
	errXLSUnsupported = "error.import_xls_unsupported"
	errODSUnsupported = "error.import_ods_unsupported"
	errXLSXInvalid    = "error.import_xlsx_invalid"
	errCSVInvalid     = "error.import_csv_invalid"
	errEmptyFile      = "error.import_empty"
)

func fileError(key string) error { return valid.Errors{"file": key} }

// Reader is a spreadsheet read one row at a time. Next returns the row's
// line in the file (the header is line 1) and its cells, which are only
// valid until the following call; io.EOF ends the sheet.
type Reader interface {
	Next() (line int, cells []string, err error)
	Close() error
}

var (
	zipMagic    = []byte("PK\x03\x04")
	oleMagic    = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // .xls, or an encrypted workbook
	binaryMagic = [][]byte{
		[]byte("%PDF"), []byte("\x89PNG"), []byte("GIF8"), []byte("\xFF\xD8\xFF"), []byte("\x1F\x8B"),
		[]byte("PK\x05\x06"), []byte("PK\x07\x08"), []byte("7z\xBC\xAF"), []byte("Rar!"),
	}
)

// Open detects the format of r from its content — an XLSX workbook is a
// zip file, anything else must be text — and returns a row reader. r
// should be a local file or buffer, and its size capped by the caller: an
// XLSX is read whole by its zip reader (worksheets larger than a few
// megabytes are unpacked to temporary files, not to memory).
func Open(r io.Reader) (Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(8 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	switch {
	case len(bytes.TrimSpace(head)) == 0:
		return nil, fileError(errEmptyFile)
	case bytes.HasPrefix(head, zipMagic):
		if bytes.Contains(head[:min(len(head), 200)], []byte("opendocument")) {
			return nil, fileError(errODSUnsupported)
		}
		return openXLSX(br)
	case bytes.HasPrefix(head, oleMagic):
		return nil, fileError(errXLSUnsupported)
	}
	for _, m := range binaryMagic {
		if bytes.HasPrefix(head, m) {
			return nil, fileError(errNotSpreadsheet)
		}
	}
	var text io.Reader = br
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		// "Unicode text" as Excel saves it: UTF-16 with a byte-order mark.
		text = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	} else if looksBinary(head) {
		return nil, fileError(errNotSpreadsheet)
	}
	return openCSV(transform.NewReader(text, &textDecoder{}))
}

// looksBinary tells whether the start of a file holds bytes that no
// spreadsheet saved as text contains: NUL, or control characters other
// than tab, line feed, vertical tab (a line break inside a cell for some
// programs), form feed and carriage return; a few are tolerated, such as
// an old DOS end-of-file mark.
func looksBinary(head []byte) bool {
	controls := 0
	for _, c := range head {
		switch {
		case c == 0:
			return true
		case c < 0x20 && !strings.ContainsRune("\t\n\v\f\r", rune(c)), c == 0x7F:
			controls++
		}
	}
	return controls > 2 && controls*100 > len(head)
}

var errNUL = errors.New("NUL byte in a text file")

// textDecoder turns a spreadsheet saved as text into UTF-8 while streaming.
// A UTF-8 byte-order mark is dropped. Otherwise the encoding is decided at
// the first non-ASCII character: valid UTF-8 means UTF-8, anything else
// means Windows-1252 (what French Excel writes as "CSV (séparateur :
// point-virgule)") for the rest of the file. In a UTF-8 file, a stray byte
// that is not UTF-8 is read as Windows-1252 rather than lost. A NUL byte
// anywhere is an error: such a file is not text.
type textDecoder struct {
	mode int
}

const (
	modeStart = iota
	modeASCII
	modeUTF8
	modeCP1252
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func (d *textDecoder) Reset() { d.mode = modeStart }

func (d *textDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if d.mode == modeStart {
		if len(src) < len(utf8BOM) && !atEOF && bytes.HasPrefix(utf8BOM, src) {
			return 0, 0, transform.ErrShortSrc
		}
		d.mode = modeASCII
		if bytes.HasPrefix(src, utf8BOM) {
			d.mode, nSrc = modeUTF8, len(utf8BOM)
		}
	}
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if c == 0 {
				return nDst, nSrc, errNUL
			}
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		if d.mode != modeCP1252 {
			r, size := utf8.DecodeRune(src[nSrc:])
			if r != utf8.RuneError || size > 1 {
				if nDst+size > len(dst) {
					return nDst, nSrc, transform.ErrShortDst
				}
				nDst += copy(dst[nDst:], src[nSrc:nSrc+size])
				nSrc += size
				d.mode = modeUTF8
				continue
			}
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			if d.mode == modeASCII {
				d.mode = modeCP1252
			}
		}
		r := charmap.Windows1252.DecodeByte(c)
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc++
	}
	return nDst, nSrc, nil
}

// csvSheet reads CSV records; a record's line is the line it starts on.
type csvSheet struct {
	r      *csv.Reader
	offset int // lines consumed before the reader started ("sep=;")
}

func openCSV(text io.Reader) (Reader, error) {
	br := bufio.NewReaderSize(text, 64<<10)
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, csvError(err)
	}
	offset := 0
	delim := sniffDelimiter(head)
	// Excel understands, and sometimes writes, a first line "sep=;".
	if line, _, _ := bytes.Cut(head, []byte("\n")); len(bytes.TrimSpace(line)) == 5 && bytes.HasPrefix(line, []byte("sep=")) {
		delim = rune(line[4])
		if _, err := br.ReadBytes('\n'); err != nil {
			return nil, csvError(err)
		}
		offset = 1
	}
	r := csv.NewReader(br)
	r.Comma = delim
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return &csvSheet{r: r, offset: offset}, nil
}

// sniffDelimiter picks the separator of the header line — semicolon,
// comma or tab, whichever appears most outside quotes (semicolon wins a
// tie, being what French Excel writes); a single column means comma.
func sniffDelimiter(head []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' || c == '\r' {
			break
		}
		if c == ';' || c == ',' || c == '\t' {
			counts[c]++
		}
	}
	best, n := byte(','), 0
	for _, c := range []byte{';', ',', '\t'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

func (s *csvSheet) Next() (int, []string, error) {
	rec, err := s.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		return 0, nil, csvError(err)
	}
	line, _ := s.r.FieldPos(0)
	return line + s.offset, rec, nil
}

func (s *csvSheet) Close() error { return nil }

func csvError(err error) error {
	if errors.Is(err, errNUL) {
		return fileError(errNotSpreadsheet)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fileError(errCSVInvalid)
	}
	return err
}

// xlsxSheet streams the rows of a workbook's first worksheet. The row
// iterator yields every row number in turn, empty ones included, so the
// count of rows read is the row's number in the sheet.
type xlsxSheet struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func openXLSX(r io.Reader) (Reader, error) {
	// excelize needs the whole zip (its directory is at the end); the
	// caller caps the upload's size, and worksheets larger than
	// xlsxInMemory are unpacked to temporary files, not to memory.
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxInMemory})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, fileError(errXLSXInvalid)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fileError(errXLSXInvalid)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fileError(errXLSXInvalid)
	}
	return &xlsxSheet{f: f, rows: rows}, nil
}

func (s *xlsxSheet) Next() (int, []string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, fileError(errXLSXInvalid)
		}
		return 0, nil, io.EOF
	}
	s.line++
	cells, err := s.rows.Columns()
	if err != nil {
		return 0, nil, fileError(errXLSXInvalid)
	}
	return s.line, cells, nil
}

func (s *xlsxSheet) Close() error {
	s.rows.Close()
	return s.f.Close()
}

// Headers returns the column names of a spreadsheet (its first non-empty
// row), to show the mapping step of an import.
func Headers(r io.Reader) ([]string, error) {
	s, err := Open(r)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	_, headers, err := Header(s)
	return headers, err
}

// Header reads rows up to the first that has a value and returns its line
// and its cells, trimmed, as a copy: the column names. An empty sheet is
// a "file" error.
func Header(s Reader) (int, []string, error) {
	for {
		line, cells, err := s.Next()
		if errors.Is(err, io.EOF) {
			return 0, nil, fileError(errEmptyFile)
		}
		if err != nil {
			return 0, nil, err
		}
		if Blank(cells) {
			continue
		}
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
		}
		return line, out, nil
	}
}

// Blank tells whether a row has no value (only empty or space cells).
func Blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
