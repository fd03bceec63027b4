package web_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/config"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

func TestErrorPagesInBothLanguages(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		member := env.SignedIn(t, auth.Member, "member@example.org")
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		for _, c := range []struct {
			status int
			path   string
			opts   []opt
		}{
			{http.StatusNotFound, "/no/such/page", nil},
			{http.StatusNotFound, "/admin/outbox/" + store.NewID(), []opt{withCookie(admin.Cookie)}},
			{http.StatusForbidden, "/admin", []opt{withCookie(member.Cookie)}},
			{http.StatusForbidden, "/admin/settings", []opt{withCookie(member.Cookie)}},
		} {
			opts := c.opts
			key := fmt.Sprintf("errorpage.%d.title", c.status)
			for lang, tr := range map[string]func(string, ...any) string{"fr": fr, "en": en} {
				// English chosen with the switcher (signed-in users' accounts say French).
				a := send(t, env, "GET", c.path, append(opts, withCookie(&http.Cookie{Name: "ogforum_lang", Value: lang}))...)
				if a.StatusCode != c.status || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/html") {
					t.Errorf("GET %s in %s: %s, want a %d page", c.path, lang, a, c.status)
					continue
				}
				if pageLang(a.Body) != lang || !strings.HasPrefix(pageTitle(a.Body), tr(key)) {
					t.Errorf("GET %s in %s: lang %q, title %q, want %q", c.path, lang, pageLang(a.Body), pageTitle(a.Body), tr(key))
				}
				if !strings.Contains(a.Body, `href="/"`) {
					t.Errorf("GET %s: the error page offers no way back home", c.path)
				}
			}
		}
		if fr("errorpage.404.title") == en("errorpage.404.title") {
			t.Fatal("error titles are the same in both languages; the test proves nothing")
		}
		// Under /api/, the same errors come as JSON.
		if e := errorOf(t, send(t, env, "GET", "/api/v1/nothing", header("Accept-Language", "en")), http.StatusNotFound); e.Code != "not_found" || e.Message != en("error.404") {
			t.Errorf("API 404: %+v", e)
		}
	})
}

// TestDatabaseFailureShowsSafePage: when the database fails under a
// request, the visitor gets an error page in their language, without the
// cause.
func TestDatabaseFailureShowsSafePage(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		db.Close()
		a := send(t, env, "POST", "/sign-in", header("Accept-Language", "en"), form("email", "ada@example.org"))
		if a.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(pageTitle(a.Body), en("errorpage.500.title")) {
			t.Fatalf("sign-in with the database down: %s", a)
		}
		for _, leak := range []string{"sql:", "closed", "database", "goroutine"} {
			if strings.Contains(strings.ToLower(a.Body), leak) {
				t.Errorf("the error page shows %q", leak)
			}
		}
	})
}

// logTrap records log lines, and panics when it is asked to log one
// message: a stand-in for any failure deep inside a request.
type logTrap struct {
	panicOn string
	mu      sync.Mutex
	lines   []slog.Record
}

func (h *logTrap) Enabled(context.Context, slog.Level) bool { return true }
func (h *logTrap) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logTrap) WithGroup(string) slog.Handler            { return h }

func (h *logTrap) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.panicOn {
		panic("trap: the log sink fell over")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, r.Clone())
	return nil
}

// attrs returns the attributes of the first line with message msg.
func (h *logTrap) attrs(msg string) map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.lines {
		if r.Message == msg {
			out := map[string]string{}
			r.Attrs(func(a slog.Attr) bool { out[a.Key] = a.Value.String(); return true })
			return out
		}
	}
	return nil
}

// TestPanicShowsErrorPage: a panic while serving a request is logged with
// the request's id, and the visitor gets the 500 page, without a stack
// trace. Nothing in the site panics on purpose, so the server is given a
// logger that panics when the readiness check reports the database down.
func TestPanicShowsErrorPage(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		cfg, err := config.Register(fs, func(string) string { return "" })()
		if err != nil {
			t.Fatal(err)
		}
		cfg.DataDir = t.TempDir()
		trap := &logTrap{panicOn: "readiness"}
		srv, err := web.New(cfg, db, slog.New(trap), nil, "test")
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		env := &webtest.Env{DB: db, Server: srv, HTTP: ts, Config: cfg}
		db.Close()

		for lang, tr := range map[string]func(string, ...any) string{"fr": fr, "en": en} {
			a := send(t, env, "GET", "/readyz", header("Accept-Language", lang))
			if a.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("panicking request: %s, want the 500 page", a)
			}
			if !strings.HasPrefix(pageTitle(a.Body), tr("errorpage.500.title")) || pageLang(a.Body) != lang {
				t.Errorf("500 page in %s: title %q", lang, pageTitle(a.Body))
			}
			for _, leak := range []string{"goroutine", ".go:", "trap", "panic", "runtime"} {
				if strings.Contains(a.Body, leak) {
					t.Errorf("the 500 page shows %q", leak)
				}
			}
		}
		logged := trap.attrs("panic")
		if logged == nil || !strings.Contains(logged["panic"], "trap") || logged["request_id"] == "" {
			t.Errorf("panic not logged with its request id: %v", logged)
		}
	})
}
