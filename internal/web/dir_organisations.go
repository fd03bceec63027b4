package web

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
)

// withSectors gives the page the sector labels in its language.
func (s *Server) withSectors(r *http.Request, p *Page) error {
	opts, err := s.sectorOptions(r.Context(), p.Lang)
	if err != nil {
		return err
	}
	p.sectors = map[string]string{}
	for _, o := range opts {
		p.sectors[o.Value] = o.Label
	}
	p.SectorChoices = opts
	return nil
}

type organisationsData struct {
	Organisations []*directory.Organisation
	Pager         Pager
}

// organisations is the public list of organisations.
func (s *Server) organisations(w http.ResponseWriter, r *http.Request) {
	const size = 50
	page, offset := paging(r, size)
	f := orgFilter(r)
	f.Limit, f.Offset = size, offset
	orgs, total, err := directory.ListOrganisations(r.Context(), s.db, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, organisationsData{Organisations: orgs, Pager: newPager(r, page, size, total)})
	p.Form = r.URL.Query()
	if err := s.withSectors(r, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "organisations", p)
}

type organisationData struct {
	Org    *directory.Organisation
	People []*directory.Person
	// Leads and Supports are the commitments the organisation carries.
	Leads, Supports []*plan.Commitment
}

// organisation is an organisation's public page; organisers also see its
// people.
func (s *Server) organisation(w http.ResponseWriter, r *http.Request) {
	o, err := directory.GetOrganisation(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := organisationData{Org: o}
	if d.Leads, d.Supports, err = plan.OrganisationCommitments(r.Context(), s.db, o.ID, ""); err != nil {
		s.serverError(w, r, err)
		return
	}
	if u := state(r).User; u != nil && u.Role.AtLeastOrganiser() {
		if d.People, err = directory.SearchPeople(r.Context(), s.db, directory.Filter{OrganisationID: o.ID}, 500, 0); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	p := s.page(r, d)
	if err := s.withSectors(r, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "organisation", p)
}

func orgForm(o *directory.Organisation) url.Values {
	v := url.Values{"name": {o.Name}, "kind": {o.Kind}, "website": {o.Website}, "description": {o.Description}, "city": {o.City}, "sectors": o.Sectors}
	if o.College != directory.CollegeOfKind(o.Kind) {
		v.Set("college", o.College)
	}
	return v
}

func orgInput(r *http.Request) directory.OrganisationInput {
	return directory.OrganisationInput{
		Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), College: r.PostFormValue("college"),
		Sectors: r.PostForm["sectors"], Website: r.PostFormValue("website"), Description: r.PostFormValue("description"), City: r.PostFormValue("city"),
	}
}

type orgFormData struct {
	Org *directory.Organisation // nil when creating
}

func (s *Server) renderOrgForm(w http.ResponseWriter, r *http.Request, status int, d orgFormData, form url.Values, err error) {
	p := s.page(r, d)
	p.Form = form
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, fe)
	}
	if e := s.withSectors(r, p); e != nil {
		s.serverError(w, r, e)
		return
	}
	s.render(w, r, status, "organisation_form", p)
}

func (s *Server) organisationNew(w http.ResponseWriter, r *http.Request) {
	s.renderOrgForm(w, r, http.StatusOK, orgFormData{}, url.Values{"kind": {"association"}}, nil)
}

func (s *Server) organisationCreate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var o *directory.Organisation
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if o, err = directory.CreateOrganisation(r.Context(), tx, orgInput(r)); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "organisation.create", "organisation", o.ID, map[string]string{"name": o.Name})
	})
	if _, ok := fieldErrors(err); ok {
		s.renderOrgForm(w, r, http.StatusUnprocessableEntity, orgFormData{}, r.PostForm, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/organisations/"+o.ID, http.StatusSeeOther)
}

func (s *Server) organisationEdit(w http.ResponseWriter, r *http.Request) {
	o, err := directory.GetOrganisation(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderOrgForm(w, r, http.StatusOK, orgFormData{Org: o}, orgForm(o), nil)
}

func (s *Server) organisationUpdate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o, err := directory.GetOrganisation(r.Context(), s.db, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	r.ParseForm()
	in := orgInput(r)
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := directory.UpdateOrganisation(r.Context(), tx, id, in); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "organisation.update", "organisation", id, in)
	})
	if _, ok := fieldErrors(err); ok {
		s.renderOrgForm(w, r, http.StatusUnprocessableEntity, orgFormData{Org: o}, r.PostForm, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/organisations/"+id, http.StatusSeeOther)
}

func (s *Server) organisationDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.deleteOrganisation(r, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, directory.ErrInUse):
		o, gerr := directory.GetOrganisation(r.Context(), s.db, id)
		if gerr != nil {
			s.serverError(w, r, gerr)
			return
		}
		p := s.page(r, organisationData{Org: o})
		p.Notice = p.T("org.in_use")
		s.withSectors(r, p)
		s.render(w, r, http.StatusConflict, "organisation", p)
	case err != nil:
		s.serverError(w, r, err)
	default:
		http.Redirect(w, r, "/organisations", http.StatusSeeOther)
	}
}
