package blackbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/store"
)

// The endpoints an operator points a load balancer and Prometheus at.
func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		admin := s.token(s.createUser("admin@example.org", "admin"))
		member := s.token(s.createUser("member@example.org", "member"))
		srv := s.serve("--metrics-token", scrapeToken)

		health := request(t, "GET", srv.URL+"/healthz", "")
		if health.Status != http.StatusOK || strings.TrimSpace(string(health.Body)) != "ok" {
			t.Errorf("GET /healthz: %d %q", health.Status, health.Body)
		}
		if health.Header.Get("X-Request-Id") == "" || health.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET /healthz headers: %v", health.Header)
		}
		if ready := request(t, "GET", srv.URL+"/readyz", ""); ready.Status != http.StatusOK || strings.TrimSpace(string(ready.Body)) != "ready" {
			t.Errorf("GET /readyz: %d %q", ready.Status, ready.Body)
		}

		for _, c := range []struct {
			who     string
			headers []string
			status  int
		}{
			{"anonymous", nil, http.StatusSeeOther},
			{"a wrong scraper token", []string{"Authorization", "Bearer wrong-secret"}, http.StatusSeeOther},
			{"a member", []string{"Authorization", "Bearer " + member}, http.StatusForbidden},
		} {
			r := request(t, "GET", srv.URL+"/metrics", "", c.headers...)
			if r.Status != c.status || strings.Contains(string(r.Body), "ogforum_http_requests_total") {
				t.Errorf("GET /metrics as %s: %d, want %d and no metrics", c.who, r.Status, c.status)
			}
		}
		for who, token := range map[string]string{"the scraper": scrapeToken, "an admin": admin} {
			r := request(t, "GET", srv.URL+"/metrics", "", "Authorization", "Bearer "+token)
			body := string(r.Body)
			if r.Status != http.StatusOK || !strings.Contains(body, "ogforum_outbox_depth") ||
				!strings.Contains(body, `ogforum_http_requests_total{route="GET /healthz",status="200"} 1`) {
				t.Errorf("GET /metrics as %s: %d\n%s", who, r.Status, body)
			}
		}
		srv.stop()
	})
}
