package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// fieldErrors extracts the per-field errors of a domain error.
func fieldErrors(err error) (valid.Errors, bool) {
	var fe valid.Errors
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}

// values reads a multi-valued form or query field (checkboxes, repeated
// parameters, or one comma-separated value).
func values(r *http.Request, name string) []string {
	if r.Form == nil {
		r.ParseForm()
	}
	var out []string
	for _, v := range r.Form[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// paging reads ?page= (1-based) for a page size.
func paging(r *http.Request, size int) (page, offset int) {
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	return page, (page - 1) * size
}

// apiPaging reads ?limit= and ?offset= with bounds.
func apiPaging(r *http.Request) (limit, offset int) {
	limit, _ = strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	offset, _ = strconv.Atoi(r.URL.Query().Get("offset"))
	return limit, max(offset, 0)
}

// domainError answers a domain error on the API: 422 with the fields, 404,
// 409, or 500.
func (s *Server) apiDomainError(w http.ResponseWriter, r *http.Request, err error) {
	if fe, ok := fieldErrors(err); ok {
		s.validationFailed(w, r, fe)
		return
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.apiError(w, r, http.StatusNotFound, "not_found", "error.404", nil)
	case errors.Is(err, store.ErrConflict):
		s.apiError(w, r, http.StatusConflict, "conflict", "error.conflict", nil)
	default:
		s.serverError(w, r, err)
	}
}

// Pager is the view of a paginated list for the "pagination" partial.
type Pager struct {
	Page, Pages, Total int
	// Base is the URL of the list with its filters, ending in "page=".
	Base string
}

func newPager(r *http.Request, page, size, total int) Pager {
	q := r.URL.Query()
	q.Del("page")
	base := r.URL.Path + "?"
	if enc := q.Encode(); enc != "" {
		base += enc + "&"
	}
	return Pager{Page: page, Pages: (total + size - 1) / size, Total: total, Base: base + "page="}
}

// Field errors as forms show them. The error summary links each message
// to the element "f-<key>", so every key must name a field of the form.

// splitNameErrors drops "name" (no name at all) for forms that ask for the
// first and last names apart: the last name has its own message, and the
// form has no "name" field for the summary to link to.
func splitNameErrors(fe valid.Errors) map[string]string {
	out := map[string]string{}
	for k, v := range fe {
		if k != "name" || fe["last_name"] == "" {
			out[k] = v
		}
	}
	return out
}

// filterFormErrors renames the errors of a directory.Filter (bare, or
// under "filter." in an audience) to the fields of the filter forms,
// which send one "kind" and "sector" per choice.
func filterFormErrors(fe valid.Errors) map[string]string {
	out := map[string]string{}
	for k, v := range fe {
		k = strings.TrimPrefix(k, "filter.")
		switch k {
		case "sectors":
			k = "sector"
		case "kinds":
			k = "kind"
		}
		out[k] = v
	}
	return out
}
