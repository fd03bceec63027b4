package web

import (
	"errors"
	"net/http"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/mail"
)

// apiSignIn queues a sign-in link; 202 whether or not the address is known.
func (s *Server) apiSignIn(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	if !s.decodeJSON(w, r, &body) {
		return
	}
	err := auth.RequestLink(r.Context(), s.db, body.Email, state(r).Lang, "")
	var fe auth.FieldErrors
	if errors.As(err, &fe) {
		s.validationFailed(w, r, fe)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted", "message": s.i18n.T(state(r).Lang, "signin.sent_text")})
}

type meAnswer struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation any    `json:"organisation"`
	Language     string `json:"language"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	u := state(r).User
	me := meAnswer{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Language: u.Language}
	if u.OrganisationID != "" {
		var name string
		s.db.QueryRowContext(r.Context(), `SELECT name FROM organisations WHERE id = $1`, u.OrganisationID).Scan(&name)
		me.Organisation = map[string]string{"id": u.OrganisationID, "name": name}
	}
	writeJSON(w, http.StatusOK, me)
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	users, err := auth.ListUsers(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if users == nil {
		users = []*auth.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email          string `json:"email"`
		Name           string `json:"name"`
		Role           string `json:"role"`
		OrganisationID string `json:"organisation_id"`
		OrganizationID string `json:"organization_id"`
		Language       string `json:"language"`
	}
	if !s.decodeJSON(w, r, &body) {
		return
	}
	if body.OrganisationID == "" {
		body.OrganisationID = body.OrganizationID
	}
	u, err := s.createUser(r, auth.NewUser{Email: body.Email, Name: body.Name, Role: body.Role, OrganisationID: body.OrganisationID, Language: body.Language})
	var fe auth.FieldErrors
	switch {
	case errors.As(err, &fe):
		s.validationFailed(w, r, fe)
	case errors.Is(err, auth.ErrEmailTaken):
		s.apiError(w, r, http.StatusConflict, "conflict", "error.email_taken", map[string]string{"email": "error.email_taken"})
	case err != nil:
		s.serverError(w, r, err)
	default:
		writeJSON(w, http.StatusCreated, u)
	}
}

func (s *Server) apiOutbox(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if !outboxStatuses[status] {
		s.validationFailed(w, r, map[string]string{"status": "error.status_invalid"})
		return
	}
	entries, err := mail.List(r.Context(), s.db, status, 500)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		out = append(out, map[string]any{
			"id": e.ID, "recipient": e.Recipient, "subject": e.Subject, "status": e.Status,
			"attempts": e.Attempts, "last_error": e.LastError, "created_at": e.CreatedAt, "sent_at": e.SentAt,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"mails": out})
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	entries, err := audit.List(r.Context(), s.db, r.URL.Query().Get("before"), 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

func (s *Server) apiSettings(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.settings(r.Context()))
}

func (s *Server) apiSettingsSave(w http.ResponseWriter, r *http.Request) {
	st := s.settings(r.Context())
	if !s.decodeJSON(w, r, &st) {
		return
	}
	fe, err := s.saveSettings(r, st)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(fe) > 0 {
		s.validationFailed(w, r, fe)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
