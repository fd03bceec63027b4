package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

// maxImportSize caps an uploaded spreadsheet.
const maxImportSize = 50 << 20

// importDir holds uploaded spreadsheets between the mapping step and the
// import; the purge job removes stale ones.
func (s *Server) importDir() string { return filepath.Join(s.cfg.DataDir, "imports") }

// saveUpload copies a request body (or form file) to a new file in the
// import directory and returns its id. A body over the size limit is
// refused with errTooLarge.
func (s *Server) saveUpload(src io.Reader) (string, error) {
	if err := os.MkdirAll(s.importDir(), 0o750); err != nil {
		return "", err
	}
	id := store.NewID()
	f, err := os.OpenFile(filepath.Join(s.importDir(), id+".upload"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return "", err
	}
	n, err := io.Copy(f, io.LimitReader(src, maxImportSize+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxImportSize {
		err = errTooLarge
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = errTooLarge
	}
	if err != nil {
		os.Remove(filepath.Join(s.importDir(), id+".upload"))
		return "", err
	}
	return id, nil
}

var errTooLarge = errors.New("upload too large")

func (s *Server) openUpload(id string) (*os.File, error) {
	if !store.ValidID(id) {
		return nil, store.ErrNotFound
	}
	f, err := os.Open(filepath.Join(s.importDir(), id+".upload"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, store.ErrNotFound
	}
	return f, err
}

// PurgeUploads removes uploads older than a day.
func PurgeUploads(dataDir string, now time.Time) error {
	dir := filepath.Join(dataDir, "imports")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}

// mappingFrom reads map.<field>=<header> parameters.
func mappingFrom(values map[string][]string) map[string]string {
	m := map[string]string{}
	for k, v := range values {
		if field, ok := strings.CutPrefix(k, "map."); ok && len(v) > 0 {
			m[field] = v[0]
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// apiImport runs an import from the request body; the answer lists the
// counts and the row errors. Bad rows without skip_invalid: 422, nothing
// written.
func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) {
	id, err := s.saveUpload(r.Body)
	if errors.Is(err, errTooLarge) {
		s.apiError(w, r, http.StatusRequestEntityTooLarge, "too_large", "error.import_too_large", map[string]string{"file": "error.import_too_large"})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	defer os.Remove(filepath.Join(s.importDir(), id+".upload"))
	q := r.URL.Query()
	opts := directory.ImportOptions{Mapping: mappingFrom(q), DryRun: truthy(q.Get("dry_run")), SkipInvalid: truthy(q.Get("skip_invalid"))}
	res, err := s.runImport(r, id, opts)
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	s.translateImport(r, &res.Errors)
	if !opts.DryRun && !res.Written() {
		writeJSON(w, http.StatusUnprocessableEntity, struct {
			Error apiErrorDetail `json:"error"`
			*directory.ImportResult
		}{apiErrorDetail{Code: "invalid_rows", Message: s.i18n.T(state(r).Lang, "import.refused")}, res})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func truthy(v string) bool { return v == "1" || v == "true" || v == "yes" || v == "on" }

// runImport imports a saved upload and audits a committed import.
func (s *Server) runImport(r *http.Request, id string, opts directory.ImportOptions) (*directory.ImportResult, error) {
	f, err := s.openUpload(id)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := directory.ImportPeople(r.Context(), s.db, f, opts)
	if err != nil {
		return nil, err
	}
	if res.Written() {
		if err := audit.Record(r.Context(), s.db, actor(r), "person.import", "people", "", map[string]int{
			"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged, "skipped_rows": len(res.Errors)}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// translateImport turns the keys of an import's row errors (of people or
// of commitments) into messages; no errors become an empty list.
func (s *Server) translateImport(r *http.Request, errs *[]directory.ImportError) {
	lang := state(r).Lang
	for i := range *errs {
		(*errs)[i].Message = s.i18n.T(lang, (*errs)[i].Message)
	}
	if *errs == nil {
		*errs = []directory.ImportError{}
	}
}

type importData struct {
	ID       string
	Headers  []string
	Fields   []string
	Mapping  map[string]string
	Result   *directory.ImportResult
	DryRun   bool
	Filename string
}

// Keys and Action fill the import partials (templates/partials/import.html).
func (d importData) Keys() string   { return "import" }
func (d importData) Action() string { return "/directory/import/" + d.ID }

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "import", s.page(r, importData{}))
}

// importUpload saves the file and shows the mapping suggested from its
// header row.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, key string) {
		p := s.page(r, importData{})
		p.Errors = s.translateErrors(r, map[string]string{"file": key})
		s.render(w, r, status, "import", p)
	}
	id, filename, ok := s.receiveUpload(w, r, fail)
	if !ok {
		return
	}
	s.renderMapping(w, r, id, filename, nil, nil, false)
}

// receiveUpload saves the spreadsheet of an import form's "file" field and
// returns its upload id and name; when there is none, or it is too large,
// it calls fail with the status and the message key and reports false.
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request, fail func(status int, key string)) (id, filename string, ok bool) {
	file, header, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(http.StatusRequestEntityTooLarge, "error.import_too_large")
		} else {
			fail(http.StatusUnprocessableEntity, "error.import_no_file")
		}
		return "", "", false
	}
	defer file.Close()
	id, err = s.saveUpload(file)
	if errors.Is(err, errTooLarge) {
		fail(http.StatusRequestEntityTooLarge, "error.import_too_large")
		return "", "", false
	}
	if err != nil {
		s.serverError(w, r, err)
		return "", "", false
	}
	return id, header.Filename, true
}

func (s *Server) renderMapping(w http.ResponseWriter, r *http.Request, id, filename string, mapping map[string]string, res *directory.ImportResult, dry bool) {
	f, err := s.openUpload(id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	headers, err := directory.ReadHeaders(f)
	f.Close()
	if fe, ok := fieldErrors(err); ok {
		os.Remove(filepath.Join(s.importDir(), id+".upload"))
		p := s.page(r, importData{})
		p.Errors = s.translateErrors(r, fe)
		s.render(w, r, http.StatusUnprocessableEntity, "import", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if mapping == nil {
		mapping = directory.SuggestMapping(headers)
	}
	d := importData{ID: id, Headers: headers, Fields: directory.ImportFields, Mapping: mapping, Result: res, DryRun: dry, Filename: filename}
	status := http.StatusOK
	if res != nil && len(res.Errors) > 0 && !res.Written() && !dry {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "import_mapping", s.page(r, d))
}

// importRun previews (dry run) or runs the import of a saved upload with
// the mapping chosen in the form.
func (s *Server) importRun(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	r.ParseForm()
	mapping := map[string]string{}
	for _, field := range directory.ImportFields {
		mapping[field] = r.PostFormValue("map." + field)
	}
	dry := r.PostFormValue("action") != "import"
	opts := directory.ImportOptions{Mapping: mapping, DryRun: dry, SkipInvalid: r.PostFormValue("skip_invalid") == "1"}
	res, err := s.runImport(r, id, opts)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if fe, ok := fieldErrors(err); ok {
		p := s.page(r, nil)
		f, oerr := s.openUpload(id)
		if oerr != nil {
			s.serverError(w, r, oerr)
			return
		}
		headers, _ := directory.ReadHeaders(f)
		f.Close()
		p.Data = importData{ID: id, Headers: headers, Fields: directory.ImportFields, Mapping: mapping, Filename: r.PostFormValue("filename")}
		// "map.<field>" is told at the select "f-map-<field>", where the
		// error summary links it.
		out := map[string]string{}
		for k, v := range fe {
			out[strings.Replace(k, "map.", "map-", 1)] = v
		}
		p.Errors = s.translateErrors(r, out)
		s.render(w, r, http.StatusUnprocessableEntity, "import_mapping", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.translateImport(r, &res.Errors)
	if res.Written() {
		os.Remove(filepath.Join(s.importDir(), id+".upload"))
		s.render(w, r, http.StatusOK, "import_done", s.page(r, res))
		return
	}
	s.renderMapping(w, r, id, r.PostFormValue("filename"), mapping, res, dry)
}

// exportPeople streams the people matching the query's filter.
func (s *Server) exportPeople(format directory.ExportFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		format, ok := csvFormat(format, r)
		if !ok {
			s.validationFailed(w, r, map[string]string{"format": "error.format_invalid"})
			return
		}
		f := peopleFilter(r)
		if err := f.Validate(r.Context(), s.db); err != nil {
			s.apiDomainError(w, r, err)
			return
		}
		if err := audit.Record(r.Context(), s.db, actor(r), "person.export_list", "people", "", f); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.streamExport(w, r, "personnes", format, func(out io.Writer) error {
			return directory.ExportPeople(r.Context(), s.db, out, f, format)
		})
	}
}

// exportOrganisations streams the organisations (public fields only).
func (s *Server) exportOrganisations(format directory.ExportFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		format, ok := csvFormat(format, r)
		if !ok {
			s.validationFailed(w, r, map[string]string{"format": "error.format_invalid"})
			return
		}
		f := orgFilter(r)
		s.streamExport(w, r, "organisations", format, func(out io.Writer) error {
			return directory.ExportOrganisations(r.Context(), s.db, out, f, format)
		})
	}
}

func (s *Server) streamExport(w http.ResponseWriter, r *http.Request, name string, format directory.ExportFormat, write func(io.Writer) error) {
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s%s"`, name, time.Now().Format("2006-01-02"), format.Extension()))
	w.Header().Set("Cache-Control", "no-store")
	if err := write(w); err != nil {
		// Headers are gone; the truncated file is the signal, the log the cause.
		s.log.Error("export", "err", err, "request_id", state(r).ID)
	}
}

// csvFormat reads ?format=excel|open for the CSV routes; XLSX routes keep
// their format.
func csvFormat(route directory.ExportFormat, r *http.Request) (directory.ExportFormat, bool) {
	if route == directory.ExportXLSX {
		return route, true
	}
	f, ok := directory.ParseExportFormat(r.URL.Query().Get("format"))
	return f, ok && f != directory.ExportXLSX
}
