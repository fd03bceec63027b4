package web

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
)

// actionsData is the organisers' page of a forum's action items.
type actionsData struct {
	F     *forum.Forum
	When  string
	Items []*forum.ActionItem
	// Orgs are the owner organisations to choose from.
	Orgs []Option
	// Edit is the item the form edits, nil when it adds one.
	Edit    *forum.ActionItem
	Refusal string
}

// ActionDay is the day of an instant in the team's zone, as the page's
// language writes it (31/12/2026, 31 Dec 2026).
func (p *Page) ActionDay(t time.Time) string {
	return p.PlanDate(plan.DateOf(t.In(p.zone)))
}

// actionForm is the form's values of an action item.
func actionForm(in forum.ActionItemInput) url.Values {
	return url.Values{"title": {in.Title}, "description": {in.Description}, "owner": {in.Owner},
		"owner_organisation_id": {in.OwnerOrganisationID}, "due_on": {in.DueOn}}
}

func actionInput(r *http.Request) forum.ActionItemInput {
	f := r.PostForm
	return forum.ActionItemInput{Title: f.Get("title"), Description: f.Get("description"), Owner: f.Get("owner"),
		OwnerOrganisationID: f.Get("owner_organisation_id"), DueOn: f.Get("due_on")}
}

// actionsPage lists a forum's action items with their status buttons, and
// the form that adds one or, with ?edit=<id>, edits one.
func (s *Server) actionsPage(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	var edit *forum.ActionItem
	form := url.Values{}
	if id := r.URL.Query().Get("edit"); id != "" {
		a, err := forum.GetActionItem(r.Context(), s.db, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		if err == nil && a.ForumID == f.ID {
			edit, form = a, actionForm(a.Input())
		}
	}
	s.renderActions(w, r, http.StatusOK, f, edit, form, nil)
}

// renderActions shows the page with the form's values and the refusal of
// err: field errors beside the fields, others above the list.
func (s *Server) renderActions(w http.ResponseWriter, r *http.Request, status int, f *forum.Forum, edit *forum.ActionItem, form url.Values, err error) {
	ctx := r.Context()
	d := actionsData{F: f, When: forumWhen(f), Edit: edit}
	items, e := forum.ActionItems(ctx, s.db, f.ID)
	var orgs []*directory.Organisation
	if e == nil {
		orgs, _, e = directory.ListOrganisations(ctx, s.db, directory.OrganisationFilter{College: directory.CollegeAdministration, Limit: 500})
	}
	if e != nil {
		s.serverError(w, r, e)
		return
	}
	d.Items = items
	p := s.page(r, nil)
	d.Orgs = []Option{{Value: "", Label: p.T("forumweb.actions.no_owner_org")}}
	chosen := form.Get("owner_organisation_id")
	for _, o := range orgs {
		d.Orgs = append(d.Orgs, Option{Value: o.ID, Label: o.Name})
		if o.ID == chosen {
			chosen = ""
		}
	}
	if chosen != "" && edit != nil && chosen == edit.OwnerOrganisationID {
		// An owner that is not an administration (set through the API).
		d.Orgs = append(d.Orgs, Option{Value: chosen, Label: edit.OwnerOrganisation})
	}
	p.Form = form
	if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, fe)
	} else if k := refusalKey(err); k != "" {
		d.Refusal = p.T(k)
	}
	q := r.URL.Query()
	if k := q.Get("refused"); k != "" && d.Refusal == "" {
		d.Refusal = p.T("error." + k)
	}
	switch q.Get("done") {
	case "added":
		p.Notice = p.T("forumweb.actions.done_added")
	case "saved":
		p.Notice = p.T("forumweb.actions.done_saved")
	case "status":
		p.Notice = p.T("forumweb.actions.done_status")
	case "deleted":
		p.Notice = p.T("forumweb.actions.done_deleted")
	}
	p.Data = d
	s.render(w, r, status, "forum_actions", p)
}

// actionsBack is the forum's action items page.
func actionsBack(forumID string) string { return "/forums/" + forumID + "/actions" }

func (s *Server) actionAdd(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		a, err := forum.AddActionItem(r.Context(), tx, f.ID, actionInput(r))
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.action.add", "forum_action_item", a.ID, map[string]string{"forum": f.ID})
	})
	_, isField := fieldErrors(err)
	switch {
	case err == nil:
		seeOther(w, r, actionsBack(f.ID)+"?done=added")
	case isField || refusalKey(err) != "":
		s.renderActions(w, r, http.StatusUnprocessableEntity, f, nil, r.PostForm, err)
	default:
		s.serverError(w, r, err)
	}
}

// actionItem loads the item of the path and its forum, answering 404
// itself.
func (s *Server) actionItem(w http.ResponseWriter, r *http.Request) (*forum.ActionItem, *forum.Forum, bool) {
	a, err := forum.GetActionItem(r.Context(), s.db, r.PathValue("id"))
	var f *forum.Forum
	if err == nil {
		f, err = forum.GetForum(r.Context(), s.db, a.ForumID)
	}
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	return a, f, true
}

func (s *Server) actionEdit(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.actionItem(w, r)
	if !ok {
		return
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if _, err := forum.UpdateActionItem(r.Context(), tx, a.ID, actionInput(r)); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.action.edit", "forum_action_item", a.ID, map[string]string{"forum": f.ID})
	})
	_, isField := fieldErrors(err)
	switch {
	case err == nil:
		seeOther(w, r, actionsBack(f.ID)+"?done=saved")
	case isField:
		s.renderActions(w, r, http.StatusUnprocessableEntity, f, a, r.PostForm, err)
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	default:
		s.serverError(w, r, err)
	}
}

// actionChange runs a change of an item and returns to the forum's page
// of action items, with the refusal if any.
func (s *Server) actionChange(w http.ResponseWriter, r *http.Request, action, done string, run func(tx *sql.Tx, a *forum.ActionItem) error) {
	a, f, ok := s.actionItem(w, r)
	if !ok {
		return
	}
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := run(tx, a); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.action."+action, "forum_action_item", a.ID, map[string]string{"forum": f.ID})
	})
	if fe, ok := fieldErrors(err); ok {
		for _, k := range fe {
			seeOther(w, r, actionsBack(f.ID)+"?refused="+k[len("error."):])
			return
		}
	}
	switch {
	case err == nil:
		seeOther(w, r, actionsBack(f.ID)+"?done="+done)
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	default:
		s.serverError(w, r, err)
	}
}

func (s *Server) actionStatus(w http.ResponseWriter, r *http.Request) {
	s.actionChange(w, r, "status", "status", func(tx *sql.Tx, a *forum.ActionItem) error {
		_, err := forum.SetActionItemStatus(r.Context(), tx, a.ID, r.PostForm.Get("status"))
		return err
	})
}

func (s *Server) actionDelete(w http.ResponseWriter, r *http.Request) {
	s.actionChange(w, r, "delete", "deleted", func(tx *sql.Tx, a *forum.ActionItem) error {
		return forum.DeleteActionItem(r.Context(), tx, a.ID)
	})
}

// publicActions tells whether a forum's action items are shown to the
// public: once it is held or reported. Organisers see them always.
func publicActions(f *forum.Forum) bool {
	return f.Status == forum.StatusHeld || f.Status == forum.StatusReported
}

// apiActionItems lists a forum's action items: public (no personal data)
// once the forum is held or reported, before that to organisers only (an
// empty list to others).
func (s *Server) apiActionItems(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	items := []*forum.ActionItem{}
	if publicActions(f) || isOrganiser(r) {
		all, err := forum.ActionItems(r.Context(), s.db, f.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		items = append(items, all...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"action_items": items})
}

func (s *Server) apiActionItemCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	var in forum.ActionItemInput
	if !s.decodeJSON(w, r, &in) {
		return
	}
	apiTx(s, w, r, http.StatusCreated, s.apiForumError, func(tx *sql.Tx) (*forum.ActionItem, error) {
		a, err := forum.AddActionItem(r.Context(), tx, f.ID, in)
		if err != nil {
			return nil, err
		}
		return a, audit.Record(r.Context(), tx, actor(r), "forum.action.add", "forum_action_item", a.ID, map[string]string{"forum": f.ID})
	})
}

// apiActionItemPatch changes the fields present in the body, the status
// ("open", "done", "dropped") included.
func (s *Server) apiActionItemPatch(w http.ResponseWriter, r *http.Request) {
	cur, err := forum.GetActionItem(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	body := struct {
		forum.ActionItemInput
		Status string `json:"status"`
	}{ActionItemInput: cur.Input(), Status: cur.Status}
	if !s.decodeJSON(w, r, &body) {
		return
	}
	var a *forum.ActionItem
	err = s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if a, err = forum.UpdateActionItem(r.Context(), tx, cur.ID, body.ActionItemInput); err != nil {
			return err
		}
		if body.Status != cur.Status {
			if a, err = forum.SetActionItemStatus(r.Context(), tx, cur.ID, body.Status); err != nil {
				return err
			}
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.action.edit", "forum_action_item", cur.ID, map[string]string{"forum": cur.ForumID, "status": a.Status})
	})
	if err != nil {
		s.apiForumError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) apiActionItemDelete(w http.ResponseWriter, r *http.Request) {
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		a, err := forum.GetActionItem(r.Context(), tx, r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := forum.DeleteActionItem(r.Context(), tx, a.ID); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.action.delete", "forum_action_item", a.ID, map[string]string{"forum": a.ForumID})
	})
	if err != nil {
		s.apiDomainError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiAgendaPull puts open action items of earlier forums on the forum's
// agenda: body {"action_item_ids": [...]}; 201 with the items added and
// the whole agenda; 409 for an item already on it, 422 for the others.
func (s *Server) apiAgendaPull(w http.ResponseWriter, r *http.Request) {
	f, ok := s.apiLoadForum(w, r)
	if !ok {
		return
	}
	var body struct {
		ActionItemIDs []string `json:"action_item_ids"`
	}
	if !s.decodeJSON(w, r, &body) {
		return
	}
	added, err := s.pull(r, f.ID, body.ActionItemIDs)
	if errors.Is(err, forum.ErrAlreadyPulled) {
		fe, _ := fieldErrors(err)
		s.apiError(w, r, http.StatusConflict, "already_pulled", "error.forum_action_already_pulled", fe)
		return
	}
	if err != nil {
		s.apiForumError(w, r, err)
		return
	}
	agenda, err := forum.Agenda(r.Context(), s.db, f.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"added": added, "agenda": agenda})
}

// pull runs PullActionItems in its transaction, audited.
func (s *Server) pull(r *http.Request, forumID string, ids []string) ([]*forum.AgendaItem, error) {
	var added []*forum.AgendaItem
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if added, err = forum.PullActionItems(r.Context(), tx, forumID, ids); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.agenda.pull", "forum", forumID, map[string]any{"action_item_ids": ids})
	})
	return added, err
}
