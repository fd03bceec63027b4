package blackbox

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/store"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	r := run(t, commandTimeout, nil, "version")
	if r.Code != 0 || !regexp.MustCompile(`^ogforum \S+ \(go1\.\d+`).MatchString(r.Stdout) {
		t.Fatalf("ogforum version: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
}

var migrated = regexp.MustCompile(`applied (\d+) migration\(s\); schema at version (\d+)`)

func TestMigrateAndCreateUsers(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)

		first := migrated.FindStringSubmatch(s.ok("migrate"))
		if first == nil || first[1] == "0" || first[1] != first[2] {
			t.Fatalf("first migrate on an empty database: %q, want every migration applied", first)
		}
		second := migrated.FindStringSubmatch(s.ok("migrate"))
		if second == nil || second[1] != "0" || second[2] != first[2] {
			t.Fatalf("second migrate: %q, want 0 applied and schema still at version %s", second, first[2])
		}

		for _, role := range []string{"admin", "organiser", "agent", "member"} {
			out := s.ok("user", "create", "--email", role+"@example.org", "--name", "Person "+role, "--role", role)
			if !strings.HasPrefix(out, "created "+role+" ") {
				t.Errorf("user create --role %s: %q", role, out)
			}
		}
		out := s.ok("user", "create", "--email", "us@example.org", "--name", "US spelling", "--role", "organizer")
		if !strings.HasPrefix(out, "created organiser ") {
			t.Errorf("user create --role organizer: %q, want an organiser", out)
		}

		for _, c := range []struct {
			name, flag string
			args       []string
		}{
			{"bad role", "--role", []string{"--email", "boss@example.org", "--name", "Boss", "--role", "boss"}},
			{"bad e-mail", "--email", []string{"--email", "not-an-address", "--name", "Nobody", "--role", "member"}},
			{"no name", "--name", []string{"--email", "anon@example.org", "--role", "member"}},
			{"unknown organisation", "--organisation", []string{"--email", "org@example.org", "--name", "Org", "--role", "agent", "--organisation", "nope"}},
		} {
			r := s.cli(append([]string{"user", "create"}, c.args...)...)
			if r.Code == 0 || !strings.Contains(r.Stderr, c.flag) || strings.Count(strings.TrimSpace(r.Stderr), "\n") != 0 {
				t.Errorf("user create, %s: exit %d, stderr %q; want a failure with one line naming %s", c.name, r.Code, r.Stderr, c.flag)
			}
		}
		r := s.cli("user", "create", "--email", "MEMBER@example.org", "--name", "Twice", "--role", "member")
		if r.Code == 0 || !strings.Contains(r.Stderr, "e-mail") {
			t.Errorf("user create with a taken address: exit %d, stderr %q; want a failure about the e-mail", r.Code, r.Stderr)
		}

		// What the commands did, as the API shows it.
		srv := s.serve()
		var list struct {
			Users []struct{ Email, Role string }
		}
		decode(t, srv.api(t, "GET", "/api/v1/users", s.token("admin@example.org"), ""), http.StatusOK, &list)
		got := map[string]string{}
		for _, u := range list.Users {
			got[u.Email] = u.Role
		}
		want := map[string]string{
			"admin@example.org": "admin", "organiser@example.org": "organiser", "agent@example.org": "agent",
			"member@example.org": "member", "us@example.org": "organiser",
		}
		if len(got) != len(want) {
			t.Errorf("users %v, want %v", got, want)
		}
		for email, role := range want {
			if got[email] != role {
				t.Errorf("user %s has role %q, want %q", email, got[email], role)
			}
		}
		srv.stop()
	})
}

func TestTokenAndLoginLink(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		s.createUser("reader@example.org", "member", "--name", "Ada Reader")
		token := s.token("Reader@Example.org")
		srv := s.serve()

		var me map[string]any
		decode(t, srv.api(t, "GET", "/api/v1/me", token, ""), http.StatusOK, &me)
		if me["id"] == "" || me["email"] != "reader@example.org" || me["name"] != "Ada Reader" || me["role"] != "member" {
			t.Errorf("GET /api/v1/me: %v", me)
		}
		if org, ok := me["organisation"]; !ok || org != nil {
			t.Errorf("GET /api/v1/me: organisation %v, want null for a user without one", org)
		}

		out := s.ok("login-link", "--email", "reader@example.org", "--base-url", srv.URL)
		link := signInLink.FindString(out)
		if link == "" || !strings.HasPrefix(link, srv.URL+"/sign-in/") {
			t.Fatalf("login-link printed %q, want a URL %s/sign-in/{token}", out, srv.URL)
		}
		cookie := signIn(t, link)
		account := request(t, "GET", srv.URL+"/account", "", "Cookie", cookie.Name+"="+cookie.Value)
		if account.Status != http.StatusOK || !strings.Contains(string(account.Body), "reader@example.org") {
			t.Errorf("GET /account with the new session: %d, want 200 showing the user", account.Status)
		}
		again := request(t, "POST", link, "next=", "Content-Type", "application/x-www-form-urlencoded")
		if again.Status != http.StatusGone {
			t.Errorf("second POST of a used sign-in link: %d, want 410", again.Status)
		}
		if len(again.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("a used link set a cookie: %q", again.Header.Values("Set-Cookie"))
		}

		r := s.cli("login-link", "--email", "nobody@example.org")
		if r.Code == 0 || !strings.Contains(r.Stderr, "--email") {
			t.Errorf("login-link for an unknown address: exit %d, stderr %q", r.Code, r.Stderr)
		}
		srv.stop()
	})
}

func TestBackup(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		output := filepath.Join(t.TempDir(), "copy.db")
		if engine == store.Postgres {
			s.ok("migrate")
			r := s.cli("backup", "--output", output)
			if r.Code == 0 || !strings.Contains(r.Stderr, "pg_dump") {
				t.Errorf("backup on PostgreSQL: exit %d, stderr %q; want a failure pointing to pg_dump", r.Code, r.Stderr)
			}
			if _, err := os.Stat(output); err == nil {
				t.Errorf("backup on PostgreSQL wrote %s", output)
			}
			return
		}

		s.createUser("kept@example.org", "member")
		srv := s.serve()
		out := s.ok("backup", "--output", output)
		if !strings.Contains(out, output) {
			t.Errorf("backup: stdout %q does not name the copy", out)
		}
		if r := request(t, "GET", srv.URL+"/readyz", ""); r.Status != http.StatusOK {
			t.Errorf("server not ready after the backup: %d", r.Status)
		}
		srv.stop()

		copyDB := openDB(t, output)
		var email string
		if err := copyDB.QueryRowContext(context.Background(), `SELECT email FROM users`).Scan(&email); err != nil || email != "kept@example.org" {
			t.Errorf("users in the copy: %q, %v; want kept@example.org", email, err)
		}
		r := s.cli("backup", "--output", output)
		if r.Code == 0 || !strings.Contains(r.Stderr, "--output") {
			t.Errorf("backup over an existing file: exit %d, stderr %q; want a refusal naming --output", r.Code, r.Stderr)
		}
	})
}

var demoAdded = regexp.MustCompile(`demo data: (\d+) record\(s\) added`)

func TestDemo(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		first := demoAdded.FindStringSubmatch(s.ok("demo"))
		if first == nil || first[1] == "0" {
			t.Fatalf("first demo: %q, want records added", first)
		}
		if second := demoAdded.FindStringSubmatch(s.ok("demo")); second == nil || second[1] != "0" {
			t.Fatalf("second demo: %q, want 0 records added", second)
		}

		// A user of a demo organisation sees it in /api/v1/me.
		var orgID, orgName string
		db := openDB(t, s.dsn)
		if err := db.QueryRowContext(context.Background(), `SELECT id, name FROM organisations ORDER BY id LIMIT 1`).Scan(&orgID, &orgName); err != nil {
			t.Fatalf("demo organisations: %v", err)
		}
		db.Close()
		s.createUser("agent@example.org", "agent", "--organisation", orgID)
		token := s.token("agent@example.org")
		srv := s.serve()
		var me struct {
			Role         string
			Organisation struct{ ID, Name string }
		}
		decode(t, srv.api(t, "GET", "/api/v1/me", token, ""), http.StatusOK, &me)
		if me.Role != "agent" || me.Organisation.ID != orgID || me.Organisation.Name != orgName {
			t.Errorf("GET /api/v1/me: %+v, want an agent of %s %q", me, orgID, orgName)
		}
		srv.stop()
	})
}

var demoLink = regexp.MustCompile(`Demo admin sign-in link[^:]*: (\S+)`)

func TestServeDemo(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		srv := s.serve("--demo")
		var link string
		eventually(t, readyTimeout, "serve --demo prints a sign-in link", func() bool {
			m := demoLink.FindStringSubmatch(srv.stdout.String())
			if m != nil {
				link = m[1]
			}
			return m != nil
		})
		if !strings.HasPrefix(link, srv.URL+"/sign-in/") {
			t.Fatalf("demo link %q does not point at the server %s", link, srv.URL)
		}
		cookie := signIn(t, link)
		account := request(t, "GET", srv.URL+"/account", "", "Cookie", cookie.Name+"="+cookie.Value)
		if account.Status != http.StatusOK || !strings.Contains(string(account.Body), "admin@demo.ogforum.org") {
			t.Errorf("GET /account as the demo admin: %d", account.Status)
		}
		srv.stop()

		// The data is there, and a second load adds nothing.
		if m := demoAdded.FindStringSubmatch(s.ok("demo")); m == nil || m[1] != "0" {
			t.Errorf("demo after serve --demo: %q, want 0 records added", m)
		}
	})
}

func TestSchemaNewerThanBinary(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		s.ok("migrate")
		db := openDB(t, s.dsn)
		if _, err := db.ExecContext(context.Background(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			9999, "9999_future.sql", store.Now()); err != nil {
			t.Fatal(err)
		}
		db.Close()

		r := run(t, commandTimeout, nil, append([]string{"serve", "--addr", "127.0.0.1:0"}, s.settings()...)...)
		if r.Code == 0 || !strings.Contains(r.Stderr, "schema") || strings.Contains(r.Stdout, "listening") {
			t.Errorf("serve on a newer schema: exit %d\nstdout: %s\nstderr: %s\nwant a refusal that mentions the schema", r.Code, r.Stdout, r.Stderr)
		}
		if !strings.Contains(r.Stderr, "9999") {
			t.Errorf("the refusal does not say which version the database is at: %q", r.Stderr)
		}
		if r := s.cli("migrate"); r.Code == 0 || !strings.Contains(r.Stderr, "schema") {
			t.Errorf("migrate on a newer schema: exit %d, stderr %q", r.Code, r.Stderr)
		}
	})
}
