package web_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// Public pages may come from the page cache for visitors who are not
// signed in, but a change made through the site shows at once, and
// signed-in people always see the database as it is.
func TestPageCacheNeverHidesAChange(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		organiser := env.SignedIn(t, auth.Organiser, "organiser@example.org")
		if a := send(t, env, "GET", "/organisations"); a.StatusCode != http.StatusOK || strings.Contains(a.text(), "Collectif Pouvoir d'agir") {
			t.Fatalf("first visit: %s", a)
		}
		a := send(t, env, "POST", "/directory/organisations", withCookie(organiser.Cookie), form("name", "Collectif Pouvoir d'agir", "kind", "collective"))
		if a.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %s", a)
		}
		if a := send(t, env, "GET", "/organisations"); !strings.Contains(a.text(), "Collectif Pouvoir d'agir") {
			t.Error("a visitor does not see an organisation created a moment ago")
		}
		// A change written by another process: the cache may hide it from
		// visitors for a moment, never from signed-in people.
		err := db.Tx(t.Context(), func(tx *sql.Tx) error {
			_, err := directory.CreateOrganisation(t.Context(), tx, directory.OrganisationInput{Name: "Association Ailleurs", Kind: "association"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if a := send(t, env, "GET", "/organisations", withCookie(organiser.Cookie)); !strings.Contains(a.text(), "Association Ailleurs") {
			t.Error("a signed-in organiser was served a stale page")
		}
		// Each language has its own copy.
		fr := send(t, env, "GET", "/", header("Accept-Language", "fr"))
		en := send(t, env, "GET", "/", header("Accept-Language", "en"))
		if pageLang(fr.Body) != "fr" || pageLang(en.Body) != "en" {
			t.Errorf("cached pages mixed languages: %s / %s", pageLang(fr.Body), pageLang(en.Body))
		}
	})
}

// A calendar served from the cache keeps its download headers.
func TestPageCacheKeepsDownloadHeaders(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		first := send(t, env, "GET", "/forums/calendar.ics")
		second := send(t, env, "GET", "/forums/calendar.ics")
		if first.StatusCode != http.StatusOK || second.Body != first.Body {
			t.Fatalf("calendar: %s / %s", first, second)
		}
		for _, h := range []string{"Content-Type", "Content-Disposition"} {
			if second.Header.Get(h) != first.Header.Get(h) {
				t.Errorf("%s: %q from the cache, %q fresh", h, second.Header.Get(h), first.Header.Get(h))
			}
		}
	})
}
