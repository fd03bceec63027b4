package forum_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/valid"
)

func addPerson(t *testing.T, db *store.DB, name, email, lang string, invitations bool, sectors ...string) *directory.Person {
	t.Helper()
	var p *directory.Person
	tx(t, db, func(tx *sql.Tx) (err error) {
		p, err = directory.CreatePerson(context.Background(), tx, directory.PersonInput{
			Name: name, Email: email, Language: lang, Sectors: sectors,
			ConsentInvitations: &invitations, ConsentMethod: directory.MethodForm,
		})
		return err
	})
	return p
}

func send(db *store.DB, s *forum.Service, forumID string, in forum.InvitationRequest) (*forum.InvitationReport, error) {
	var rep *forum.InvitationReport
	err := db.Tx(context.Background(), func(tx *sql.Tx) (err error) {
		rep, err = s.SendInvitations(context.Background(), tx, forumID, in)
		return err
	})
	return rep, err
}

// An audience's people who consented get a personal invitation in their
// language with the agenda (text and PDF) and the calendar; the others,
// the unsubscribed and those already invited or registered are left out
// and said why; the invitation's link registers to an invitation-only
// forum.
func TestSendInvitations(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 80, func(in *forum.ForumInput) { in.InvitationOnly = true; in.Title = "Forum « logement »" })
		hélène := addPerson(t, db, "Hélène Dubois", "helene@asso.example", "fr", true, "housing")
		addPerson(t, db, "John Smith", "john@ngo.example", "en", true, "housing")
		addPerson(t, db, "Paul Sansaccord", "paul@asso.example", "fr", false, "housing")
		quit := addPerson(t, db, "Zoé Partie", "zoe@asso.example", "fr", true, "housing")
		tx(t, db, func(tx *sql.Tx) error { return directory.Unsubscribe(ctx, tx, quit.ID, directory.MethodForm) })
		addPerson(t, db, "Autre Secteur", "autre@asso.example", "fr", true, "culture")
		a, err := directory.CreateAudience(ctx, db, directory.AudienceInput{Name: "Logement", Filter: directory.Filter{Sectors: []string{"housing"}}}, "")
		if err != nil {
			t.Fatal(err)
		}
		// Refusals first: nothing is written.
		if _, err := send(db, s, f.ID, forum.InvitationRequest{AudienceID: a.ID, AttachAgenda: true}); !hasField(err, "attach_agenda") {
			t.Fatalf("agenda not published: %v", err)
		}
		if _, err := send(db, s, f.ID, forum.InvitationRequest{}); !hasField(err, "emails") {
			t.Fatalf("no recipients: %v", err)
		}
		if _, err := send(db, s, f.ID, forum.InvitationRequest{Emails: []string{"ok@example.org", "pas une adresse"}}); !hasField(err, "emails") {
			t.Fatalf("bad address: %v", err)
		}
		if _, err := send(db, s, f.ID, forum.InvitationRequest{AudienceID: "nope"}); !hasField(err, "audience_id") {
			t.Fatalf("unknown audience: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM forum_invitations`) + count(t, db, `SELECT COUNT(*) FROM mails`); n != 0 {
			t.Fatalf("refused sendings wrote %d rows", n)
		}

		tx(t, db, func(tx *sql.Tx) error {
			if _, err := forum.AddAgendaItem(ctx, tx, f.ID, forum.AgendaItemInput{Title: "Suivi des engagements « logement »", DurationMinutes: 45, Presenter: "Ministère du Logement"}); err != nil {
				return err
			}
			return forum.PublishAgenda(ctx, tx, f.ID)
		})
		rep, err := send(db, s, f.ID, forum.InvitationRequest{
			AudienceID: a.ID, Emails: []string{"Nouvelle@Example.org", "helene@asso.example", "zoe@asso.example"},
			Message: "Venez nombreux.", AttachAgenda: true, Language: "en",
		})
		if err != nil {
			t.Fatal(err)
		}
		// Hélène, John and the new address are invited; Paul has not
		// consented, Zoé unsubscribed.
		if rep.Sent != 3 {
			t.Fatalf("sent %d, want 3: %+v", rep.Sent, rep)
		}
		reasons := map[string]string{}
		for _, sk := range rep.Skipped {
			reasons[sk.Email] = sk.Reason
		}
		if reasons["paul@asso.example"] != forum.SkipNoConsent || reasons["zoe@asso.example"] != forum.SkipSuppressed || len(reasons) != 2 {
			t.Fatalf("skipped = %v", reasons)
		}

		fr := mailsTo(t, db, "helene@asso.example")
		if len(fr) != 1 {
			t.Fatalf("%d mails to Hélène", len(fr))
		}
		m := fr[0]
		for _, want := range []string{"Bonjour Hélène Dubois,", "Forum « logement »", "Venez nombreux.", "Ordre du jour :",
			"1. Suivi des engagements « logement » — 45 min", baseURL + "/forums/" + f.ID + "?invitation=", baseURL + "/preferences/" + hélène.ID + "."} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("French invitation lacks %q:\n%s", want, m.Text)
			}
		}
		if m.Subject != "Invitation : Forum « logement »" {
			t.Errorf("subject %q", m.Subject)
		}
		files := map[string][]byte{}
		for _, at := range m.Attach {
			files[at.Filename] = at.Data
		}
		if pdf := files["ordre-du-jour.pdf"]; !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("no agenda PDF attached: %v", len(pdf))
		}
		if !bytes.Contains(files["forum.ics"], []byte("BEGIN:VEVENT")) {
			t.Error("no calendar attached")
		}
		en := mailsTo(t, db, "john@ngo.example")
		if len(en) != 1 || !strings.Contains(en[0].Text, "Hello John Smith,") || !strings.Contains(en[0].Text, "Agenda:") {
			t.Fatalf("English invitation: %+v", en)
		}
		if names := []string{en[0].Attach[0].Filename, en[0].Attach[1].Filename}; !slices.Contains(names, "agenda.pdf") {
			t.Errorf("English attachments: %v", names)
		}
		typed := mailsTo(t, db, "nouvelle@example.org")
		if len(typed) != 1 || !strings.HasPrefix(typed[0].Text, "Hello,") || strings.Contains(typed[0].Text, "/preferences/") {
			t.Fatalf("typed address invited in the chosen language, without a preferences link: %+v", typed)
		}
		if len(mailsTo(t, db, "paul@asso.example"))+len(mailsTo(t, db, "zoe@asso.example"))+len(mailsTo(t, db, "autre@asso.example")) != 0 {
			t.Fatal("mailed someone left out")
		}

		// The link registers to the invitation-only forum.
		link := m.Text[strings.Index(m.Text, "?invitation=")+len("?invitation="):]
		link, _ = url.QueryUnescape(strings.Fields(link)[0])
		in := person(1)
		in.Email, in.InvitationToken = "helene@asso.example", link
		mustRegister(t, db, s, f.ID, in)

		// A second sending leaves everybody out: invited or registered.
		rep, err = send(db, s, f.ID, forum.InvitationRequest{AudienceID: a.ID, Emails: []string{"nouvelle@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		reasons = map[string]string{}
		for _, sk := range rep.Skipped {
			reasons[sk.Email] = sk.Reason
		}
		if rep.Sent != 0 || reasons["helene@asso.example"] != forum.SkipAlreadyRegistered || reasons["john@ngo.example"] != forum.SkipAlreadyInvited ||
			reasons["nouvelle@example.org"] != forum.SkipAlreadyInvited {
			t.Fatalf("second sending: %+v", rep)
		}
		invs, err := forum.ListInvitations(ctx, db, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(invs) != 3 || invs[0].MailedAt == nil {
			t.Fatalf("invitations: %+v", invs)
		}

		// A forum that is not open sends nothing.
		var draft *forum.Forum
		tx(t, db, func(tx *sql.Tx) (err error) {
			draft, err = forum.CreateForum(ctx, tx, f.Input())
			return err
		})
		if _, err := send(db, s, draft.ID, forum.InvitationRequest{Emails: []string{"x@example.org"}}); !errors.Is(err, forum.ErrInviteNotOpen) {
			t.Fatalf("draft forum: %v", err)
		}
	})
}

func hasField(err error, field string) bool {
	var fe valid.Errors
	return errors.As(err, &fe) && fe[field] != ""
}

func TestParseAddresses(t *testing.T) {
	good, bad := forum.ParseAddresses("a@example.org\r\nB@Example.org; a@example.org,  c@example.org\n\nnot-an-address\n")
	if strings.Join(good, " ") != "a@example.org b@example.org c@example.org" || strings.Join(bad, " ") != "not-an-address" {
		t.Fatalf("good %v bad %v", good, bad)
	}
}

func remind(db *store.DB, s *forum.Service, forumID string) (*forum.InvitationReport, error) {
	var rep *forum.InvitationReport
	err := db.Tx(context.Background(), func(tx *sql.Tx) (err error) {
		rep, err = s.RemindInvitations(context.Background(), tx, forumID)
		return err
	})
	return rep, err
}

// linkIn is the invitation token of a mail's registration link.
func linkIn(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, "?invitation=")
	if i < 0 {
		t.Fatalf("no invitation link in %q", text)
	}
	tok, err := url.QueryUnescape(strings.Fields(text[i+len("?invitation="):])[0])
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// One reminder goes to those invited who have not registered, with a new
// link that replaces the first; not to those registered with or without
// the link, nor to those who unsubscribed since.
func TestRemindInvitations(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 80, func(in *forum.ForumInput) { in.InvitationOnly = true })
		quit := addPerson(t, db, "Zoé Partie", "zoe@asso.example", "fr", true)
		addPerson(t, db, "John Smith", "john@ngo.example", "en", true)
		if _, err := send(db, s, f.ID, forum.InvitationRequest{Emails: []string{"a@example.org", "b@example.org", "c@example.org", "zoe@asso.example", "john@ngo.example"}}); err != nil {
			t.Fatal(err)
		}
		// a registers with the link; b registers with another invitation
		// link (an organiser's); Zoé unsubscribes.
		in := person(1)
		in.Email, in.InvitationToken = "a@example.org", linkIn(t, mailsTo(t, db, "a@example.org")[0].Text)
		mustRegister(t, db, s, f.ID, in)
		_, other, err := forum.CreateInvitation(ctx, db, f.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		in = person(2)
		in.Email, in.InvitationToken = "b@example.org", other
		mustRegister(t, db, s, f.ID, in)
		tx(t, db, func(tx *sql.Tx) error { return directory.Unsubscribe(ctx, tx, quit.ID, directory.MethodForm) })
		if n, err := forum.PendingReminders(ctx, db, f.ID); err != nil || n != 2 {
			t.Fatalf("pending reminders %d, %v; want 2 (c, John)", n, err)
		}

		rep, err := remind(db, s, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[string]string{}
		for _, sk := range rep.Skipped {
			reasons[sk.Email] = sk.Reason
		}
		if rep.Sent != 2 || reasons["b@example.org"] != forum.SkipAlreadyRegistered || reasons["zoe@asso.example"] != forum.SkipSuppressed {
			t.Fatalf("reminders: %+v", rep)
		}
		c := mailsTo(t, db, "c@example.org")
		if len(c) != 2 || c[1].Subject != "Rappel : invitation au forum Forum ouvert" {
			t.Fatalf("c's mails: %d, %q", len(c), c[len(c)-1].Subject)
		}
		if j := mailsTo(t, db, "john@ngo.example"); len(j) != 2 || !strings.HasPrefix(j[1].Text, "Hello John Smith,") || !strings.HasPrefix(j[1].Subject, "Reminder: ") {
			t.Fatalf("John's reminder: %+v", j)
		}
		// The first link no longer works; the reminder's does.
		in = person(3)
		in.Email, in.InvitationToken = "c@example.org", linkIn(t, c[0].Text)
		if _, _, err := register(t, db, s, f.ID, in); !errors.Is(err, forum.ErrInvitationRequired) {
			t.Fatalf("first link after the reminder: %v", err)
		}
		in.InvitationToken = linkIn(t, c[1].Text)
		mustRegister(t, db, s, f.ID, in)

		// One reminder only.
		if rep, err := remind(db, s, f.ID); err != nil || rep.Sent != 0 {
			t.Fatalf("second reminder: %+v, %v", rep, err)
		}
		if n, _ := forum.PendingReminders(ctx, db, f.ID); n != 0 {
			t.Fatalf("pending after reminding: %d", n)
		}
	})
}
