package web

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

type agendaData struct {
	F       *forum.Forum
	When    string
	Themes  []*forum.Theme
	Items   []*forum.AgendaItem
	Orgs    []Option
	Refusal string
	// Open are the open action items of earlier forums, to pull in.
	Open []*forum.ActionItem
}

// agendaPage is the organisers' agenda editor: the themes proposed (with
// their votes) to fix the agenda on, the items, the open action items of
// earlier forums to pull in, and publication.
func (s *Server) agendaPage(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	s.renderAgenda(w, r, http.StatusOK, f, r.URL.Query(), nil)
}

// renderAgenda shows the editor with the pull form's values and its field
// errors (the other forms return to the page with ?refused=).
func (s *Server) renderAgenda(w http.ResponseWriter, r *http.Request, status int, f *forum.Forum, form url.Values, fe valid.Errors) {
	ctx := r.Context()
	d := agendaData{F: f, When: forumWhen(f)}
	var err error
	if d.Themes, err = forum.ListThemes(ctx, s.db, f.ID); err == nil {
		d.Items, err = forum.Agenda(ctx, s.db, f.ID)
	}
	if err == nil {
		d.Open, err = forum.OpenActionItemsBefore(ctx, s.db, f.ID)
	}
	var orgs []*directory.Organisation
	if err == nil {
		orgs, _, err = directory.ListOrganisations(ctx, s.db, directory.OrganisationFilter{College: directory.CollegeAdministration, Limit: 500})
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, nil)
	d.Orgs = []Option{{Value: "", Label: p.T("forumweb.agenda.no_presenter_org")}}
	for _, o := range orgs {
		d.Orgs = append(d.Orgs, Option{Value: o.ID, Label: o.Name})
	}
	if k := r.URL.Query().Get("refused"); k != "" {
		d.Refusal = p.T("error." + k)
	}
	switch r.URL.Query().Get("done") {
	case "1":
		p.Notice = p.T("forumweb.agenda.saved")
	case "pulled":
		p.Notice = p.T("forumweb.agenda.pulled")
	}
	p.Form = form
	if len(fe) > 0 {
		p.Errors = s.translateErrors(r, fe)
	}
	p.Data = d
	s.render(w, r, status, "forum_agenda", p)
}

// agendaPull puts the open action items ticked on the agenda; a refusal
// (none ticked, one already on the agenda...) shows at the list.
func (s *Server) agendaPull(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	_, err := s.pull(r, f.ID, r.PostForm["action_item_ids"])
	if fe, ok := fieldErrors(err); ok {
		s.renderAgenda(w, r, http.StatusUnprocessableEntity, f, r.PostForm, fe)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seeOther(w, r, "/forums/"+f.ID+"/agenda?done=pulled#agenda-items")
}

// agendaChange runs an agenda change for the forum and returns to the
// editor.
func (s *Server) agendaChange(w http.ResponseWriter, r *http.Request, forumID, action string, run func(tx *sql.Tx) error) {
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := run(tx); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.agenda."+action, "forum", forumID, nil)
	})
	back := "/forums/" + forumID + "/agenda"
	if fe, ok := fieldErrors(err); ok {
		for _, k := range fe {
			seeOther(w, r, back+"?refused="+k[len("error."):])
			return
		}
	}
	if k := refusalKey(err); k != "" {
		seeOther(w, r, back+"?refused="+k[len("error."):])
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seeOther(w, r, back+"?done=1")
}

func (s *Server) agendaThemes(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	s.agendaChange(w, r, f.ID, "themes", func(tx *sql.Tx) error {
		return forum.SelectThemes(r.Context(), tx, f.ID, r.PostForm["themes"])
	})
}

func agendaInput(r *http.Request) forum.AgendaItemInput {
	f := r.PostForm
	d, _ := strconv.Atoi(f.Get("duration_minutes"))
	return forum.AgendaItemInput{Title: f.Get("title"), Description: f.Get("description"), DurationMinutes: d,
		PresenterOrganisationID: f.Get("presenter_organisation_id"), Presenter: f.Get("presenter"), ThemeID: f.Get("theme_id")}
}

func (s *Server) agendaItemAdd(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	s.agendaChange(w, r, f.ID, "add", func(tx *sql.Tx) error {
		_, err := forum.AddAgendaItem(r.Context(), tx, f.ID, agendaInput(r))
		return err
	})
}

func (s *Server) agendaPublish(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	s.agendaChange(w, r, f.ID, "publish", func(tx *sql.Tx) error {
		if r.PostForm.Get("unpublish") == "1" {
			return forum.UnpublishAgenda(r.Context(), tx, f.ID)
		}
		return forum.PublishAgenda(r.Context(), tx, f.ID)
	})
}

// agendaItem loads the item of the path, answering 404 itself.
func (s *Server) agendaItem(w http.ResponseWriter, r *http.Request) (*forum.AgendaItem, bool) {
	it, err := forum.GetAgendaItem(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return it, true
}

func (s *Server) agendaItemEdit(w http.ResponseWriter, r *http.Request) {
	it, ok := s.agendaItem(w, r)
	if !ok {
		return
	}
	s.agendaChange(w, r, it.ForumID, "edit", func(tx *sql.Tx) error {
		_, err := forum.UpdateAgendaItem(r.Context(), tx, it.ID, agendaInput(r))
		return err
	})
}

func (s *Server) agendaItemMove(w http.ResponseWriter, r *http.Request) {
	it, ok := s.agendaItem(w, r)
	if !ok {
		return
	}
	pos := it.Position + 1
	if r.PostForm.Get("dir") == "up" {
		pos = it.Position - 1
	}
	s.agendaChange(w, r, it.ForumID, "move", func(tx *sql.Tx) error {
		return forum.MoveAgendaItem(r.Context(), tx, it.ID, max(pos, 1))
	})
}

func (s *Server) agendaItemDelete(w http.ResponseWriter, r *http.Request) {
	it, ok := s.agendaItem(w, r)
	if !ok {
		return
	}
	s.agendaChange(w, r, it.ForumID, "delete", func(tx *sql.Tx) error {
		return forum.DeleteAgendaItem(r.Context(), tx, it.ID)
	})
}
