package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// An organiser sends invitations from the forum's invitations page to an
// audience and to typed addresses, with the agenda attached: errors show
// at their field and send nothing; the mails go out through the queue;
// the list shows who was mailed and who registered. The same through the
// API.
func TestInvitationsPageAndAPI(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := webtest.New(t, db)
		w := newWorkers(e)
		org := e.SignedIn(t, auth.Organiser, "orga@example.org")
		member := e.SignedIn(t, auth.Member, "member@example.org")
		id := openForum(t, e, org, 80)
		page := "/forums/" + id + "/invitations"

		for _, p := range []string{
			`{"name":"Hélène Dubois","email":"helene@asso.example","sectors":["housing"],"consent_invitations":true,"consent_method":"form"}`,
			`{"name":"Paul Sansaccord","email":"paul@asso.example","sectors":["housing"],"consent_invitations":false,"consent_method":"form"}`,
		} {
			decode(t, send(t, e, "POST", "/api/v1/people", bearer(org.Token), jsonBody(p)), http.StatusCreated, &struct{}{})
		}
		var aud struct{ ID string }
		decode(t, send(t, e, "POST", "/api/v1/audiences", bearer(org.Token), jsonBody(`{"name":"Logement","filter":{"sectors":["housing"]}}`)), http.StatusCreated, &aud)

		// The page: the audience with its count, the form, no invitations.
		a := send(t, e, "GET", page, withCookie(org.Cookie))
		if a.StatusCode != http.StatusOK || !strings.Contains(a.text(), "Logement (2 personnes)") || !hasPostForm(a.Body, "/forums/"+id+"/invitations/send") {
			t.Fatalf("invitations page: %s", a)
		}
		if a := send(t, e, "GET", page, withCookie(member.Cookie)); a.StatusCode != http.StatusForbidden {
			t.Fatalf("member sees the invitations: %d", a.StatusCode)
		}

		// Errors at the field, nothing sent.
		a = send(t, e, "POST", page+"/send", withCookie(org.Cookie), form("emails", "ok@example.org\nnot-an-address", "language", "fr"))
		if a.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldMessages(a.Body, "emails"), fr("error.forum_invite_emails_invalid")) ||
			!strings.Contains(a.text(), "not-an-address") || !strings.Contains(a.Body, "ok@example.org") {
			t.Fatalf("bad address: %d %q", a.StatusCode, fieldMessages(a.Body, "emails"))
		}
		a = send(t, e, "POST", page+"/send", withCookie(org.Cookie), form("audience_id", aud.ID, "attach_agenda", "1", "language", "fr"))
		if a.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(a.text(), fr("error.forum_invite_agenda_unpublished")) {
			t.Fatalf("unpublished agenda: %d %q", a.StatusCode, fieldMessages(a.Body, "attach_agenda"))
		}
		w.run(t)
		if w.box.count() != 0 {
			t.Fatalf("refused sendings mailed %d", w.box.count())
		}

		// Publish an agenda, then send.
		for _, a := range []*answer{
			send(t, e, "POST", "/forums/"+id+"/agenda/items", withCookie(org.Cookie), form("title", "Engagements « logement »", "duration_minutes", "30")),
			send(t, e, "POST", "/forums/"+id+"/agenda/publish", withCookie(org.Cookie)),
		} {
			if a.StatusCode != http.StatusSeeOther {
				t.Fatalf("agenda: %s", a)
			}
		}
		pdf := send(t, e, "GET", "/forums/"+id+"/agenda.pdf", withCookie(org.Cookie))
		if pdf.StatusCode != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") {
			t.Fatalf("agenda PDF: %d", pdf.StatusCode)
		}
		a = send(t, e, "POST", page+"/send", withCookie(org.Cookie),
			form("audience_id", aud.ID, "emails", "invitee@example.org", "attach_agenda", "1", "language", "en", "message", "Bienvenue"))
		if a.StatusCode != http.StatusOK || !strings.Contains(a.text(), fr("forumweb.invite.done", "sent", 2, "skipped", 1)) ||
			!strings.Contains(a.text(), fr("forumweb.invite.skip.no_consent")) {
			t.Fatalf("sending: %d %s", a.StatusCode, a.text())
		}
		w.run(t)
		got := w.box.to("helene@asso.example")
		if len(got) != 1 || !strings.Contains(got[0].Text, "Bienvenue") || !strings.Contains(got[0].Text, "?invitation=") {
			t.Fatalf("Hélène's invitation: %+v", got)
		}
		var hasPDF bool
		for _, at := range got[0].Attach {
			hasPDF = hasPDF || (at.Filename == "ordre-du-jour.pdf" && bytes.HasPrefix(at.Data, []byte("%PDF-")))
		}
		if !hasPDF {
			t.Error("agenda PDF not attached")
		}
		if en := w.box.to("invitee@example.org"); len(en) != 1 || !strings.HasPrefix(en[0].Subject, "Invitation: ") {
			t.Fatalf("typed address: %+v", en)
		}
		if len(w.box.to("paul@asso.example")) != 0 {
			t.Fatal("mailed without consent")
		}
		a = send(t, e, "GET", page, withCookie(org.Cookie))
		if !strings.Contains(a.text(), "helene@asso.example") || !strings.Contains(a.text(), fr("forumweb.invite.not_registered")) {
			t.Fatalf("list after sending: %s", a.text())
		}

		// API: the same refusals and answer shape; a second sending skips.
		bad := errorOf(t, send(t, e, "POST", "/api/v1/forums/"+id+"/invitations", bearer(org.Token), jsonBody(`{}`)), http.StatusUnprocessableEntity)
		if bad.Fields["emails"] == "" {
			t.Fatalf("API without recipients: %+v", bad)
		}
		errorOf(t, send(t, e, "POST", "/api/v1/forums/"+id+"/invitations", bearer(member.Token), jsonBody(`{}`)), http.StatusForbidden)
		var rep struct {
			Sent    int
			Skipped []struct{ Email, Reason string }
		}
		decode(t, send(t, e, "POST", "/api/v1/forums/"+id+"/invitations", bearer(org.Token),
			jsonBody(`{"emails":["invitee@example.org","new@example.org"],"language":"fr"}`)), http.StatusOK, &rep)
		if rep.Sent != 1 || len(rep.Skipped) != 1 || rep.Skipped[0].Reason != "already_invited" {
			t.Fatalf("API sending: %+v", rep)
		}
		var list struct {
			Invitations []struct{ Email, MailedAt string }
		}
		decode(t, send(t, e, "GET", "/api/v1/forums/"+id+"/invitations", bearer(org.Token)), http.StatusOK, &list)
		if len(list.Invitations) != 3 {
			t.Fatalf("API list: %+v", list)
		}
		errorOf(t, send(t, e, "GET", "/api/v1/forums/"+id+"/invitations"), http.StatusUnauthorized)

		// One reminder to the three who have not registered, then none.
		a = send(t, e, "GET", page, withCookie(org.Cookie))
		if !strings.Contains(a.text(), fr("forumweb.invite.remind_intro", "count", 3)) || !hasPostForm(a.Body, page+"/remind") {
			t.Fatalf("reminder offer: %s", a.text())
		}
		a = send(t, e, "POST", page+"/remind", withCookie(org.Cookie))
		if a.StatusCode != http.StatusOK || !strings.Contains(a.text(), fr("forumweb.invite.remind_done", "sent", 3, "skipped", 0)) ||
			!strings.Contains(a.text(), fr("forumweb.invite.remind_none")) {
			t.Fatalf("reminding: %d %s", a.StatusCode, a.text())
		}
		w.run(t)
		if got := w.box.to("helene@asso.example"); len(got) != 2 || !strings.HasPrefix(got[1].Subject, "Rappel : ") {
			t.Fatalf("Hélène's reminder: %+v", got)
		}
		decode(t, send(t, e, "POST", "/api/v1/forums/"+id+"/invitations/remind", bearer(org.Token)), http.StatusOK, &rep)
		if rep.Sent != 0 {
			t.Fatalf("second reminder: %+v", rep)
		}

		// The single link still works and is shown once.
		a = send(t, e, "POST", "/forums/"+id+"/invitations", withCookie(org.Cookie), form("email", ""))
		if !a.redirectsTo(page) {
			t.Fatalf("link: %s", a)
		}
	})
}
