package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// TestForumDoneWhen follows issue 5's "done when" in a real browser: the
// organiser creates the series and opens its next forum with 80 seats; 120
// people register (a few through the public form, the rest through the
// API); 80 are confirmed and 40 wait; three cancel from their personal
// pages and the first three waiting are promoted and mailed; the organiser
// downloads the sheet and checks people in on a phone. axe-core checks
// every page state.
func TestForumDoneWhen(t *testing.T) {
	axe := axeSource(t)
	browser := startBrowser(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			env := webtest.New(t, storetest.Open(t, engine))
			d := &dirScenario{t: t, env: env, cat: cat, dir: t.TempDir(), people: map[string]string{}}
			orga := d.signedIn(browser, axe, "fr-FR,fr;q=0.9", auth.Organiser, "claire.orga@example.org")
			public := newVisitor(t, browser, env.HTTP.URL, axe, "fr-FR,fr;q=0.9")
			fr := func(k string, args ...any) string { return cat.T("fr", k, args...) }

			// The series, then the forum on its first proposed date.
			d.see(orga, "/series/new", http.StatusOK, fr("forumweb.series.new"))
			orga.typeInto("#f-title", "Forum du gouvernement ouvert")
			orga.typeInto("#f-venue", "Ministère, salle Émile-Zola")
			if st := orga.click(`main form button[type="submit"]`); st != http.StatusOK || !strings.HasPrefix(orga.path(), "/series") {
				t.Fatalf("create series: %d on %s", st, orga.path())
			}
			orga.checkA11y()
			if st := orga.click(`main section form button[type="submit"]`); st != http.StatusOK {
				t.Fatalf("create forum from date: %d", st)
			}
			orga.checkA11y()
			editPath, _, _ := strings.Cut(orga.path(), "?")
			forumPath := strings.TrimSuffix(editPath, "/edit")
			id := strings.TrimPrefix(forumPath, "/forums/")
			orga.typeInto("#f-capacity", "80")
			if st := orga.click(`main form button[type="submit"]`); st != http.StatusOK || orga.path() != forumPath {
				t.Fatalf("save forum: %d on %s", st, orga.path())
			}
			if st := orga.click(`form[action="` + forumPath + `/status"] button`); st != http.StatusOK {
				t.Fatalf("open forum: %d", st)
			}
			orga.checkA11y()

			// Invitations by mail: a mistyped address is pointed at, then
			// two invitations go out.
			d.see(orga, forumPath+"/invitations", http.StatusOK, fr("forumweb.invite.title"))
			orga.typeInto("#f-emails", "invite1@example.org\ninvite2@example\n")
			if st := orga.click(`form[action="` + forumPath + `/invitations/send"] button[type="submit"]`); st != http.StatusUnprocessableEntity {
				t.Errorf("bad address: %d", st)
			}
			if !orga.besideField(".error-message", "f-emails") {
				t.Error("the address error is not at its field")
			}
			orga.checkA11y()
			orga.typeInto("#f-emails", "invite1@example.org\ninvite2@example.org")
			if st := orga.click(`form[action="` + forumPath + `/invitations/send"] button[type="submit"]`); st != http.StatusOK {
				t.Errorf("send invitations: %d", st)
			}
			if got := orga.text(".alert"); !strings.Contains(got, fr("forumweb.invite.done", "sent", 2, "skipped", 0)) {
				t.Errorf("after sending: %q", got)
			}
			orga.checkA11y()

			// Three through the public form, in the browser.
			d.see(public, forumPath, http.StatusOK, "Forum du gouvernement ouvert")
			if st := public.click(`form[action="` + forumPath + `/register"] button[type="submit"]`); st != http.StatusUnprocessableEntity {
				t.Errorf("empty form: %d", st)
			}
			public.checkA11y()
			for i := range 3 {
				public.open(forumPath)
				public.typeInto("#f-first_name", fmt.Sprintf("Élise%d", i))
				public.typeInto("#f-last_name", "Ñúñez")
				public.typeInto("#f-email", fmt.Sprintf("form%d@example.org", i))
				public.check("#f-consent")
				if st := public.click(`form[action="` + forumPath + `/register"] button[type="submit"]`); st != http.StatusOK {
					t.Fatalf("register %d: %d", i, st)
				}
				if !strings.Contains(public.text("#reg-status"), fr("forumweb.reg.confirmed")) {
					t.Errorf("registration %d: %s", i, public.text("#reg-status"))
				}
			}
			public.checkA11y()
			// The other 117 through the API.
			links := map[int]string{}
			for i := 3; i < 120; i++ {
				body := fmt.Sprintf(`{"name":"Personne %03d","email":"p%03d@example.org","college":"civil_society","consent":true}`, i, i)
				resp, err := http.Post(env.HTTP.URL+"/api/v1/forums/"+id+"/registrations", "application/json", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				var r struct {
					ID          string
					ManageToken string `json:"manage_token"`
				}
				json.NewDecoder(resp.Body).Decode(&r)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					t.Fatalf("API registration %d: %d", i, resp.StatusCode)
				}
				if i < 6 {
					links[i] = "/registrations/" + r.ID + "?token=" + r.ManageToken
				}
			}
			d.see(orga, forumPath+"/registrations", http.StatusOK, fr("forumweb.regs.title"))
			if got, want := orga.text("#occupancy"), fr("forumweb.regs.occupancy", "confirmed", 80, "capacity", 80, "waiting", 40); got != want {
				t.Errorf("occupancy %q, want %q", got, want)
			}

			// Three cancel from their personal pages.
			for i := 3; i < 6; i++ {
				d.see(public, links[i], http.StatusOK, fr("forumweb.reg.title"))
				if st := public.click("#cancel-registration"); st != http.StatusOK {
					t.Fatalf("cancel %d: %d", i, st)
				}
			}
			public.checkA11y()
			orga.open(forumPath + "/registrations")
			if got, want := orga.text("#occupancy"), fr("forumweb.regs.occupancy", "confirmed", 80, "capacity", 80, "waiting", 37); got != want {
				t.Errorf("after cancellations: %q, want %q", got, want)
			}
			orga.checkA11y()
			var mailed int
			if err := env.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM mails WHERE recipient IN ('p080@example.org', 'p081@example.org', 'p082@example.org')`).Scan(&mailed); err != nil {
				t.Fatal(err)
			}
			if mailed != 6 { // waiting-list mail, then the promotion
				t.Errorf("%d mails to the three first waiting, want 6", mailed)
			}

			// The sheet, and the desk on a phone.
			if f := orga.fetch(forumPath + "/attendance.pdf"); f.Status != 200 || !bytes.HasPrefix(f.Body, []byte("%PDF")) {
				t.Errorf("attendance PDF: %d", f.Status)
			}
			orga.do("phone", chromedp.EmulateViewport(390, 844))
			d.see(orga, forumPath+"/checkin", http.StatusOK, fr("forumweb.desk.title"))
			orga.typeInto("#f-q", "ÉLISE1")
			if n := len(orga.texts("#desk-list li:not([hidden])")); n != 1 {
				t.Errorf("typing filters to %d rows, want 1", n)
			}
			if st := orga.click("#desk-list li:not([hidden]) form button"); st != http.StatusOK {
				t.Fatalf("check in: %d", st)
			}
			if !regexp.MustCompile(`\b1\b`).MatchString(orga.text("#desk-counts")) {
				t.Errorf("counts %q", orga.text("#desk-counts"))
			}
			orga.checkA11y()
			orga.switchLanguage("en")
			orga.checkA11y()
		})
	}
}
