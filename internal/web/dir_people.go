package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

type peopleData struct {
	People []*directory.Person
	Pager  Pager
	// Query is the filter as a query string, for the export and audience
	// links. It is made by url.Values.Encode, hence a template.URL: as a
	// plain string, html/template would escape its "&" and "=" and the
	// links would lose the filter (exporting everyone).
	Query template.URL
}

// directoryHome is the organisers' search over people.
func (s *Server) directoryHome(w http.ResponseWriter, r *http.Request) {
	const size = 50
	page, offset := paging(r, size)
	f := peopleFilter(r)
	p := s.page(r, nil)
	p.Form = r.URL.Query()
	if p.Form.Get("erased") == "1" {
		p.Notice = p.T("person.erased")
	}
	if err := s.withSectors(r, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	d := peopleData{}
	status := http.StatusOK
	if err := f.Validate(r.Context(), s.db); err != nil {
		fe, ok := fieldErrors(err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		p.Errors, status = s.translateErrors(r, filterFormErrors(fe)), http.StatusUnprocessableEntity
	} else {
		people, total, err := directory.SearchPeopleCount(r.Context(), s.db, f, size, offset)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.People = people
		d.Pager = newPager(r, page, size, total)
		q := r.URL.Query()
		q.Del("page")
		q.Del("erased")
		d.Query = template.URL(q.Encode())
	}
	p.Data = d
	s.render(w, r, status, "directory", p)
}

type personData struct {
	Person  *directory.Person
	History []directory.ConsentEvent
}

func (s *Server) person(w http.ResponseWriter, r *http.Request) {
	pr, err := directory.GetPerson(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	history, err := directory.ConsentHistory(r.Context(), s.db, pr.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, personData{Person: pr, History: history})
	if err := s.withSectors(r, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "person", p)
}

func personForm(p *directory.Person) url.Values {
	v := url.Values{"first_name": {p.FirstName}, "last_name": {p.LastName}, "email": {p.Email}, "organisation_id": {p.OrganisationID},
		"function": {p.Function}, "phone": {p.Phone}, "language": {p.Language}, "sectors": p.Sectors}
	if p.Consent.Info {
		v.Set("consent_info", "1")
	}
	if p.Consent.Invitations {
		v.Set("consent_invitations", "1")
	}
	return v
}

func personInput(r *http.Request) directory.PersonInput {
	f := r.PostForm
	info, inv := f.Get("consent_info") == "1", f.Get("consent_invitations") == "1"
	method := f.Get("consent_method")
	if method == "" {
		method = directory.MethodInPerson
	}
	return directory.PersonInput{
		FirstName: f.Get("first_name"), LastName: f.Get("last_name"), Email: f.Get("email"), OrganisationID: f.Get("organisation_id"),
		Function: f.Get("function"), Phone: f.Get("phone"), Language: f.Get("language"), Sectors: f["sectors"],
		ConsentInfo: &info, ConsentInvitations: &inv, ConsentMethod: method,
	}
}

type personFormData struct {
	Person        *directory.Person
	Organisations []Option
	Methods       []Option
}

func (s *Server) renderPersonForm(w http.ResponseWriter, r *http.Request, status int, pr *directory.Person, form url.Values, err error) {
	orgs, _, lerr := directory.ListOrganisations(r.Context(), s.db, directory.OrganisationFilter{Limit: 1000})
	if lerr != nil {
		s.serverError(w, r, lerr)
		return
	}
	p := s.page(r, nil)
	d := personFormData{Person: pr, Organisations: []Option{{Value: "", Label: p.T("person.no_organisation")}}}
	for _, o := range orgs {
		d.Organisations = append(d.Organisations, Option{Value: o.ID, Label: o.Name})
	}
	for _, m := range []string{directory.MethodInPerson, directory.MethodForm, directory.MethodImport} {
		d.Methods = append(d.Methods, Option{Value: m, Label: p.T("consent.method." + m)})
	}
	p.Data, p.Form = d, form
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, splitNameErrors(fe))
	} else if errors.Is(err, directory.ErrEmailTaken) {
		p.Errors = s.translateErrors(r, map[string]string{"email": "error.person_email_taken"})
	}
	if e := s.withSectors(r, p); e != nil {
		s.serverError(w, r, e)
		return
	}
	s.render(w, r, status, "person_form", p)
}

func (s *Server) personNew(w http.ResponseWriter, r *http.Request) {
	s.renderPersonForm(w, r, http.StatusOK, nil, url.Values{"language": {"fr"}, "organisation_id": {r.URL.Query().Get("organisation_id")}}, nil)
}

func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := personInput(r)
	in.Source = "form"
	pr, err := s.savePerson(r, "", in)
	if _, ok := fieldErrors(err); ok || errors.Is(err, directory.ErrEmailTaken) {
		s.renderPersonForm(w, r, http.StatusUnprocessableEntity, nil, r.PostForm, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/people/"+pr.ID, http.StatusSeeOther)
}

func (s *Server) personEdit(w http.ResponseWriter, r *http.Request) {
	pr, err := directory.GetPerson(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderPersonForm(w, r, http.StatusOK, pr, personForm(pr), nil)
}

func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) {
	pr, err := directory.GetPerson(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	r.ParseForm()
	_, err = s.savePerson(r, pr.ID, personInput(r))
	if _, ok := fieldErrors(err); ok || errors.Is(err, directory.ErrEmailTaken) {
		s.renderPersonForm(w, r, http.StatusUnprocessableEntity, pr, r.PostForm, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/people/"+pr.ID, http.StatusSeeOther)
}

func (s *Server) personDataDownload(w http.ResponseWriter, r *http.Request) {
	data, err := s.personData(r, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="personal-data.json"`)
	writeJSON(w, http.StatusOK, data)
}

func (s *Server) personEraseConfirm(w http.ResponseWriter, r *http.Request) {
	pr, err := directory.GetPerson(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "person_erase", s.page(r, pr))
}

func (s *Server) personErase(w http.ResponseWriter, r *http.Request) {
	err := s.erasePerson(r, r.PathValue("id"), "")
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory?erased=1", http.StatusSeeOther)
}
