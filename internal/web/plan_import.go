package web

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/plan"
)

// Importing a plan's commitments from a spreadsheet, as the directory
// imports people: upload, a mapping suggested from the headers, a
// preview (dry run) with the problems by row, then the import. The
// upload waits in the import directory between the steps.

type planImportData struct {
	Plan     *plan.Plan
	ID       string
	Headers  []string
	Fields   []string
	Mapping  map[string]string
	Result   *plan.ImportResult
	DryRun   bool
	Filename string
}

// Keys and Action fill the import partials (templates/partials/import.html).
func (d planImportData) Keys() string   { return "plan.import" }
func (d planImportData) Action() string { return "/plans/" + d.Plan.ID + "/import/" + d.ID }

func (s *Server) planImportForm(w http.ResponseWriter, r *http.Request) {
	pl, err := plan.GetPlan(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "plan_import", s.page(r, planImportData{Plan: pl}))
}

// planImportUpload saves the file and shows the mapping suggested from
// its header row.
func (s *Server) planImportUpload(w http.ResponseWriter, r *http.Request) {
	pl, err := plan.GetPlan(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	fail := func(status int, key string) {
		p := s.page(r, planImportData{Plan: pl})
		p.Errors = s.translateErrors(r, map[string]string{"file": key})
		s.render(w, r, status, "plan_import", p)
	}
	id, filename, ok := s.receiveUpload(w, r, fail)
	if !ok {
		return
	}
	s.renderPlanMapping(w, r, pl, planImportData{ID: id, Filename: filename})
}

// renderPlanMapping shows the mapping form of an upload, with the
// preview or the refusal of d.Result if any.
func (s *Server) renderPlanMapping(w http.ResponseWriter, r *http.Request, pl *plan.Plan, d planImportData) {
	f, err := s.openUpload(d.ID)
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	headers, err := directory.ReadHeaders(f)
	f.Close()
	if fe, ok := fieldErrors(err); ok {
		os.Remove(filepath.Join(s.importDir(), d.ID+".upload"))
		p := s.page(r, planImportData{Plan: pl})
		p.Errors = s.translateErrors(r, fe)
		s.render(w, r, http.StatusUnprocessableEntity, "plan_import", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Plan, d.Headers, d.Fields = pl, headers, plan.ImportFields
	if d.Mapping == nil {
		d.Mapping = plan.SuggestMapping(headers)
	}
	status := http.StatusOK
	if d.Result != nil && len(d.Result.Errors) > 0 && !d.Result.Written() && !d.DryRun {
		status = http.StatusUnprocessableEntity
	}
	p := s.page(r, d)
	p.Form = r.PostForm // the options chosen stay chosen
	s.render(w, r, status, "plan_import_mapping", p)
}

// planImportRun previews (dry run) or runs the import of a saved upload
// with the mapping chosen in the form.
func (s *Server) planImportRun(w http.ResponseWriter, r *http.Request) {
	pl, err := plan.GetPlan(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	id := r.PathValue("upload")
	mapping := map[string]string{}
	for _, field := range plan.ImportFields {
		mapping[field] = r.PostFormValue("map." + field)
	}
	dry := r.PostFormValue("action") != "import"
	opts := directory.ImportOptions{Mapping: mapping, DryRun: dry, SkipInvalid: r.PostFormValue("skip_invalid") == "1"}
	res, err := s.runPlanImport(r, pl.ID, id, opts)
	d := planImportData{ID: id, Mapping: mapping, Filename: r.PostFormValue("filename"), Result: res, DryRun: dry}
	if fe, ok := fieldErrors(err); ok {
		// "map.<field>" is told at the select "f-map-<field>".
		out := map[string]string{}
		for k, v := range fe {
			out[strings.Replace(k, "map.", "map-", 1)] = v
		}
		p := s.page(r, nil)
		p.Errors = s.translateErrors(r, out)
		f, oerr := s.openUpload(id)
		if oerr != nil {
			s.planPageError(w, r, oerr)
			return
		}
		d.Headers, _ = directory.ReadHeaders(f)
		f.Close()
		d.Plan, d.Fields, d.Result = pl, plan.ImportFields, nil
		p.Data = d
		s.render(w, r, http.StatusUnprocessableEntity, "plan_import_mapping", p)
		return
	}
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	s.translateImport(r, &res.Errors)
	if res.Written() {
		os.Remove(filepath.Join(s.importDir(), id+".upload"))
		s.render(w, r, http.StatusOK, "plan_import_done", s.page(r, planImportData{Plan: pl, Result: res}))
		return
	}
	s.renderPlanMapping(w, r, pl, d)
}

// runPlanImport imports a saved upload into a plan. Each commitment
// changed is in its history and the audit log already; the import as a
// whole is audited too, with the organisations it created.
func (s *Server) runPlanImport(r *http.Request, planID, uploadID string, opts directory.ImportOptions) (*plan.ImportResult, error) {
	f, err := s.openUpload(uploadID)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := plan.ImportCommitments(r.Context(), s.db, s.planChange(r), planID, f, opts)
	if err != nil {
		return nil, err
	}
	if res.Written() {
		if err := audit.Record(r.Context(), s.db, actor(r), "plan.import", "plan", planID, map[string]int{
			"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged, "skipped_rows": len(res.Errors),
			"organisations_created": res.Organisations}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// apiCommitmentImport imports commitments from the request body, with
// the mapping (map.<field>=<header>), dry_run and skip_invalid of the
// people's import. Bad rows without skip_invalid: 422, nothing written.
func (s *Server) apiCommitmentImport(w http.ResponseWriter, r *http.Request) {
	pl, err := plan.GetPlan(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.apiPlanError(w, r, err)
		return
	}
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
	res, err := s.runPlanImport(r, pl.ID, id, opts)
	if err != nil {
		s.apiPlanError(w, r, err)
		return
	}
	s.translateImport(r, &res.Errors)
	if !opts.DryRun && !res.Written() {
		writeJSON(w, http.StatusUnprocessableEntity, struct {
			Error apiErrorDetail `json:"error"`
			*plan.ImportResult
		}{apiErrorDetail{Code: "invalid_rows", Message: s.i18n.T(state(r).Lang, "import.refused")}, res})
		return
	}
	writeJSON(w, http.StatusOK, res)
}
