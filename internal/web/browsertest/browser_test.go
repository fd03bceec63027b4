package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// actionTimeout bounds one browser step, so that a missing element fails the
// test instead of waiting for the test binary's deadline.
const actionTimeout = 15 * time.Second

// missing reports an absent prerequisite: the test fails under CI=true, where
// nothing may be skipped silently, and is skipped with the reason elsewhere.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; browser tests cannot be skipped under CI=true", msg)
	}
	t.Skipf("browser tests skipped: %s", msg)
}

// chromiumPath finds the browser: OGFORUM_CHROMIUM if set, else chromium on
// the PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	name := os.Getenv("OGFORUM_CHROMIUM")
	if name == "" {
		name = "chromium"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, "Chromium not found (%v); install Debian's chromium or set OGFORUM_CHROMIUM", err)
	}
	return path
}

// axeSource reads axe-core from node_modules at the repository root.
func axeSource(t *testing.T) string {
	t.Helper()
	path := filepath.Join(repoRoot(t), "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(path)
	if err != nil {
		missing(t, "axe-core not installed (%v); run `npm ci` at the repository root", err)
	}
	return string(b)
}

// repoRoot walks up from the working directory to the one holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// startBrowser starts one headless Chromium for the test, with a fresh
// temporary profile that the allocator creates and removes.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return ctx
}

// visitor is one person in one browser tab, with cookies of their own.
type visitor struct {
	t    *testing.T
	ctx  context.Context
	base string
	axe  string
}

// newVisitor opens a tab in a fresh browser context (no cookies shared with
// other visitors, even on the same host) whose browser asks for lang first.
func newVisitor(t *testing.T, browser context.Context, base, axe, acceptLanguage string) *visitor {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	v := &visitor{t: t, ctx: ctx, base: base, axe: axe}
	v.do("set Accept-Language", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
			network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": acceptLanguage}})
		return err
	}))
	return v
}

// do runs browser steps within actionTimeout.
func (v *visitor) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		v.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a path of the site as if typed in the address bar and returns
// the HTTP status of the page.
func (v *visitor) open(path string) int64 {
	v.t.Helper()
	return v.openURL(v.base + path)
}

// openURL loads an address, such as a link received by mail.
func (v *visitor) openURL(url string) int64 {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		v.t.Fatalf("open %s: %v", url, err)
	}
	return resp.Status
}

// click clicks the element that sel finds, waits for the page it leads to and
// returns that page's HTTP status (after redirects).
func (v *visitor) click(sel string) int64 {
	v.t.Helper()
	if !v.exists(sel) {
		v.t.Fatalf("on %s: nothing to click at %q", v.path(), sel)
	}
	ctx, cancel := context.WithTimeout(v.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		v.t.Fatalf("click %q on %s: %v", sel, v.path(), err)
	}
	return resp.Status
}

// typeInto replaces the content of a field with text typed on the keyboard.
func (v *visitor) typeInto(sel, text string) {
	v.t.Helper()
	if !v.exists(sel) {
		v.t.Fatalf("on %s: no field %q", v.path(), sel)
	}
	// chromedp's SetValue cannot set "" (the empty argument reaches the page
	// as undefined), so the field is emptied in the page.
	eval[chromedp.Void](v, `document.querySelector(`+js(sel)+`).value = ""`)
	if text != "" {
		v.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](v *visitor, expr string, opts ...chromedp.EvaluateOption) T {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		v.t.Fatalf("evaluate %.60q: %v", expr, err)
	}
	return res
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// path is the path and query of the page shown.
func (v *visitor) path() string {
	return strings.TrimPrefix(eval[string](v, `location.href`), v.base)
}

// lang is the language the page declares on <html>.
func (v *visitor) lang() string { return eval[string](v, `document.documentElement.lang`) }

func (v *visitor) exists(sel string) bool {
	return eval[bool](v, `document.querySelector(`+js(sel)+`) !== null`)
}

// text is the trimmed text of the first element sel finds, "" if none.
func (v *visitor) text(sel string) string {
	return eval[string](v, `(document.querySelector(`+js(sel)+`)?.textContent ?? "").trim().replace(/\s+/g, " ")`)
}

// attr is an attribute of the first element sel finds, "" if none.
func (v *visitor) attr(sel, name string) string {
	return eval[string](v, `document.querySelector(`+js(sel)+`)?.getAttribute(`+js(name)+`) ?? ""`)
}

// besideField tells whether the element sel finds sits in the same form
// field group as the field with the given id, where a sighted person sees it.
func (v *visitor) besideField(sel, fieldID string) bool {
	return eval[bool](v, `(() => {
  const el = document.querySelector(`+js(sel)+`), field = document.getElementById(`+js(fieldID)+`);
  return !!el && !!field && el.closest('.field') !== null && el.closest('.field') === field.closest('.field');
})()`)
}

// value is the current value of a form field.
func (v *visitor) value(sel string) string {
	return eval[string](v, `document.querySelector(`+js(sel)+`)?.value ?? ""`)
}

// violation is what the test reports of an axe-core violation.
type violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axeRun checks the page against WCAG 2.1 A and AA and axe's best practices,
// and keeps what a report needs of each violation.
const axeRun = `axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
  resultTypes: ['violations']
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || '', help: v.help,
  targets: v.nodes.map(n => n.target.map(String).join(' > '))
})))`

// checkA11y runs axe-core on the page shown and fails the test with every
// violation it finds. axe is injected through the DevTools protocol, which the
// site's Content-Security-Policy does not restrict.
func (v *visitor) checkA11y() {
	v.t.Helper()
	where := v.path() + " (" + v.lang() + ")"
	if !eval[bool](v, v.axe+"\n;typeof axe === 'object'") {
		v.t.Fatalf("%s: axe-core did not load", where)
	}
	// Links within the page (an error summary's) must lead somewhere:
	// axe-core does not check their targets.
	for _, href := range eval[[]string](v, `Array.from(document.querySelectorAll('a[href^="#"]'), a => a.getAttribute('href'))
  .filter(h => h.length > 1 && !document.getElementById(decodeURIComponent(h.slice(1))))`) {
		v.t.Errorf("%s: link to %s, which is not on the page", where, href)
	}
	found := eval[[]violation](v, axeRun, chromedp.EvalAwaitPromise)
	if len(found) == 0 {
		return
	}
	var b strings.Builder
	for _, f := range found {
		fmt.Fprintf(&b, "\n  %s [%s] %s", f.ID, f.Impact, f.Help)
		for _, target := range f.Targets {
			fmt.Fprintf(&b, "\n      at %s", target)
		}
	}
	v.t.Errorf("%s: %d accessibility violation(s):%s", where, len(found), b.String())
}

// check ticks a checkbox with a click (which loads no page) unless it is
// ticked already.
func (v *visitor) check(sel string) {
	v.t.Helper()
	if !v.exists(sel) {
		v.t.Fatalf("on %s: no checkbox %q", v.path(), sel)
	}
	if !eval[bool](v, `document.querySelector(`+js(sel)+`).checked`) {
		v.do("tick "+sel, chromedp.Click(chromedp.CSS(sel)))
	}
	if !eval[bool](v, `document.querySelector(`+js(sel)+`).checked`) {
		v.t.Fatalf("on %s: %q is not ticked after a click", v.path(), sel)
	}
}

// choose picks the option of a select that has the given value.
func (v *visitor) choose(sel, value string) {
	v.t.Helper()
	if !v.exists(sel + ` option[value=` + js(value) + `]`) {
		v.t.Fatalf("on %s: %q has no option %q", v.path(), sel, value)
	}
	v.do("choose "+value+" in "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// upload puts files in a file input, as picking them in the dialog does.
func (v *visitor) upload(sel string, files ...string) {
	v.t.Helper()
	if !v.exists(sel) {
		v.t.Fatalf("on %s: no file input %q", v.path(), sel)
	}
	v.do("upload into "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), files))
}

// texts is the trimmed text of every element sel finds.
func (v *visitor) texts(sel string) []string {
	return eval[[]string](v, `Array.from(document.querySelectorAll(`+js(sel)+`), e => e.textContent.trim().replace(/\s+/g, " "))`)
}

// fetched is an answer that the page fetched with the visitor's cookies,
// as a download link would.
type fetched struct {
	Status      int
	Type        string
	Disposition string
	Body        []byte
}

// fetch gets a path from the page, with the session of the visitor.
func (v *visitor) fetch(path string) fetched {
	v.t.Helper()
	type answer struct {
		Status            int
		Type, Disposition string
		Bytes             []int
	}
	raw := eval[answer](v, `fetch(`+js(path)+`, {credentials: 'same-origin'}).then(async r => ({
  status: r.status, type: r.headers.get('Content-Type') || '', disposition: r.headers.get('Content-Disposition') || '',
  bytes: Array.from(new Uint8Array(await r.arrayBuffer()))
}))`, chromedp.EvalAwaitPromise)
	body := make([]byte, len(raw.Bytes))
	for i, b := range raw.Bytes {
		body[i] = byte(b)
	}
	return fetched{Status: raw.Status, Type: raw.Type, Disposition: raw.Disposition, Body: body}
}

// switchLanguage clicks the language switcher and checks that the page
// came back in lang.
func (v *visitor) switchLanguage(lang string) {
	v.t.Helper()
	if st := v.click(".lang-switch button"); st != 200 {
		v.t.Fatalf("switch to %s: status %d", lang, st)
	}
	if got := v.lang(); got != lang {
		v.t.Fatalf("after switching to %s: <html lang=%q>", lang, got)
	}
}
