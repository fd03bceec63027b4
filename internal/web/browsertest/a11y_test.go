package browsertest

import (
	"context"
	"database/sql"
	"net/http"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/settings"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// TestPersonSignsInAndEveryPageIsAccessible follows a French-speaking
// administrator through the site in a real browser: home page, a mistyped
// then a valid sign-in request, a sign-in link, the language switcher, and
// every page in English and in French. axe-core checks each page shown,
// error states included.
func TestPersonSignsInAndEveryPageIsAccessible(t *testing.T) {
	axe := axeSource(t)
	browser := startBrowser(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		v := newVisitor(t, browser, env.HTTP.URL, axe, "fr-FR,fr;q=0.9")
		s := &scenario{t: t, v: v, env: env, cat: cat}
		s.anonymous()
		s.signIn()
		s.switchToEnglish()
		s.everyPage("en")
		// Back to French from a page reached by GET: everyPage ends on the
		// token page, the answer to a POST, to which the switcher cannot
		// return.
		v.open("/admin")
		s.switchLanguage("fr")
		s.everyPage("fr")
	})
}

type scenario struct {
	t      *testing.T
	v      *visitor
	env    *webtest.Env
	cat    *i18n.Catalog
	mailID string
}

const (
	adminEmail  = "camille.admin@example.org"
	mailSubject = "Invitation au forum du 12 juin"
)

// anonymous: the home page in French, then the sign-in form, wrong and right.
func (s *scenario) anonymous() {
	t, v := s.t, s.v
	if st := v.open("/"); st != http.StatusOK {
		t.Fatalf("home: status %d", st)
	}
	if got := v.lang(); got != "fr" {
		t.Errorf(`home: <html lang=%q>, want "fr" for a browser asking for French`, got)
	}
	if got := v.text("#h-loop"); got != "Comment ça marche" {
		t.Errorf("home: section heading %q, want the French one", got)
	}
	v.checkA11y()

	if st := v.click(`.site-nav a[href="/sign-in"]`); st != http.StatusOK {
		t.Fatalf("sign-in form: status %d", st)
	}
	if got := v.text("h1"); got != "Se connecter" {
		t.Errorf("sign-in form: h1 %q", got)
	}
	v.checkA11y()

	v.typeInto("#f-email", "camille.example.org")
	if st := v.click(`main form button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("invalid address: status %d, want 422", st)
	}
	want := s.cat.T("fr", "error.email_invalid")
	if got := v.text("#f-email-error"); got != want {
		t.Errorf("invalid address: message next to the field %q, want %q", got, want)
	}
	if !v.besideField("#f-email-error", "f-email") {
		t.Errorf("invalid address: the message is not next to the field")
	}
	if got := v.attr("#f-email", "aria-invalid"); got != "true" {
		t.Errorf(`invalid address: field aria-invalid=%q, want "true"`, got)
	}
	if got := v.attr("#f-email", "aria-describedby"); got != "f-email-hint f-email-error" {
		t.Errorf("invalid address: field aria-describedby=%q, want the hint and the error", got)
	}
	if got := v.text(`.alert-error a[href="#f-email"]`); got != want {
		t.Errorf("invalid address: error summary links %q, want %q", got, want)
	}
	if got := v.value("#f-email"); got != "camille.example.org" {
		t.Errorf("invalid address: field shows %q, want what was typed", got)
	}
	v.checkA11y()

	v.typeInto("#f-email", adminEmail)
	if st := v.click(`main form button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("valid address: status %d", st)
	}
	if p := v.path(); p != "/sign-in/sent" {
		t.Errorf("valid address: landed on %s, want /sign-in/sent", p)
	}
	if got := v.text("h1"); got != "Consultez votre messagerie" {
		t.Errorf("valid address: h1 %q", got)
	}
	v.checkA11y()
}

// signIn opens a sign-in link made for an administrator, as if from the
// mail, and confirms it.
func (s *scenario) signIn() {
	t, v := s.t, s.v
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, s.env.DB, auth.NewUser{Email: adminEmail, Name: "Camille Martin", Role: string(auth.Admin)})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := auth.CreateLoginToken(ctx, s.env.DB, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// One mail in the outbox, so that its list and a message have something to show.
	if s.mailID, err = mail.Queue(ctx, s.env.DB, mail.Message{
		To: "Dominique Durand <dominique@example.org>", Subject: mailSubject,
		Text: "Bonjour,\n\nLe prochain forum a lieu le 12 juin.\n",
	}); err != nil {
		t.Fatal(err)
	}

	if st := v.openURL(auth.SignInURL(s.env.HTTP.URL, secret)); st != http.StatusOK {
		t.Fatalf("sign-in link: status %d", st)
	}
	if got := v.text("h1"); got != "Confirmer la connexion" {
		t.Errorf("sign-in link: h1 %q", got)
	}
	v.checkA11y()

	if st := v.click(`main form button[type="submit"]`); st != http.StatusOK {
		t.Fatalf("confirm sign-in: status %d", st)
	}
	if p := v.path(); p != "/account" {
		t.Fatalf("confirm sign-in: landed on %s, want /account", p)
	}
	if got := v.text("h1"); got != "Mon compte" {
		t.Errorf("account: h1 %q", got)
	}
	if !v.exists(`form[action="/sign-out"] button`) {
		t.Errorf("account: no sign-out button, the person does not look signed in")
	}
	v.checkA11y()
}

// switchToEnglish uses the switcher, then checks that the choice holds on the
// next page.
func (s *scenario) switchToEnglish() {
	t, v := s.t, s.v
	if got := v.text(".lang-switch button"); got != "English" {
		t.Errorf("language switcher reads %q, want English", got)
	}
	if got := v.attr(".lang-switch button", "lang"); got != "en" {
		t.Errorf(`language switcher lang=%q, want "en" (its text is in English)`, got)
	}
	s.switchLanguage("en")
	if p := v.path(); p != "/account" {
		t.Errorf("after switching language: on %s, want back on /account", p)
	}
	if got := v.text("h1"); got != "My account" {
		t.Errorf("after switching language: h1 %q", got)
	}
	v.checkA11y()

	if st := v.click(`.site-nav a[href="/admin"]`); st != http.StatusOK {
		t.Fatalf("admin home: status %d", st)
	}
	if got := v.lang(); got != "en" {
		t.Errorf(`next page: <html lang=%q>, the choice of English was not remembered`, got)
	}
}

// switchLanguage clicks the switcher and checks the page came back in lang.
func (s *scenario) switchLanguage(lang string) {
	t, v := s.t, s.v
	if st := v.click(".lang-switch button"); st != http.StatusOK {
		t.Fatalf("switch to %s: status %d", lang, st)
	}
	if got := v.lang(); got != lang {
		t.Fatalf("after switching to %s: <html lang=%q>", lang, got)
	}
}

// everyPage visits every page of the site as an administrator in lang, with
// the error states of its forms, and checks each one.
func (s *scenario) everyPage(lang string) {
	t, v := s.t, s.v
	T := func(key string) string { return s.cat.T(lang, key) }
	pages := []struct {
		path   string
		status int64
		h1     string
	}{
		{"/", http.StatusOK, settings.Defaults.SiteName},
		{"/accessibility", http.StatusOK, T("a11y.title")},
		{"/privacy", http.StatusOK, T("privacy.title")},
		{"/sign-in", http.StatusOK, T("signin.title")},
		{"/account", http.StatusOK, T("account.title")},
		{"/admin", http.StatusOK, T("admin.title")},
		{"/admin/outbox", http.StatusOK, T("admin.outbox.title")},
		{"/admin/outbox/" + s.mailID, http.StatusOK, mailSubject},
		{"/admin/users", http.StatusOK, T("admin.users.title")},
		{"/admin/audit", http.StatusOK, T("admin.audit.title")},
		{"/admin/settings", http.StatusOK, T("admin.settings.title")},
		{"/no-such-page", http.StatusNotFound, T("errorpage.404.title")},
	}
	for _, p := range pages {
		if st := v.open(p.path); st != p.status {
			t.Errorf("%s (%s): status %d, want %d", p.path, lang, st, p.status)
		}
		if got := v.lang(); got != lang {
			t.Errorf("%s: <html lang=%q>, want %q", p.path, got, lang)
		}
		if got := v.text("h1"); got != p.h1 {
			t.Errorf("%s (%s): h1 %q, want %q", p.path, lang, got, p.h1)
		}
		v.checkA11y()
	}

	// The settings form with an empty site name shows the error next to it.
	v.open("/admin/settings")
	v.typeInto("#f-site_name", "")
	if st := v.click(`main form[action="/admin/settings"] button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("settings without a site name (%s): status %d, want 422", lang, st)
	}
	if got, want := v.text("#f-site_name-error"), T("error.required"); got != want {
		t.Errorf("settings without a site name (%s): message %q, want %q", lang, got, want)
	}
	if !v.besideField("#f-site_name-error", "f-site_name") {
		t.Errorf("settings without a site name (%s): the message is not next to the field", lang)
	}
	if got := v.attr("#f-site_name", "aria-describedby"); got != "f-site_name-error" {
		t.Errorf("settings without a site name (%s): aria-describedby=%q", lang, got)
	}
	v.checkA11y()

	// The form that adds a user, sent empty: each message sits next to its field.
	v.open("/admin/users")
	if st := v.click(`main form[action="/admin/users"] > button[type="submit"]`); st != http.StatusUnprocessableEntity {
		t.Errorf("empty new user (%s): status %d, want 422", lang, st)
	}
	for field, key := range map[string]string{"name": "error.required", "email": "error.email_invalid"} {
		if got, want := v.text("#f-"+field+"-error"), T(key); got != want {
			t.Errorf("empty new user (%s): %s message %q, want %q", lang, field, got, want)
		}
		if !v.besideField("#f-"+field+"-error", "f-"+field) {
			t.Errorf("empty new user (%s): the %s message is not next to its field", lang, field)
		}
		if got := v.attr("#f-"+field, "aria-invalid"); got != "true" {
			t.Errorf("empty new user (%s): %s aria-invalid=%q", lang, field, got)
		}
	}
	v.checkA11y()

	// A new API token, shown once.
	v.open("/account")
	if st := v.click(`main form[action="/account/tokens"] button`); st != http.StatusOK {
		t.Errorf("new API token (%s): status %d", lang, st)
	}
	if got := v.text("h1"); got != T("account.token_title") {
		t.Errorf("new API token (%s): h1 %q", lang, got)
	}
	if len(v.value("#token")) < 20 {
		t.Errorf("new API token (%s): no token shown", lang)
	}
	v.checkA11y()
}

// TestForumActionItemsAreAccessible follows an organiser who records the
// action items of a held forum, refused forms included, then takes the
// open ones up on the next forum's agenda; axe-core checks every page
// state, in French and in English.
func TestForumActionItemsAreAccessible(t *testing.T) {
	axe := axeSource(t)
	browser := startBrowser(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		ctx := context.Background()
		svc := forum.New(db, forum.Config{BaseURL: env.HTTP.URL})
		var held, next *forum.Forum
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			series, err := forum.CreateSeries(ctx, tx, forum.SeriesInput{Title: "Forum OGP", Weekday: 2, WeekOfMonth: 3, FirstMonth: "2026-01", Capacity: 80})
			if err != nil {
				return err
			}
			for i, days := range []int{-60, 30} {
				start := time.Now().UTC().Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Hour)
				f, err := forum.CreateForum(ctx, tx, forum.ForumInput{SeriesID: series.ID, Title: []string{"Forum de janvier", "Forum de mars"}[i],
					StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 80})
				if err != nil {
					return err
				}
				if f, err = svc.Open(ctx, tx, f.ID); err != nil {
					return err
				}
				if i == 0 {
					held, err = svc.SetStatus(ctx, tx, f.ID, forum.StatusHeld)
				} else {
					next = f
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		d := &dirScenario{t: t, env: env, cat: cat, dir: t.TempDir(), people: map[string]string{}}
		v := d.signedIn(browser, axe, "fr-FR,fr;q=0.9", auth.Organiser, "claire.orga@example.org")
		fr := func(k string, args ...any) string { return cat.T("fr", k, args...) }

		// The forum page leads to its action items.
		d.see(v, "/forums/"+held.ID, http.StatusOK, "Forum de janvier")
		if st := v.click(`a[href="/forums/` + held.ID + `/actions"]`); st != http.StatusOK {
			t.Fatalf("action items page: %d", st)
		}
		if got := v.text("h1"); got != fr("forumweb.actions.title") {
			t.Errorf("action items page: h1 %q", got)
		}
		v.checkA11y()

		// A refused form: each message next to its field.
		v.typeInto("#f-due_on", "demain")
		if st := v.click(`#action-form button[type="submit"]`); st != http.StatusUnprocessableEntity {
			t.Errorf("empty action item: %d, want 422", st)
		}
		d.fieldError(v, "f-title", fr("error.required"))
		d.fieldError(v, "f-due_on", fr("error.forum_action_due_invalid"))
		if got := v.value("#f-due_on"); got != "demain" {
			t.Errorf("the due date typed is lost: %q", got)
		}
		v.checkA11y()

		for _, a := range [][3]string{
			{"Publier les données des attributions", "Ministère du Logement", "30/06/2026"},
			{"Répondre aux questions écrites", "Équipe gouvernement ouvert", ""},
			{"Présenter le calendrier de Transparence-Santé", "Ministère de la Santé", "15/05/2026"},
		} {
			v.typeInto("#f-title", a[0])
			v.typeInto("#f-owner", a[1])
			v.typeInto("#f-due_on", a[2])
			if st := v.click(`#action-form button[type="submit"]`); st != http.StatusOK {
				t.Fatalf("add %s: %d", a[0], st)
			}
		}
		if n := len(v.texts("#actions tbody tr")); n != 3 {
			t.Errorf("%d action items listed, want 3", n)
		}
		if st := v.click(`#actions tbody tr:nth-child(2) button[value="done"]`); st != http.StatusOK {
			t.Fatalf("mark done: %d", st)
		}
		v.checkA11y()
		if st := v.click(`#actions tbody tr:nth-child(1) a`); st != http.StatusOK {
			t.Fatalf("edit: %d", st)
		}
		if got := v.value("#f-title"); got != "Publier les données des attributions" {
			t.Errorf("edit form shows %q", got)
		}
		v.checkA11y()

		// The public sees them on the held forum's page.
		public := newVisitor(t, browser, env.HTTP.URL, axe, "fr-FR,fr;q=0.9")
		d.see(public, "/forums/"+held.ID, http.StatusOK, "Forum de janvier")
		if n := len(public.texts("#actions tbody tr")); n != 3 {
			t.Errorf("public page lists %d action items, want 3", n)
		}

		// The next forum's agenda offers the two open ones.
		d.see(v, "/forums/"+next.ID+"/agenda", http.StatusOK, fr("forumweb.agenda.editor"))
		if n := len(v.texts(`#f-action_item_ids input[type="checkbox"]`)); n != 2 {
			t.Errorf("%d action items offered, want 2", n)
		}
		if st := v.click(`#pull-form button[type="submit"]`); st != http.StatusUnprocessableEntity {
			t.Errorf("nothing ticked: %d, want 422", st)
		}
		if got := v.text("#f-action_item_ids-error"); got != fr("error.forum_action_none_selected") {
			t.Errorf("nothing ticked: message %q", got)
		}
		v.checkA11y()
		v.check("#f-action_item_ids-0")
		v.check("#f-action_item_ids-1")
		if st := v.click(`#pull-form button[type="submit"]`); st != http.StatusOK {
			t.Fatalf("pull: %d", st)
		}
		if n := len(v.texts(".agenda .follow-up")); n != 2 {
			t.Errorf("%d follow-ups on the agenda, want 2", n)
		}
		if !v.exists(`#f-action_item_ids-0[disabled]`) {
			t.Errorf("an item on the agenda can still be ticked")
		}
		v.checkA11y()

		v.switchLanguage("en")
		v.checkA11y()
		v.open("/forums/" + held.ID + "/actions")
		v.checkA11y()
	})
}
