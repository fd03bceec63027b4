package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// A commitment's public page links the forums that focused on it, once
// they are announced (not while still drafts).
func TestCommitmentPageListsItsForums(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		org := env.SignedIn(t, auth.Organiser, "organiser@example.org")
		var ministry, pl, c, f struct {
			ID string `json:"id"`
		}
		decode(t, send(t, env, "POST", "/api/v1/organisations", bearer(org.Token),
			jsonBody(`{"name": "Ministère de la Culture", "kind": "central_administration"}`)), http.StatusCreated, &ministry)
		decode(t, send(t, env, "POST", "/api/v1/plans", bearer(org.Token),
			jsonBody(`{"title": "Plan 2025-2027", "starts_on": "2025-01-01", "ends_on": "2027-12-31", "status": "implementation"}`)), http.StatusCreated, &pl)
		decode(t, send(t, env, "POST", "/api/v1/plans/"+pl.ID+"/commitments", bearer(org.Token),
			jsonBody(fmt.Sprintf(`{"reference": "FR0101", "number": "1", "title": "Ouvrir les données culturelles", "lead_organisation_id": %q}`, ministry.ID))), http.StatusCreated, &c)
		start := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Hour)
		decode(t, send(t, env, "POST", "/api/v1/forums", bearer(org.Token),
			jsonBody(fmt.Sprintf(`{"title": "Forum sur les données culturelles", "starts_at": %q, "ends_at": %q, "venue": "Salle 1", "address": "3 rue de Valois, Paris", "capacity": 50, "commitment_ids": [%q]}`,
				start.Format(time.RFC3339), start.Add(2*time.Hour).Format(time.RFC3339), c.ID))), http.StatusCreated, &f)
		if a := send(t, env, "GET", "/commitments/"+c.ID); strings.Contains(a.text(), "Forum sur les données culturelles") {
			t.Error("a draft forum is shown on the commitment page")
		}
		if a := send(t, env, "POST", "/api/v1/forums/"+f.ID+"/open", bearer(org.Token)); a.StatusCode != http.StatusOK {
			t.Fatalf("open: %s", a)
		}
		a := send(t, env, "GET", "/commitments/"+c.ID, header("Accept-Language", "fr"))
		if a.StatusCode != http.StatusOK || !strings.Contains(a.Body, `href="/forums/`+f.ID+`"`) {
			t.Fatalf("the commitment page does not link its forum: %s", a)
		}
	})
}
