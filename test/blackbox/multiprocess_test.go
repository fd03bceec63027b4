package blackbox

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/ogforum/ogforum/internal/store"
)

// Two processes on one PostgreSQL database share the outbox and the job
// queue: every sign-in mail is sent exactly once, whichever process got the
// request and whichever worker claimed the job.
func TestTwoProcessesShareOnePostgres(t *testing.T) {
	t.Parallel()
	s := newSite(t, store.Postgres)
	// Both start together on the empty database, racing to migrate it. They
	// share the data directory so that their mail files land in one place.
	a := s.start("--metrics-token", scrapeToken, "--workers", "8")
	b := s.start("--metrics-token", scrapeToken, "--workers", "8")
	a.waitReady()
	b.waitReady()
	procs := []*server{a, b}

	admin := s.token(s.createUser("admin@example.org", "admin"))
	const n = 20
	var want []string
	for i := range n {
		email := fmt.Sprintf("user%02d@example.org", i)
		body := fmt.Sprintf(`{"email":%q,"name":"User %02d","role":"member","language":"en"}`, email, i)
		if r := procs[i%2].api(t, "POST", "/api/v1/users", admin, body); r.Status != http.StatusCreated {
			t.Fatalf("create %s: %d %s", email, r.Status, r.Body)
		}
		want = append(want, email)
	}
	for i, email := range want {
		if r := procs[i%2].api(t, "POST", "/api/v1/sign-in", "", fmt.Sprintf(`{"email":%q}`, email)); r.Status != http.StatusAccepted {
			t.Fatalf("sign-in %s: %d %s", email, r.Status, r.Body)
		}
	}

	type outbox struct {
		Mails []struct {
			Recipient, Status string
			Attempts          int
		}
	}
	var done outbox
	eventually(t, 2*mailTimeout, fmt.Sprintf("the outbox shows %d mails done", n), func() bool {
		decode(t, a.api(t, "GET", "/api/v1/outbox?status=done", admin, ""), http.StatusOK, &done)
		return len(done.Mails) >= n
	})
	var all outbox
	decode(t, b.api(t, "GET", "/api/v1/outbox", admin, ""), http.StatusOK, &all)
	if len(all.Mails) != n {
		t.Errorf("outbox holds %d mails, want %d", len(all.Mails), n)
	}
	var recipients []string
	for _, m := range all.Mails {
		if m.Status != "done" || m.Attempts != 1 {
			t.Errorf("mail to %s: status %s after %d attempt(s), want done after 1", m.Recipient, m.Status, m.Attempts)
		}
		recipients = append(recipients, m.Recipient)
	}
	slices.Sort(recipients)
	if !slices.Equal(recipients, want) {
		t.Errorf("outbox recipients %v, want %v", recipients, want)
	}

	files := mailFiles(t, s.dataDir)
	var mailed []string
	for _, f := range files {
		to, _ := readMail(t, f)
		mailed = append(mailed, to)
	}
	slices.Sort(mailed)
	if !slices.Equal(mailed, want) {
		t.Errorf("%d mail files to %v, want one to each of %v", len(files), mailed, want)
	}

	// Each job ran once across both processes.
	for kind, wantRuns := range map[string]int{"auth.sign_in_link": n, "mail.send": n} {
		series := fmt.Sprintf(`ogforum_jobs_done_total{kind=%q}`, kind)
		if got := a.metric(t, scrapeToken, series) + b.metric(t, scrapeToken, series); got != wantRuns {
			t.Errorf("%s jobs done in both processes: %d, want %d", kind, got, wantRuns)
		}
	}
	a.stop()
	b.stop()
}
