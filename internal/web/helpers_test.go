package web_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// catalog gives the texts the pages should show, so that tests follow the
// translation files rather than copies of their wording.
var catalog = i18n.MustLoad()

func fr(key string, args ...any) string { return catalog.T("fr", key, args...) }
func en(key string, args ...any) string { return catalog.T("en", key, args...) }

// answer is a response with its body read.
type answer struct {
	*http.Response
	Body string
}

// opt shapes a request.
type opt func(*http.Request)

func header(k, v string) opt { return func(r *http.Request) { r.Header.Set(k, v) } }

func bearer(token string) opt { return header("Authorization", "Bearer "+token) }

func withCookie(c *http.Cookie) opt { return func(r *http.Request) { r.AddCookie(c) } }

func body(contentType, s string) opt {
	return func(r *http.Request) {
		r.Header.Set("Content-Type", contentType)
		r.Body = io.NopCloser(strings.NewReader(s))
		r.ContentLength = int64(len(s))
	}
}

// form sends name/value pairs as a submitted HTML form.
func form(pairs ...string) opt {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return body("application/x-www-form-urlencoded", v.Encode())
}

func jsonBody(s string) opt { return body("application/json", s) }

// send makes one request to the site, without following redirects.
func send(t testing.TB, e *webtest.Env, method, path string, opts ...opt) *answer {
	t.Helper()
	req, err := http.NewRequest(method, e.HTTP.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(req)
	}
	res, err := webtest.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &answer{Response: res, Body: string(b)}
}

// cookie returns the cookie the answer sets, or nil.
func (a *answer) cookie(name string) *http.Cookie {
	for _, c := range a.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// text is the body with HTML entities decoded, to look for messages.
func (a *answer) text() string { return html.UnescapeString(a.Body) }

// redirectsTo tells whether the answer is a 303 to path (query ignored).
func (a *answer) redirectsTo(path string) bool {
	if a.StatusCode != http.StatusSeeOther {
		return false
	}
	u, err := url.Parse(a.Header.Get("Location"))
	return err == nil && u.Path == path
}

func (a *answer) String() string {
	b := a.Body
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	return a.Status + " " + a.Header.Get("Location") + " " + b
}

// apiError is the one shape of the API's errors.
type apiError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}

// errorOf checks that a is a JSON error with the given status, a code and
// a message, and returns it.
func errorOf(t testing.TB, a *answer, status int) apiError {
	t.Helper()
	if a.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", a.StatusCode, status, a)
	}
	if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error answer has Content-Type %q, want JSON: %s", ct, a)
	}
	var e struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal([]byte(a.Body), &e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not the {\"error\":{\"code\",\"message\"}} shape (%v): %s", err, a.Body)
	}
	return *e.Error
}

// decode reads a JSON answer with the given status into v.
func decode(t testing.TB, a *answer, status int, v any) {
	t.Helper()
	if a.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", a.StatusCode, status, a)
	}
	if err := json.Unmarshal([]byte(a.Body), v); err != nil {
		t.Fatalf("decode %s: %v", a.Body, err)
	}
}

var (
	htmlLangRe = regexp.MustCompile(`<html[^>]*\blang="([^"]*)"`)
	titleRe    = regexp.MustCompile(`(?s)<title>(.*?)</title>`)
	controlRe  = regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*>`)
	describeRe = regexp.MustCompile(`\baria-describedby="([^"]*)"`)
	formTagRe  = regexp.MustCompile(`(?i)<form\b[^>]*>`)
)

// pageLang is the lang attribute of the page's <html> element.
func pageLang(body string) string {
	if m := htmlLangRe.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// pageTitle is the text of the page's <title>.
func pageTitle(body string) string {
	if m := titleRe.FindStringSubmatch(body); m != nil {
		return strings.TrimSpace(html.UnescapeString(m[1]))
	}
	return ""
}

// fieldMessages is what a screen reader announces with the form control
// named name: the text of the elements its aria-describedby points to.
func fieldMessages(body, name string) string {
	var out []string
	for _, tag := range controlRe.FindAllString(body, -1) {
		if !strings.Contains(tag, ` name="`+name+`"`) {
			continue
		}
		m := describeRe.FindStringSubmatch(tag)
		if m == nil {
			continue
		}
		for _, id := range strings.Fields(m[1]) {
			re := regexp.MustCompile(`(?s)\bid="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)<`)
			if t := re.FindStringSubmatch(body); t != nil {
				out = append(out, strings.TrimSpace(html.UnescapeString(t[1])))
			}
		}
	}
	return strings.Join(out, " | ")
}

// fieldValue is the value shown in the input named name.
func fieldValue(body, name string) string {
	for _, tag := range controlRe.FindAllString(body, -1) {
		if strings.Contains(tag, ` name="`+name+`"`) {
			if m := regexp.MustCompile(`\bvalue="([^"]*)"`).FindStringSubmatch(tag); m != nil {
				return html.UnescapeString(m[1])
			}
		}
	}
	return ""
}

// hasPostForm tells whether the page has a form that posts to action.
func hasPostForm(body, action string) bool {
	for _, tag := range formTagRe.FindAllString(body, -1) {
		l := strings.ToLower(tag)
		if strings.Contains(l, `method="post"`) && strings.Contains(tag, `action="`+action+`"`) {
			return true
		}
	}
	return false
}

// signedInAs returns the e-mail of whoever the session cookie belongs to,
// or "" when it opens no session.
func signedInAs(t testing.TB, e *webtest.Env, c *http.Cookie) string {
	t.Helper()
	a := send(t, e, "GET", "/api/v1/me", withCookie(c))
	if a.StatusCode == http.StatusUnauthorized {
		return ""
	}
	var me struct{ Email string }
	decode(t, a, http.StatusOK, &me)
	return me.Email
}

// newSession opens one more browser session for p.
func newSession(t testing.TB, e *webtest.Env, p *webtest.Person) *http.Cookie {
	t.Helper()
	s, err := auth.CreateSession(context.Background(), e.DB, p.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: "ogforum_session", Value: s.Cookie}
}

// mailbox is a Sender that keeps what it is asked to send.
type mailbox struct {
	mu   sync.Mutex
	sent []*mail.Stored
	// fail, when set, is returned instead of sending.
	fail error
}

func (b *mailbox) Send(_ context.Context, m *mail.Stored) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.sent = append(b.sent, m)
	return nil
}

func (b *mailbox) to(addr string) []*mail.Stored {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*mail.Stored
	for _, m := range b.sent {
		if m.Recipient == addr {
			out = append(out, m)
		}
	}
	return out
}

func (b *mailbox) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.sent)
}

// workers is the job queue as `ogforum serve` sets it up, with mail going
// to a mailbox.
type workers struct {
	q   *jobs.Queue
	box *mailbox
}

func newWorkers(e *webtest.Env) *workers {
	box := &mailbox{}
	q := jobs.New(e.DB, slog.New(slog.DiscardHandler), jobs.Hooks{})
	q.Register(mail.JobKind, mail.Handler(e.DB, box))
	q.Register(auth.LinkJobKind, auth.LinkJob(e.DB, catalog, e.Config.BaseURL))
	return &workers{q: q, box: box}
}

// run works through every job that is due until none is left.
func (w *workers) run(t testing.TB) {
	t.Helper()
	for range 100 {
		worked, err := w.q.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("job queue: %v", err)
		}
		if !worked {
			return
		}
	}
	t.Fatal("job queue still busy after 100 jobs")
}

var signInLinkRe = regexp.MustCompile(`https?://\S+/sign-in/[A-Za-z0-9_-]+`)

// signInLink is the path of the single sign-in link mailed to addr, which
// must point to the site's base URL.
func signInLink(t testing.TB, e *webtest.Env, w *workers, addr string) string {
	t.Helper()
	mails := w.box.to(addr)
	if len(mails) != 1 {
		t.Fatalf("%d mails to %s, want 1", len(mails), addr)
	}
	link := signInLinkRe.FindString(mails[0].Text)
	if link == "" {
		t.Fatalf("no sign-in link in the mail:\n%s", mails[0].Text)
	}
	path, ok := strings.CutPrefix(link, e.Config.BaseURL)
	if !ok {
		t.Fatalf("link %s does not point to the site at %s", link, e.Config.BaseURL)
	}
	return path
}
