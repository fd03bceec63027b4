package web

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

func (s *Server) adminSectors(w http.ResponseWriter, r *http.Request) {
	s.renderSectors(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderSectors(w http.ResponseWriter, r *http.Request, status int, form url.Values, err error) {
	sectors, lerr := directory.Sectors(r.Context(), s.db)
	if lerr != nil {
		s.serverError(w, r, lerr)
		return
	}
	p := s.page(r, sectors)
	p.Form = form
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, fe)
	}
	s.render(w, r, status, "admin_sectors", p)
}

func (s *Server) adminSectorSave(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	sec := directory.Sector{Slug: r.PostFormValue("slug"), LabelFR: r.PostFormValue("label_fr"), LabelEN: r.PostFormValue("label_en")}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := directory.SaveSector(r.Context(), tx, sec); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "sector.save", "sector", sec.Slug, sec)
	})
	if _, ok := fieldErrors(err); ok {
		s.renderSectors(w, r, http.StatusUnprocessableEntity, r.PostForm, err)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/sectors", http.StatusSeeOther)
}

func (s *Server) adminSectorDelete(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := directory.DeleteSector(r.Context(), tx, slug); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "sector.delete", "sector", slug, nil)
	})
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/sectors", http.StatusSeeOther)
}
