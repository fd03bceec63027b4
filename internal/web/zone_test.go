package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
	"github.com/ogforum/ogforum/internal/zone"
)

// A team in another zone (OGFORUM_TIMEZONE) gets its new forums there, at
// 17:00 its time, and reads their times in it. Not parallel: the zone is
// the process's.
func TestTeamTimeZone(t *testing.T) {
	montreal, err := time.LoadLocation("America/Montreal")
	if err != nil {
		t.Fatal(err)
	}
	zone.Set(montreal)
	defer zone.Set(nil)
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := webtest.New(t, db)
		org := e.SignedIn(t, auth.Organiser, "orga@example.org")
		page := send(t, e, "GET", "/forums/new", withCookie(org.Cookie))
		if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `value="America/Montreal"`) || !strings.Contains(page.Body, `T17:00"`) {
			t.Fatalf("new forum form: %d, want the zone America/Montreal and 17:00 prefilled", page.StatusCode)
		}
		// A forum created through the API without a zone is in the team's.
		id := openForum(t, e, org, 10)
		api := send(t, e, "GET", "/api/v1/forums/"+id)
		if !strings.Contains(api.Body, `"timezone":"America/Montreal"`) {
			t.Errorf("forum created without a zone: %s", api.Body)
		}
	})
}
