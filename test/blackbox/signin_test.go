package blackbox

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/store"
)

const scrapeToken = "scrape-secret-0123456789"

// Asking for a sign-in link through the API: with no SMTP server, the mail
// is an .eml file in DATA_DIR/mail whose link signs the user in. An unknown
// address gets the same answer and no mail.
func TestSignInByMail(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		s.createUser("reader@example.org", "member", "--name", "Ada Reader", "--language", "en")
		srv := s.serve("--metrics-token", scrapeToken)
		linkJobs := `ogforum_jobs_done_total{kind="auth.sign_in_link"}`

		unknown := srv.api(t, "POST", "/api/v1/sign-in", "", `{"email":"nobody@example.org"}`)
		if unknown.Status != http.StatusAccepted {
			t.Fatalf("sign-in for an unknown address: %d, want 202; body: %s", unknown.Status, unknown.Body)
		}
		eventually(t, mailTimeout, "the unknown address's request is handled", func() bool {
			return srv.metric(t, scrapeToken, linkJobs) >= 1
		})
		if files := mailFiles(t, s.dataDir); len(files) != 0 {
			t.Fatalf("a sign-in request for an unknown address wrote mail: %v", files)
		}

		known := srv.api(t, "POST", "/api/v1/sign-in", "", `{"email":"Reader@Example.org"}`)
		if known.Status != http.StatusAccepted {
			t.Fatalf("sign-in for a known address: %d, want 202; body: %s", known.Status, known.Body)
		}
		if !bytes.Equal(known.Body, unknown.Body) {
			t.Errorf("answers differ between a known and an unknown address:\n%s\n%s", known.Body, unknown.Body)
		}
		var files []string
		eventually(t, mailTimeout, "the sign-in mail is written under DATA_DIR/mail", func() bool {
			files = mailFiles(t, s.dataDir)
			return len(files) > 0
		})
		eventually(t, mailTimeout, "both requests are handled", func() bool {
			return srv.metric(t, scrapeToken, linkJobs) >= 2
		})
		if files = mailFiles(t, s.dataDir); len(files) != 1 {
			t.Fatalf("after a request for a known and one for an unknown address: mail files %v, want 1", files)
		}
		to, text := readMail(t, files[0])
		if to != "reader@example.org" || !strings.Contains(text, "Ada Reader") {
			t.Errorf("mail to %q:\n%s", to, text)
		}
		link := signInLink.FindString(text)
		if !strings.HasPrefix(link, srv.URL+"/sign-in/") {
			t.Fatalf("mail link %q does not point at the server %s; text:\n%s", link, srv.URL, text)
		}
		cookie := signIn(t, link)
		var me struct{ Email string }
		decode(t, request(t, "GET", srv.URL+"/api/v1/me", "", "Cookie", cookie.Name+"="+cookie.Value), http.StatusOK, &me)
		if me.Email != "reader@example.org" {
			t.Errorf("signed in as %q, want reader@example.org", me.Email)
		}
		srv.stop()
	})
}
