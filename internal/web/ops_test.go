package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/config"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

var outboxDepthRe = regexp.MustCompile(`(?m)^ogforum_outbox_depth (\S+)$`)

// checkMetrics asserts a is a Prometheus scrape with the site's series and
// returns the outbox depth it reports.
func checkMetrics(t *testing.T, who string, a *answer) string {
	t.Helper()
	if a.StatusCode != http.StatusOK || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("%s: /metrics answered %s", who, a)
	}
	if !strings.Contains(a.Body, `ogforum_http_requests_total{route="GET /{$}",status="200"}`) {
		t.Errorf("%s: no request count for the home page in the scrape", who)
	}
	m := outboxDepthRe.FindStringSubmatch(a.Body)
	if m == nil {
		t.Fatalf("%s: no ogforum_outbox_depth in the scrape", who)
	}
	return m[1]
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		const scraperToken = "prometheus-scrape-token"
		env := webtest.New(t, db, func(c *config.Config) { c.MetricsToken = scraperToken })
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		member := env.SignedIn(t, auth.Member, "member@example.org")
		send(t, env, "GET", "/")
		for range 2 {
			if _, err := mail.Queue(context.Background(), db, mail.Message{To: "ada@example.org", Subject: "s", Text: "t"}); err != nil {
				t.Fatal(err)
			}
		}

		if depth := checkMetrics(t, "admin", send(t, env, "GET", "/metrics", withCookie(admin.Cookie))); depth != "2" {
			t.Errorf("outbox depth %s, want 2 queued mails", depth)
		}
		checkMetrics(t, "scraper", send(t, env, "GET", "/metrics", bearer(scraperToken)))

		if a := send(t, env, "GET", "/metrics", withCookie(member.Cookie)); a.StatusCode != http.StatusForbidden {
			t.Errorf("member: %s, want 403", a)
		}
		if a := send(t, env, "GET", "/metrics", bearer(member.Token)); a.StatusCode != http.StatusForbidden {
			t.Errorf("member's API token: %s, want 403", a)
		}
		for name, opts := range map[string][]opt{
			"public":      nil,
			"wrong token": {bearer(scraperToken + "x")},
			"empty token": {header("Authorization", "Bearer ")},
		} {
			a := send(t, env, "GET", "/metrics", opts...)
			if a.StatusCode == http.StatusOK || strings.Contains(a.Body, "ogforum_") {
				t.Errorf("%s got the metrics: %s", name, a)
			}
			if !a.redirectsTo("/sign-in") && a.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: %s, want a redirect to sign in or 401", name, a)
			}
		}

		// With no scraper token configured, no token opens the metrics.
		closed := webtest.New(t, db)
		for name, opts := range map[string][]opt{"no token": nil, "a token": {bearer("x")}, "a blank token": {bearer("\u00a0")}} {
			if a := send(t, closed, "GET", "/metrics", opts...); a.StatusCode == http.StatusOK || strings.Contains(a.Body, "ogforum_") {
				t.Errorf("no scraper token configured, %s got the metrics: %s", name, a)
			}
		}
	})
}

func TestMetricsPublic(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db, func(c *config.Config) { c.MetricsPublic = true })
		send(t, env, "GET", "/")
		if depth := checkMetrics(t, "public", send(t, env, "GET", "/metrics")); depth != "0" {
			t.Errorf("outbox depth %s, want 0", depth)
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		if a := send(t, env, "GET", "/healthz"); a.StatusCode != http.StatusOK {
			t.Errorf("healthz: %s", a)
		}
		if a := send(t, env, "GET", "/readyz"); a.StatusCode != http.StatusOK {
			t.Errorf("readyz: %s", a)
		}
		db.Close()
		if a := send(t, env, "GET", "/readyz"); a.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("readyz with the database closed: %s, want 503", a)
		}
		if a := send(t, env, "GET", "/healthz"); a.StatusCode != http.StatusOK {
			t.Errorf("healthz with the database closed: %s, want 200 (the process is alive)", a)
		}
	})
}
