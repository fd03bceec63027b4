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

// A registration sent to a forum that does not exist, or to a draft by
// anyone but an organiser, is answered 404 whatever its body; otherwise
// the body's fault is answered.
func TestAPIRegisterToAMissingOrDraftForum(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := webtest.New(t, db)
		org := e.SignedIn(t, auth.Organiser, "orga@example.org")
		start := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Hour)
		body, _ := json.Marshal(map[string]any{"title": "Forum en préparation", "starts_at": start.Format(time.RFC3339),
			"ends_at": start.Add(2 * time.Hour).Format(time.RFC3339), "venue": "Salle", "capacity": 10})
		var draft struct{ ID string }
		decode(t, send(t, e, "POST", "/api/v1/forums", bearer(org.Token), jsonBody(string(body))), http.StatusCreated, &draft)

		valid := `{"name":"Ana Martin","email":"ana@example.org","college":"civil_society","consent":true}`
		bodies := map[string]string{
			"valid": valid, "refused": `{"name":"Ana Martin","email":"not-an-address","college":"civil_society"}`,
			"not JSON": `{"name":`, "wrong type": `{"consent":"yes"}`, "empty": ``,
		}
		for name, b := range bodies {
			for _, id := range []string{store.NewID(), draft.ID} {
				errorOf(t, send(t, e, "POST", "/api/v1/forums/"+id+"/registrations", jsonBody(b)), http.StatusNotFound)
			}
			// The organiser sees the draft: the body's fault, or the
			// forum's state, is the answer.
			a := send(t, e, "POST", "/api/v1/forums/"+draft.ID+"/registrations", bearer(org.Token), jsonBody(b))
			want := map[string]int{"valid": http.StatusUnprocessableEntity, "refused": http.StatusUnprocessableEntity,
				"not JSON": http.StatusBadRequest, "wrong type": http.StatusBadRequest, "empty": http.StatusBadRequest}[name]
			if a.StatusCode != want {
				t.Errorf("%s body to a draft, as its organiser: %s, want %d", name, a, want)
			}
		}
		a := send(t, e, "POST", "/api/v1/forums/"+draft.ID+"/registrations", bearer(org.Token), jsonBody(valid))
		if !strings.Contains(a.Body, "not_open") {
			t.Errorf("registration to a draft: %s, want the not_open refusal", a)
		}
	})
}
