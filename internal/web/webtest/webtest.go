// Package webtest starts the whole site on a test database for handler,
// route and browser tests, and makes signed-in users of every role.
package webtest

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/config"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/web"
)

// Env is a running site.
type Env struct {
	DB     *store.DB
	Server *web.Server
	HTTP   *httptest.Server
	Config *config.Config
}

// Option changes the configuration before the server starts.
type Option func(*config.Config)

// New starts the site on db with the default configuration (rate limits
// off unless an option sets them).
func New(t testing.TB, db *store.DB, opts ...Option) *Env {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	build := config.Register(fs, func(string) string { return "" })
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.RateLimit = 0
	for _, o := range opts {
		o(cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(cfg, db, log, web.NewMetrics(db), "test")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg.BaseURL = ts.URL
	srv.SetForums(forum.New(db, forum.Config{BaseURL: ts.URL}))
	return &Env{DB: db, Server: srv, HTTP: ts, Config: cfg}
}

// Person is a signed-in user with a browser session and an API token.
type Person struct {
	User   *auth.User
	Cookie *http.Cookie
	Token  string
}

// SignedIn creates a user of the given role with a session and a token.
func (e *Env) SignedIn(t testing.TB, role auth.Role, email string) *Person {
	t.Helper()
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, e.DB, auth.NewUser{Email: email, Name: string(role) + " test", Role: string(role)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := auth.CreateSession(ctx, e.DB, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	token, err := auth.CreateAPIToken(ctx, e.DB, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &Person{User: u, Cookie: &http.Cookie{Name: "ogforum_session", Value: s.Cookie}, Token: token}
}

// Client is an HTTP client that does not follow redirects, so tests see them.
func Client() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
