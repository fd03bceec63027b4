package web

import (
	"database/sql"
	"errors"
	"net/http"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
)

func (s *Server) apiSectors(w http.ResponseWriter, r *http.Request) {
	sectors, err := directory.Sectors(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sectors": sectors})
}

func orgFilter(r *http.Request) directory.OrganisationFilter {
	q := r.URL.Query()
	return directory.OrganisationFilter{Q: q.Get("q"), Kind: q.Get("kind"), College: q.Get("college"), Sector: q.Get("sector")}
}

func (s *Server) apiOrganisations(w http.ResponseWriter, r *http.Request) {
	f := orgFilter(r)
	f.Limit, f.Offset = apiPaging(r)
	orgs, total, err := directory.ListOrganisations(r.Context(), s.db, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if orgs == nil {
		orgs = []*directory.Organisation{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": orgs, "total": total})
}

func (s *Server) apiOrganisation(w http.ResponseWriter, r *http.Request) {
	o, err := directory.GetOrganisation(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) apiOrganisationCreate(w http.ResponseWriter, r *http.Request) {
	var in directory.OrganisationInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusCreated, s.apiDomainError, func(tx *sql.Tx) (*directory.Organisation, error) {
		o, err := directory.CreateOrganisation(r.Context(), tx, in)
		if err != nil {
			return nil, err
		}
		return o, audit.Record(r.Context(), tx, actor(r), "organisation.create", "organisation", o.ID, map[string]string{"name": o.Name})
	})
}

// apiOrganisationPatch changes the fields present in the body only.
func (s *Server) apiOrganisationPatch(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cur, err := directory.GetOrganisation(r.Context(), s.db, id)
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	in := directory.OrganisationInput{Name: cur.Name, Kind: cur.Kind, Sectors: cur.Sectors, Website: cur.Website, Description: cur.Description, City: cur.City}
	if cur.College != directory.CollegeOfKind(cur.Kind) {
		in.College = cur.College
	}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusOK, s.apiDomainError, func(tx *sql.Tx) (*directory.Organisation, error) {
		o, err := directory.UpdateOrganisation(r.Context(), tx, id, in)
		if err != nil {
			return nil, err
		}
		return o, audit.Record(r.Context(), tx, actor(r), "organisation.update", "organisation", id, in)
	})
}

func (s *Server) apiOrganisationDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.deleteOrganisation(r, id)
	if errors.Is(err, directory.ErrInUse) {
		s.apiError(w, r, http.StatusConflict, "in_use", "error.organisation_in_use", nil)
		return
	}
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteOrganisation(r *http.Request, id string) error {
	return s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := directory.DeleteOrganisation(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "organisation.delete", "organisation", id, nil)
	})
}

func peopleFilter(r *http.Request) directory.Filter {
	q := r.URL.Query()
	return directory.Filter{
		Q: q.Get("q"), Sectors: values(r, "sector"), College: q.Get("college"), Kinds: values(r, "kind"),
		Language: q.Get("language"), Consent: q.Get("consent"), OrganisationID: firstNonEmpty(q.Get("organisation_id"), q.Get("organization_id")),
	}
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) {
	f := peopleFilter(r)
	if err := f.Validate(r.Context(), s.db); err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	limit, offset := apiPaging(r)
	people, total, err := directory.SearchPeopleCount(r.Context(), s.db, f, limit, offset)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if people == nil {
		people = []*directory.Person{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"people": people, "total": total})
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) {
	p, err := directory.GetPerson(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// personBody is the JSON of a person, with the "organization" spelling.
type personBody struct {
	directory.PersonInput
	OrganizationID *string `json:"organization_id"`
}

func (b *personBody) input() directory.PersonInput {
	in := b.PersonInput
	if b.OrganizationID != nil && in.OrganisationID == "" {
		in.OrganisationID = *b.OrganizationID
	}
	if in.ConsentMethod == "" && (in.ConsentInfo != nil || in.ConsentInvitations != nil) {
		in.ConsentMethod = directory.MethodForm
	}
	return in
}

func (s *Server) apiPersonCreate(w http.ResponseWriter, r *http.Request) {
	var b personBody
	if !s.decodeJSON(w, r, &b) {
		return
	}
	in := b.input()
	in.Source = "api"
	p, err := s.savePerson(r, "", in)
	if errors.Is(err, directory.ErrEmailTaken) {
		s.apiError(w, r, http.StatusConflict, "conflict", "error.person_email_taken", map[string]string{"email": "error.person_email_taken"})
		return
	}
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) apiPersonPatch(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cur, err := directory.GetPerson(r.Context(), s.db, id)
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	b := personBody{PersonInput: directory.PersonInput{FirstName: cur.FirstName, LastName: cur.LastName, Email: cur.Email,
		OrganisationID: cur.OrganisationID, Function: cur.Function, Phone: cur.Phone, Sectors: cur.Sectors, Language: cur.Language}}
	if !s.decodeJSON(w, r, &b) {
		return
	}
	in := b.input()
	if in.Name != "" && in.Name != cur.Name {
		in.FirstName, in.LastName = directory.SplitName(in.Name)
	}
	p, err := s.savePerson(r, id, in)
	if errors.Is(err, directory.ErrEmailTaken) {
		s.apiError(w, r, http.StatusConflict, "conflict", "error.person_email_taken", map[string]string{"email": "error.person_email_taken"})
		return
	}
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// savePerson creates (id empty) or updates a person and audits it without
// personal data in the log.
func (s *Server) savePerson(r *http.Request, id string, in directory.PersonInput) (*directory.Person, error) {
	var p *directory.Person
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		action := "person.update"
		if id == "" {
			action = "person.create"
			p, err = directory.CreatePerson(r.Context(), tx, in)
		} else {
			p, err = directory.UpdatePerson(r.Context(), tx, id, in)
		}
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), action, "person", p.ID, nil)
	})
	return p, err
}

func (s *Server) apiPersonDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := directory.DeletePerson(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "person.delete", "person", id, nil)
	})
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) personData(r *http.Request, id string) (map[string]any, error) {
	var data map[string]any
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if data, err = directory.DataExport(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "person.export", "person", id, nil)
	})
	return data, err
}

func (s *Server) apiPersonData(w http.ResponseWriter, r *http.Request) {
	data, err := s.personData(r, r.PathValue("id"))
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="personal-data.json"`)
	writeJSON(w, http.StatusOK, data)
}

func (s *Server) erasePerson(r *http.Request, id, by string) error {
	return s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := directory.Erase(r.Context(), tx, id); err != nil {
			return err
		}
		a := actor(r)
		if by != "" {
			a = audit.Actor{Label: by}
		}
		return audit.Record(r.Context(), tx, a, "person.erase", "person", id, nil)
	})
}

func (s *Server) apiPersonErase(w http.ResponseWriter, r *http.Request) {
	if err := s.erasePerson(r, r.PathValue("id"), ""); err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "erased"})
}

func (s *Server) apiPersonMerge(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Into string `json:"into"`
	}
	if !s.decodeJSON(w, r, &body) {
		return
	}
	p, err := s.mergePeople(r, r.PathValue("id"), body.Into)
	if errors.Is(err, directory.ErrSamePerson) {
		s.validationFailed(w, r, map[string]string{"into": "error.merge_same"})
		return
	}
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) mergePeople(r *http.Request, from, into string) (*directory.Person, error) {
	var p *directory.Person
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if p, err = directory.Merge(r.Context(), tx, from, into); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "person.merge", "person", into, map[string]string{"merged": from})
	})
	return p, err
}

func (s *Server) apiDuplicates(w http.ResponseWriter, r *http.Request) {
	pairs, err := directory.FindDuplicates(r.Context(), s.db, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, map[string]any{"a": p.A, "b": p.B, "reason": p.Reason})
	}
	writeJSON(w, http.StatusOK, map[string]any{"duplicates": out})
}

func (s *Server) apiAudiences(w http.ResponseWriter, r *http.Request) {
	list, err := directory.ListAudiences(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if list == nil {
		list = []*directory.Audience{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"audiences": list})
}

func (s *Server) apiAudienceCreate(w http.ResponseWriter, r *http.Request) {
	var in directory.AudienceInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	a, err := s.saveAudience(r, "", in)
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) saveAudience(r *http.Request, id string, in directory.AudienceInput) (*directory.Audience, error) {
	var a *directory.Audience
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		action := "audience.update"
		if id == "" {
			action = "audience.create"
			a, err = directory.CreateAudience(r.Context(), tx, in, state(r).User.ID)
		} else {
			a, err = directory.UpdateAudience(r.Context(), tx, id, in)
		}
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), action, "audience", a.ID, in)
	})
	return a, err
}

func (s *Server) apiAudience(w http.ResponseWriter, r *http.Request) {
	a, err := directory.GetAudience(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) apiAudiencePatch(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cur, err := directory.GetAudience(r.Context(), s.db, id)
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	in := directory.AudienceInput{Name: cur.Name, Filter: cur.Filter}
	if !s.decodeJSON(w, r, &in) {
		return
	}
	a, err := s.saveAudience(r, id, in)
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) apiAudienceDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := directory.DeleteAudience(r.Context(), tx, id); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "audience.delete", "audience", id, nil)
	})
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiAudienceMembers(w http.ResponseWriter, r *http.Request) {
	a, err := directory.GetAudience(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	limit, offset := apiPaging(r)
	people, err := directory.SearchPeople(r.Context(), s.db, a.Filter, limit, offset)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if people == nil {
		people = []*directory.Person{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"audience": a, "members": people, "total": a.Count})
}
