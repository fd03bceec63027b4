package web

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/settings"
	"github.com/ogforum/ogforum/internal/store"
)

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	depth, err := jobs.Depth(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_home", s.page(r, depth))
}

type outboxData struct {
	Status   string
	Statuses []string
	Entries  []mail.Entry
	FileDir  string
}

var outboxStatuses = map[string]bool{"": true, "pending": true, "running": true, "done": true, "failed": true}

func (s *Server) adminOutbox(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if !outboxStatuses[status] {
		status = ""
	}
	entries, err := mail.List(r.Context(), s.db, status, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := outboxData{Status: status, Statuses: []string{"pending", "running", "done", "failed"}, Entries: entries}
	if s.cfg.SMTP == nil {
		d.FileDir = s.cfg.MailDir()
	}
	s.render(w, r, http.StatusOK, "admin_outbox", s.page(r, d))
}

func (s *Server) adminMail(w http.ResponseWriter, r *http.Request) {
	m, err := mail.Load(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_mail", s.page(r, m))
}

func (s *Server) adminMailRetry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		var jobID string
		if err := tx.QueryRowContext(r.Context(), `SELECT job_id FROM mails WHERE id = $1`, id).Scan(&jobID); err != nil {
			return store.Map(err)
		}
		if err := jobs.Retry(r.Context(), tx, jobID); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "mail.retry", "mail", id, nil)
	})
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/outbox", http.StatusSeeOther)
}

type auditData struct {
	Entries []audit.Entry
	Next    string
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	const pageSize = 100
	entries, err := audit.List(r.Context(), s.db, r.URL.Query().Get("before"), pageSize)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := auditData{Entries: entries}
	if len(entries) == pageSize {
		d.Next = entries[len(entries)-1].ID
	}
	s.render(w, r, http.StatusOK, "admin_audit", s.page(r, d))
}

func (s *Server) adminSettings(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, nil)
	p.Form = settingsForm(p.Settings)
	s.render(w, r, http.StatusOK, "admin_settings", p)
}

func settingsForm(st settings.Settings) map[string][]string {
	return map[string][]string{
		"site_name": {st.SiteName}, "publisher": {st.Publisher}, "controller": {st.Controller},
		"dpo_contact": {st.DPOContact}, "host": {st.Host}, "contact_email": {st.ContactEmail},
		"retention_months": {strconv.Itoa(st.RetentionMonths)},
	}
}

func (s *Server) adminSettingsSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest)
		return
	}
	f := r.PostForm
	st := settings.Settings{
		SiteName: f.Get("site_name"), Publisher: f.Get("publisher"), Controller: f.Get("controller"),
		DPOContact: f.Get("dpo_contact"), Host: f.Get("host"), ContactEmail: f.Get("contact_email"),
	}
	n, convErr := strconv.Atoi(f.Get("retention_months"))
	st.RetentionMonths = n
	if convErr != nil {
		st.RetentionMonths = -1
	}
	fe, err := s.saveSettings(r, st)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, nil)
	p.Form = f
	if len(fe) > 0 {
		p.Errors = s.translateErrors(r, fe)
		s.render(w, r, http.StatusUnprocessableEntity, "admin_settings", p)
		return
	}
	p.Notice = p.T("admin.settings.saved")
	s.render(w, r, http.StatusOK, "admin_settings", p)
}

// saveSettings validates, saves and audits the settings.
func (s *Server) saveSettings(r *http.Request, st settings.Settings) (map[string]string, error) {
	var fe map[string]string
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if fe, err = settings.Save(r.Context(), tx, st); err != nil || len(fe) > 0 {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "settings.update", "settings", "", st)
	})
	s.forgetSettings()
	return fe, err
}

type usersData struct {
	Users []*auth.User
	Roles []auth.Role
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, nil, nil, "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, form map[string][]string, fe map[string]string, notice string) {
	users, err := auth.ListUsers(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, usersData{Users: users, Roles: auth.Roles})
	p.Form, p.Errors, p.Notice = form, s.translateErrors(r, fe), notice
	s.render(w, r, status, "admin_users", p)
}

// createUser validates and creates a user and audits it in one transaction.
func (s *Server) createUser(r *http.Request, n auth.NewUser) (*auth.User, error) {
	var u *auth.User
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if u, err = auth.CreateUser(r.Context(), tx, n); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "user.create", "user", u.ID, map[string]string{"email": u.Email, "role": string(u.Role)})
	})
	return u, err
}

func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	_, err := s.createUser(r, auth.NewUser{Email: f.Get("email"), Name: f.Get("name"), Role: f.Get("role"), OrganisationID: f.Get("organisation_id"), Language: f.Get("language")})
	var fe auth.FieldErrors
	switch {
	case errors.As(err, &fe):
		s.renderUsers(w, r, http.StatusUnprocessableEntity, f, fe, "")
	case errors.Is(err, auth.ErrEmailTaken):
		s.renderUsers(w, r, http.StatusConflict, f, map[string]string{"email": "error.email_taken"}, "")
	case err != nil:
		s.serverError(w, r, err)
	default:
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	}
}

func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	role, err := auth.ParseRole(r.FormValue("role"))
	if err != nil {
		s.renderUsers(w, r, http.StatusUnprocessableEntity, nil, map[string]string{"role": "error.role_invalid"}, "")
		return
	}
	disabled := r.FormValue("disabled") == "on"
	if id == state(r).User.ID && (disabled || role != auth.Admin) {
		s.renderUsers(w, r, http.StatusUnprocessableEntity, nil, map[string]string{"role": "error.cannot_demote_self"}, "")
		return
	}
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		u, err := auth.UserByID(r.Context(), tx, id)
		if err != nil {
			return err
		}
		if err := auth.UpdateUser(r.Context(), tx, id, role, u.OrganisationID, disabled); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "user.update", "user", id, map[string]any{"role": role, "disabled": disabled})
	})
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}
