package blackbox

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/store"
)

// Every API error has the same shape, through the real server.
func TestAPIErrors(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		admin := s.token(s.createUser("admin@example.org", "admin"))
		member := s.token(s.createUser("member@example.org", "member"))
		srv := s.serve()

		for _, c := range []struct {
			name, method, path, token, body string
			status                          int
			code, field                     string
		}{
			{"no token", "GET", "/api/v1/me", "", "", 401, "unauthorized", ""},
			{"unknown token", "GET", "/api/v1/me", "ogf_not-a-token-at-all-0000000000", "", 401, "unauthorized", ""},
			{"member on an admin route", "GET", "/api/v1/users", member, "", 403, "forbidden", ""},
			{"unknown route", "GET", "/api/v1/nope", admin, "", 404, "not_found", ""},
			{"invalid e-mail", "POST", "/api/v1/sign-in", "", `{"email":"x"}`, 422, "invalid", "email"},
			{"invalid user", "POST", "/api/v1/users", admin, `{"email":"new@example.org","name":"New","role":"boss"}`, 422, "invalid", "role"},
			{"broken JSON", "POST", "/api/v1/sign-in", "", `{"email":`, 400, "bad_json", ""},
			{"taken e-mail", "POST", "/api/v1/users", admin, `{"email":"MEMBER@example.org","name":"Again","role":"member"}`, 409, "conflict", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := wantAPIError(t, srv.api(t, c.method, c.path, c.token, c.body), c.status, c.code)
				if c.field != "" && e.Error.Fields[c.field] == "" {
					t.Errorf("fields %v, want a message for %q", e.Error.Fields, c.field)
				}
			})
		}

		srv.stop()

		// A second process with a limit of 2 per minute, taking client
		// addresses from X-Forwarded-For so that each attempt has its own
		// bucket: an attempt that straddles a minute boundary (the limit
		// counts per calendar minute) is retried with a fresh address.
		limited := s.serve("--rate-limit", "2", "--trust-proxy", "true")
		window := func() int64 { return time.Now().Unix() / 60 }
		for attempt := 1; ; attempt++ {
			ip := fmt.Sprintf("203.0.113.%d", attempt)
			start := window()
			var last response
			statuses := make([]int, 3)
			for i := range statuses {
				last = limited.api(t, "POST", "/api/v1/sign-in", "", `{"email":"member@example.org"}`, "X-Forwarded-For", ip)
				statuses[i] = last.Status
			}
			if statuses[0] == 202 && statuses[1] == 202 && statuses[2] == 429 {
				wantAPIError(t, last, http.StatusTooManyRequests, "rate_limited")
				if secs, err := strconv.Atoi(last.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 61 {
					t.Errorf("Retry-After %q, want the seconds until the next minute", last.Header.Get("Retry-After"))
				}
				break
			}
			if window() == start || attempt == 3 {
				t.Fatalf("three sign-in requests with --rate-limit 2: statuses %v, want [202 202 429]", statuses)
			}
		}
		limited.stop()
	})
}
