package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/settings"
)

//go:embed templates
var templateFiles embed.FS

// viewNames declares every page. Each is parsed at start with the layout
// and the partials; a missing or broken one stops the start. Each domain
// lists its views beside its routes.
var viewNames = concat(platformViews, directoryViews, planViews, forumViews)

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

var platformViews = []string{
	"home", "error", "accessibility", "privacy",
	"signin", "signin_sent", "signin_confirm", "account", "account_token",
	"admin_home", "admin_outbox", "admin_mail", "admin_audit", "admin_settings", "admin_users",
}

type views struct {
	byName map[string]*template.Template
}

// parseViews parses every view; dates are shown in the team's zone loc.
func parseViews(a *assets, loc *time.Location) (*views, error) {
	funcs := template.FuncMap{
		"asset": a.URL,
		"date": func(t time.Time) string {
			return t.In(loc).Format("02/01/2006 15:04")
		},
		"add":  func(a, b int) int { return a + b },
		"list": func(v ...string) []string { return v },
		"sub":  func(a, b int) int { return a - b },
		"dateptr": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(loc).Format("02/01/2006 15:04")
		},
	}
	partials, err := fs.Glob(templateFiles, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	base := append([]string{"templates/layout.html"}, partials...)
	v := &views{byName: map[string]*template.Template{}}
	for _, name := range viewNames {
		files := append(append([]string{}, base...), "templates/pages/"+name+".html")
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, files...)
		if err != nil {
			return nil, fmt.Errorf("view %s: %w", name, err)
		}
		for _, block := range []string{"title", "content"} {
			if t.Lookup(block) == nil {
				return nil, fmt.Errorf("view %s: no %q block", name, block)
			}
		}
		v.byName[name] = t
	}
	return v, nil
}

// Page is what every template receives.
type Page struct {
	Lang      string
	OtherLang string
	User      *auth.User
	Path      string
	Settings  settings.Settings
	Version   string
	// Errors maps a field name to its translated message.
	Errors map[string]string
	// Form holds submitted values to show again after an error.
	Form url.Values
	// Notice is a translated confirmation shown at the top of the page.
	Notice string
	Data   any
	// SectorChoices lists the sectors, translated, when the page needs them.
	SectorChoices []Option

	cat     *i18n.Catalog
	sectors map[string]string // slug → label, when the page shows sectors
	zone    *time.Location    // the team's time zone
}

// T translates key in the page's language.
func (p *Page) T(key string, args ...any) string { return p.cat.T(p.Lang, key, args...) }

// Is tells whether the signed-in user has one of the given roles.
func (p *Page) Is(roles ...string) bool {
	if p.User == nil {
		return false
	}
	for _, r := range roles {
		if string(p.User.Role) == r {
			return true
		}
	}
	return false
}

// Field describes one form field for the "field" partial.
type Field struct {
	Name, ID, Type, Label, Hint, Value, Error, Autocomplete string
	Required                                                bool
}

// Field builds the view of a form field: its label and hint translated, the
// submitted value, and its error if any.
func (p *Page) Field(name, typ, labelKey, hintKey string, required bool) Field {
	f := Field{Name: name, ID: "f-" + name, Type: typ, Label: p.T(labelKey), Required: required, Value: p.Form.Get(name)}
	if hintKey != "" {
		f.Hint = p.T(hintKey)
	}
	if typ == "email" {
		f.Autocomplete = "email"
	}
	f.Error = p.Errors[name]
	return f
}

func (s *Server) page(r *http.Request, data any) *Page {
	st := state(r)
	other := "en"
	if st.Lang == "en" {
		other = "fr"
	}
	return &Page{
		Lang: st.Lang, OtherLang: other, User: st.User, Path: backPath(r),
		Settings: s.settings(r.Context()), Version: s.Version, Data: data, cat: s.i18n, zone: s.zone(),
	}
}

// render writes a page; a template error becomes a 500 page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, view string, p *Page) {
	t, ok := s.views.byName[view]
	if !ok {
		panic("undeclared view " + view)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("render", "view", view, "err", err, "request_id", state(r).ID)
		if view != "error" {
			s.errorPage(w, r, http.StatusInternalServerError)
		}
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// translateErrors turns field errors (translation keys) into messages.
func (s *Server) translateErrors(r *http.Request, fe map[string]string) map[string]string {
	out := make(map[string]string, len(fe))
	for k, v := range fe {
		out[k] = s.i18n.T(state(r).Lang, v)
	}
	return out
}

// errorPage renders the error page for status in the user's language; API
// paths get the JSON error instead.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		code := map[int]string{404: "not_found", 403: "forbidden", 429: "rate_limited", 500: "internal"}[status]
		s.apiError(w, r, status, code, fmt.Sprintf("error.%d", status), nil)
		return
	}
	p := s.page(r, status)
	s.render(w, r, status, "error", p)
}

// backPath is where the language switcher returns to: the page itself for
// a GET; after a form was posted, the page the form was on (its same-origin
// Referer), since the POST's own address cannot be reloaded.
func backPath(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != "" {
		return ref.RequestURI()
	}
	return "/"
}
