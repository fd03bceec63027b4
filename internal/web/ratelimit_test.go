package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/config"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// burst sends n sign-in requests from one client address and returns the
// answers. The limit counts per clock minute, so a burst that straddles a
// minute boundary is split over two windows and proves nothing: it is
// repeated from a new address.
func burst(t *testing.T, network string, n int, send1 func(ip string) *answer) []*answer {
	t.Helper()
	for attempt := range 3 {
		ip := fmt.Sprintf("%s.%d", network, attempt+1)
		start := time.Now().UTC().Truncate(time.Minute)
		var out []*answer
		for range n {
			out = append(out, send1(ip))
		}
		if time.Now().UTC().Truncate(time.Minute).Equal(start) {
			return out
		}
	}
	t.Fatal("every burst straddled a minute boundary")
	return nil
}

func checkRetryAfter(t *testing.T, a *answer) {
	t.Helper()
	s, err := strconv.Atoi(a.Header.Get("Retry-After"))
	if err != nil || s < 1 || s > 61 {
		t.Errorf("Retry-After %q, want a number of seconds up to a minute", a.Header.Get("Retry-After"))
	}
}

func TestRateLimitSignIn(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db, func(c *config.Config) { c.RateLimit = 3; c.TrustProxy = true })
		from := func(ip string) opt { return header("X-Forwarded-For", ip) }

		t.Run("html", func(t *testing.T) {
			var limitedIP string
			answers := burst(t, "198.51.100", 4, func(ip string) *answer {
				limitedIP = ip
				return send(t, env, "POST", "/sign-in", from(ip), form("email", "ada@example.org"))
			})
			for i, a := range answers[:3] {
				if !a.redirectsTo("/sign-in/sent") {
					t.Fatalf("request %d: %s, want it through", i+1, a)
				}
			}
			a := answers[3]
			if a.StatusCode != http.StatusTooManyRequests || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("4th request: %s, want a 429 page", a)
			}
			if got := pageTitle(a.Body); !strings.HasPrefix(got, fr("errorpage.429.title")) {
				t.Errorf("429 page titled %q", got)
			}
			checkRetryAfter(t, a)
			// Reading the form stays possible, and other clients are not held back.
			if a := send(t, env, "GET", "/sign-in", from(limitedIP)); a.StatusCode != http.StatusOK {
				t.Errorf("GET /sign-in from the limited address: %s", a)
			}
			if a := send(t, env, "POST", "/sign-in", from("203.0.113.99"), form("email", "ada@example.org")); !a.redirectsTo("/sign-in/sent") {
				t.Errorf("another address was limited too: %s", a)
			}
		})

		t.Run("api", func(t *testing.T) {
			answers := burst(t, "198.51.101", 4, func(ip string) *answer {
				return send(t, env, "POST", "/api/v1/sign-in", from(ip), header("Accept-Language", "en"), jsonBody(`{"email":"ada@example.org"}`))
			})
			for i, a := range answers[:3] {
				if a.StatusCode != http.StatusAccepted {
					t.Fatalf("request %d: %s, want 202", i+1, a)
				}
			}
			e := errorOf(t, answers[3], http.StatusTooManyRequests)
			if e.Code != "rate_limited" || e.Message != en("error.rate_limited") {
				t.Errorf("4th request: %+v", e)
			}
			checkRetryAfter(t, answers[3])
		})
	})
}
