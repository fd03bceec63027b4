package web

import (
	"database/sql"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

func (s *Server) audiences(w http.ResponseWriter, r *http.Request) {
	list, err := directory.ListAudiences(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, list)
	if err := s.withSectors(r, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "audiences", p)
}

// audienceNew shows the form, pre-filled from the directory's filter.
func (s *Server) audienceNew(w http.ResponseWriter, r *http.Request) {
	s.renderAudienceForm(w, r, http.StatusOK, r.URL.Query(), nil)
}

func (s *Server) renderAudienceForm(w http.ResponseWriter, r *http.Request, status int, form url.Values, err error) {
	p := s.page(r, nil)
	p.Form = form
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, filterFormErrors(fe))
	}
	if e := s.withSectors(r, p); e != nil {
		s.serverError(w, r, e)
		return
	}
	s.render(w, r, status, "audience_form", p)
}

func audienceInput(r *http.Request) directory.AudienceInput {
	f := r.PostForm
	return directory.AudienceInput{Name: f.Get("name"), Filter: directory.Filter{
		Q: f.Get("q"), Sectors: f["sector"], College: f.Get("college"), Kinds: nonEmpty(f["kind"]), Language: f.Get("language"), Consent: f.Get("consent"),
	}}
}

func nonEmpty(v []string) []string {
	var out []string
	for _, s := range v {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (s *Server) audienceCreate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	a, err := s.saveAudience(r, "", audienceInput(r))
	if _, ok := fieldErrors(err); ok {
		s.renderAudienceForm(w, r, http.StatusUnprocessableEntity, r.PostForm, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/audiences/"+a.ID, http.StatusSeeOther)
}

type audienceData struct {
	Audience *directory.Audience
	Members  []*directory.Person
	Pager    Pager
	Query    template.URL // made by url.Values.Encode (see peopleData)
}

func (s *Server) audience(w http.ResponseWriter, r *http.Request) {
	a, err := directory.GetAudience(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	const size = 50
	page, offset := paging(r, size)
	members, err := directory.SearchPeople(r.Context(), s.db, a.Filter, size, offset)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	q := url.Values{}
	if a.Filter.Q != "" {
		q.Set("q", a.Filter.Q)
	}
	for _, sec := range a.Filter.Sectors {
		q.Add("sector", sec)
	}
	for _, k := range a.Filter.Kinds {
		q.Add("kind", k)
	}
	for k, v := range map[string]string{"college": a.Filter.College, "language": a.Filter.Language, "consent": a.Filter.Consent} {
		if v != "" {
			q.Set(k, v)
		}
	}
	p := s.page(r, audienceData{Audience: a, Members: members, Pager: newPager(r, page, size, a.Count), Query: template.URL(q.Encode())})
	if err := s.withSectors(r, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "audience", p)
}

func (s *Server) audienceDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := directory.DeleteAudience(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "audience.delete", "audience", id, nil)
	})
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/audiences", http.StatusSeeOther)
}

func (s *Server) duplicates(w http.ResponseWriter, r *http.Request) {
	pairs, err := directory.FindDuplicates(r.Context(), s.db, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, pairs)
	if r.URL.Query().Get("merged") == "1" {
		p.Notice = p.T("dup.merged")
	}
	s.render(w, r, http.StatusOK, "duplicates", p)
}

func (s *Server) duplicatesMerge(w http.ResponseWriter, r *http.Request) {
	_, err := s.mergePeople(r, r.PostFormValue("from"), r.PostFormValue("into"))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, directory.ErrSamePerson) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/duplicates?merged=1", http.StatusSeeOther)
}
