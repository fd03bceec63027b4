package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

type actionAnswer struct {
	ID       string     `json:"id"`
	ForumID  string     `json:"forum_id"`
	Title    string     `json:"title"`
	Owner    string     `json:"owner"`
	DueOn    string     `json:"due_on"`
	Status   string     `json:"status"`
	ClosedAt *time.Time `json:"closed_at"`
}

type agendaAnswer struct {
	ID                 string `json:"id"`
	Title              string `json:"title"`
	Presenter          string `json:"presenter"`
	ActionItemID       string `json:"action_item_id"`
	FollowUpForumID    string `json:"follow_up_forum_id"`
	FollowUpForumTitle string `json:"follow_up_forum_title"`
}

// forumAt creates and opens a forum of the series starting days from now,
// through the API.
func forumAt(t *testing.T, e *webtest.Env, org *webtest.Person, seriesID, title string, days int) string {
	t.Helper()
	start := time.Now().Add(time.Duration(days) * 24 * time.Hour).UTC().Truncate(time.Hour)
	body, _ := json.Marshal(map[string]any{"title": title, "starts_at": start.Format(time.RFC3339),
		"ends_at": start.Add(2 * time.Hour).Format(time.RFC3339), "capacity": 50, "series_id": seriesID})
	var f struct{ ID string }
	decode(t, send(t, e, "POST", "/api/v1/forums", bearer(org.Token), jsonBody(string(body))), http.StatusCreated, &f)
	decode(t, send(t, e, "POST", "/api/v1/forums/"+f.ID+"/open", bearer(org.Token)), http.StatusOK, &struct{}{})
	return f.ID
}

func TestActionItemsPagesAndAPI(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := webtest.New(t, db)
		org := e.SignedIn(t, auth.Organiser, "orga@example.org")
		member := e.SignedIn(t, auth.Member, "member@example.org")
		var series struct{ ID string }
		decode(t, send(t, e, "POST", "/api/v1/series", bearer(org.Token), jsonBody(`{"title":"Forum OGP","weekday":2,"week_of_month":3,"first_month":"2026-01","capacity":80}`)), http.StatusCreated, &series)
		jan := forumAt(t, e, org, series.ID, "Forum de janvier", -60)
		mar := forumAt(t, e, org, series.ID, "Forum de mars", 30)
		if a := send(t, e, "POST", "/forums/"+jan+"/status", withCookie(org.Cookie), form("to", "held")); a.StatusCode != http.StatusSeeOther {
			t.Fatalf("held: %s", a)
		}

		// The API: access, then every bad field in one answer.
		items := "/api/v1/forums/" + jan + "/action-items"
		errorOf(t, send(t, e, "POST", items, jsonBody(`{"title":"x"}`)), http.StatusUnauthorized)
		errorOf(t, send(t, e, "POST", items, bearer(member.Token), jsonBody(`{"title":"x"}`)), http.StatusForbidden)
		bad := errorOf(t, send(t, e, "POST", items, bearer(org.Token), jsonBody(`{"title":" ","due_on":"demain","owner_organisation_id":"nope"}`)), http.StatusUnprocessableEntity)
		if bad.Fields["title"] != fr("error.required") || bad.Fields["due_on"] != fr("error.forum_action_due_invalid") || bad.Fields["owner_organisation_id"] == "" {
			t.Errorf("422 fields %+v", bad)
		}
		var a, b actionAnswer
		decode(t, send(t, e, "POST", items, bearer(org.Token), jsonBody(`{"title":"Publier les données","owner":"Ministère du Logement","due_on":"30/06/2026"}`)), http.StatusCreated, &a)
		decode(t, send(t, e, "POST", items, bearer(org.Token), jsonBody(`{"title":"Répondre aux questions écrites","owner":"DITP"}`)), http.StatusCreated, &b)
		if a.DueOn != "2026-06-30" || a.Status != "open" || a.ForumID != jan {
			t.Errorf("created %+v", a)
		}

		// The page: a refused form shows each message at its field, with
		// what was typed; a good one adds the item.
		page := "/forums/" + jan + "/actions"
		refused := send(t, e, "POST", page, withCookie(org.Cookie), form("title", "", "owner", "Cour des comptes", "due_on", "31/31/2026"))
		if refused.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(refused.Body, `id="f-title-error"`) ||
			!strings.Contains(refused.text(), fr("error.forum_action_due_invalid")) || !strings.Contains(refused.Body, `aria-describedby="f-due_on-hint f-due_on-error"`) ||
			!strings.Contains(refused.Body, `value="Cour des comptes"`) {
			t.Errorf("refused form: %s", refused.Body)
		}
		if a := send(t, e, "POST", page, withCookie(org.Cookie), form("title", "Évaluer le <script>", "owner", "Cour des comptes", "due_on", "2026-05-31")); !a.redirectsTo(page) {
			t.Fatalf("add from the page: %s", a)
		}
		list := send(t, e, "GET", page, withCookie(org.Cookie))
		if list.StatusCode != 200 || !strings.Contains(list.text(), "Publier les données") || strings.Contains(list.Body, "<script>") ||
			!strings.Contains(list.Body, "&lt;script&gt;") || !strings.Contains(list.text(), "30/06/2026") {
			t.Errorf("actions page: %s", list)
		}
		// Edit: refused, then saved.
		if r := send(t, e, "POST", "/action-items/"+b.ID+"/edit", withCookie(org.Cookie), form("title", "")); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `id="f-title-error"`) || !strings.Contains(r.Body, `action="/action-items/`+b.ID+`/edit"`) {
			t.Errorf("refused edit: %s", r)
		}
		if r := send(t, e, "POST", "/action-items/"+b.ID+"/edit", withCookie(org.Cookie), form("title", "Répondre par écrit", "owner", "DITP")); !r.redirectsTo(page) {
			t.Errorf("edit: %s", r)
		}
		if r := send(t, e, "GET", page+"?edit="+b.ID, withCookie(org.Cookie)); !strings.Contains(r.Body, `value="Répondre par écrit"`) {
			t.Errorf("edit form: %s", r)
		}
		// Status from the page: an unknown one is refused with its reason.
		if r := send(t, e, "POST", "/action-items/"+b.ID+"/status", withCookie(org.Cookie), form("status", "finished")); r.StatusCode != http.StatusSeeOther {
			t.Errorf("bad status: %s", r)
		} else if p := send(t, e, "GET", r.Header.Get("Location"), withCookie(org.Cookie)); !strings.Contains(p.text(), fr("error.forum_action_status_invalid")) {
			t.Errorf("bad status page: %s", p)
		}
		if r := send(t, e, "POST", "/action-items/"+b.ID+"/status", withCookie(org.Cookie), form("status", "done")); !r.redirectsTo(page) {
			t.Errorf("status: %s", r)
		}

		// PATCH: a status, a refused one, an unknown item.
		var c actionAnswer
		decode(t, send(t, e, "PATCH", "/api/v1/action-items/"+a.ID, bearer(org.Token), jsonBody(`{"status":"dropped"}`)), http.StatusOK, &c)
		if c.Status != "dropped" || c.ClosedAt == nil || c.Title != "Publier les données" || c.DueOn != "2026-06-30" {
			t.Errorf("patched %+v", c)
		}
		c = actionAnswer{} // omitted fields would keep their values
		decode(t, send(t, e, "PATCH", "/api/v1/action-items/"+a.ID, bearer(org.Token), jsonBody(`{"status":"open","due_on":"2026-09-30"}`)), http.StatusOK, &c)
		if c.Status != "open" || c.ClosedAt != nil || c.DueOn != "2026-09-30" {
			t.Errorf("reopened %+v", c)
		}
		if f := errorOf(t, send(t, e, "PATCH", "/api/v1/action-items/"+a.ID, bearer(org.Token), jsonBody(`{"status":"finished"}`)), http.StatusUnprocessableEntity); f.Fields["status"] == "" {
			t.Errorf("bad status %+v", f)
		}
		errorOf(t, send(t, e, "PATCH", "/api/v1/action-items/"+store.NewID(), bearer(org.Token), jsonBody(`{}`)), http.StatusNotFound)

		// Public: the held forum's items, on its page and through the API;
		// not those of a forum still to come.
		var pub struct {
			ActionItems []actionAnswer `json:"action_items"`
		}
		decode(t, send(t, e, "GET", items), http.StatusOK, &pub)
		if len(pub.ActionItems) != 3 {
			t.Errorf("public action items %+v", pub)
		}
		decode(t, send(t, e, "POST", "/api/v1/forums/"+mar+"/action-items", bearer(org.Token), jsonBody(`{"title":"Pas encore décidé"}`)), http.StatusCreated, &c)
		decode(t, send(t, e, "GET", "/api/v1/forums/"+mar+"/action-items"), http.StatusOK, &pub)
		if len(pub.ActionItems) != 0 {
			t.Errorf("actions of a forum to come shown: %+v", pub)
		}
		decode(t, send(t, e, "GET", "/api/v1/forums/"+mar+"/action-items", bearer(org.Token)), http.StatusOK, &pub)
		if len(pub.ActionItems) != 1 {
			t.Errorf("organiser's list %+v", pub)
		}
		if p := send(t, e, "GET", "/forums/"+jan); !strings.Contains(p.text(), fr("forumweb.actions.public_title")) || !strings.Contains(p.text(), "Répondre par écrit") ||
			!strings.Contains(p.text(), fr("forum.action.status.done")) {
			t.Errorf("public page of the held forum: %s", p)
		}
		if p := send(t, e, "GET", "/forums/"+mar); strings.Contains(p.text(), "Pas encore décidé") {
			t.Errorf("public page shows actions of a forum to come")
		}

		// The agenda of March offers January's open items (not the done one).
		agenda := send(t, e, "GET", "/forums/"+mar+"/agenda", withCookie(org.Cookie))
		if !strings.Contains(agenda.text(), "Publier les données") || !strings.Contains(agenda.text(), "Évaluer le <script>") ||
			strings.Contains(agenda.text(), "Répondre par écrit") || strings.Contains(agenda.text(), "Pas encore décidé") {
			t.Errorf("agenda page offers: %s", agenda.text())
		}
		// Pull from the page: nothing ticked, then one, then the same again.
		pull := "/forums/" + mar + "/agenda/pull"
		if r := send(t, e, "POST", pull, withCookie(org.Cookie), form()); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `id="f-action_item_ids-error"`) || !strings.Contains(r.text(), fr("error.forum_action_none_selected")) {
			t.Errorf("empty pull: %s", r)
		}
		if r := send(t, e, "POST", pull, withCookie(org.Cookie), form("action_item_ids", a.ID)); !r.redirectsTo("/forums/" + mar + "/agenda") {
			t.Fatalf("pull: %s", r)
		}
		if r := send(t, e, "POST", pull, withCookie(org.Cookie), form("action_item_ids", a.ID)); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(r.text(), fr("error.forum_action_already_pulled")) || !strings.Contains(r.Body, `aria-describedby="f-action_item_ids-error"`) {
			t.Errorf("double pull from the page: %s", r)
		}

		// Pull through the API: access, refusals, then the double pull: 409.
		apiPull := "/api/v1/forums/" + mar + "/agenda/pull"
		errorOf(t, send(t, e, "POST", apiPull, bearer(member.Token), jsonBody(`{"action_item_ids":[]}`)), http.StatusForbidden)
		if f := errorOf(t, send(t, e, "POST", apiPull, bearer(org.Token), jsonBody(`{"action_item_ids":["`+b.ID+`"]}`)), http.StatusUnprocessableEntity); f.Fields["action_item_ids"] != fr("error.forum_action_not_eligible") {
			t.Errorf("pull of a done item: %+v", f)
		}
		var pulled struct {
			Added  []agendaAnswer `json:"added"`
			Agenda []agendaAnswer `json:"agenda"`
		}
		var third actionAnswer
		decode(t, send(t, e, "GET", "/api/v1/forums/"+jan+"/action-items"), http.StatusOK, &pub)
		for _, x := range pub.ActionItems {
			if strings.HasPrefix(x.Title, "Évaluer") {
				third = x
			}
		}
		decode(t, send(t, e, "POST", apiPull, bearer(org.Token), jsonBody(`{"action_item_ids":["`+third.ID+`"]}`)), http.StatusCreated, &pulled)
		if len(pulled.Added) != 1 || pulled.Added[0].ActionItemID != third.ID || pulled.Added[0].FollowUpForumID != jan ||
			pulled.Added[0].Presenter != "Cour des comptes" || len(pulled.Agenda) != 2 {
			t.Errorf("API pull %+v", pulled)
		}
		dup := errorOf(t, send(t, e, "POST", apiPull, bearer(org.Token), jsonBody(`{"action_item_ids":["`+third.ID+`"]}`)), http.StatusConflict)
		if dup.Code != "already_pulled" || dup.Fields["action_item_ids"] != fr("error.forum_action_already_pulled") {
			t.Errorf("double pull %+v", dup)
		}

		// Once published, the agenda says whose follow-up each item is.
		if r := send(t, e, "POST", "/forums/"+mar+"/agenda/publish", withCookie(org.Cookie), form()); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %s", r)
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		day := time.Now().Add(-60 * 24 * time.Hour).UTC().Truncate(time.Hour).In(paris).Format("02/01/2006")
		public := send(t, e, "GET", "/forums/"+mar)
		if !strings.Contains(public.text(), fr("forumweb.agenda.follow_up", "date", day)) || !strings.Contains(public.Body, `<a href="/forums/`+jan+`">Forum de janvier</a>`) {
			t.Errorf("follow-up on the public page: %s", public.text())
		}
		var pf struct {
			Agenda []agendaAnswer `json:"agenda"`
		}
		decode(t, send(t, e, "GET", "/api/v1/forums/"+mar), http.StatusOK, &pf)
		if len(pf.Agenda) != 2 || pf.Agenda[0].FollowUpForumTitle != "Forum de janvier" {
			t.Errorf("public agenda %+v", pf)
		}

		// Delete: the agenda item stays, no longer a follow-up.
		errorOf(t, send(t, e, "DELETE", "/api/v1/action-items/"+a.ID, bearer(member.Token)), http.StatusForbidden)
		if r := send(t, e, "DELETE", "/api/v1/action-items/"+a.ID, bearer(org.Token)); r.StatusCode != http.StatusNoContent {
			t.Errorf("delete: %s", r)
		}
		errorOf(t, send(t, e, "DELETE", "/api/v1/action-items/"+a.ID, bearer(org.Token)), http.StatusNotFound)
		if r := send(t, e, "POST", "/action-items/"+third.ID+"/delete", withCookie(org.Cookie), form()); !r.redirectsTo(page) {
			t.Errorf("delete from the page: %s", r)
		}
		pf.Agenda = nil
		decode(t, send(t, e, "GET", "/api/v1/forums/"+mar), http.StatusOK, &pf)
		if len(pf.Agenda) != 2 || pf.Agenda[0].ActionItemID != "" || pf.Agenda[1].FollowUpForumID != "" {
			t.Errorf("agenda after the deletions %+v", pf)
		}
	})
}
