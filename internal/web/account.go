package web

import (
	"database/sql"
	"net/http"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/auth"
)

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "account", s.page(r, nil))
}

// accountToken creates an API token and shows it once.
func (s *Server) accountToken(w http.ResponseWriter, r *http.Request) {
	u := state(r).User
	var token string
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if token, err = auth.CreateAPIToken(r.Context(), tx, u.ID); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "auth.token_create", "user", u.ID, nil)
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "account_token", s.page(r, token))
}
