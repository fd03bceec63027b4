package blackbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// Bounds on how long the binary may take; they only end waits that failed.
const (
	commandTimeout = 30 * time.Second // a subcommand
	startTimeout   = 30 * time.Second // serve, until it prints where it listens
	readyTimeout   = 15 * time.Second // then until /readyz answers 200
	stopTimeout    = 20 * time.Second // from SIGTERM to exit
	mailTimeout    = 20 * time.Second // from a request to its mail file
	pollPause      = 25 * time.Millisecond
)

// forEachEngine runs fn as a parallel subtest on SQLite and on PostgreSQL.
func forEachEngine(t *testing.T, fn func(t *testing.T, engine store.Dialect)) {
	t.Helper()
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			fn(t, e)
		})
	}
}

// site is one installation: a fresh empty database and a data directory.
type site struct {
	t       *testing.T
	engine  store.Dialect
	dsn     string
	dataDir string
}

func newSite(t *testing.T, engine store.Dialect) *site {
	t.Helper()
	return &site{t: t, engine: engine, dsn: storetest.DSN(t, engine), dataDir: t.TempDir()}
}

// settings are the flags that point a command at this site.
func (s *site) settings() []string {
	return []string{"--database", s.dsn, "--data-dir", s.dataDir}
}

// cli runs a subcommand against the site, whatever its outcome.
func (s *site) cli(args ...string) result {
	s.t.Helper()
	return run(s.t, commandTimeout, nil, slices.Concat(args, s.settings())...)
}

// ok runs a subcommand that must succeed and returns its stdout.
func (s *site) ok(args ...string) string {
	s.t.Helper()
	r := s.cli(args...)
	if r.Code != 0 {
		s.t.Fatalf("ogforum %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// createUser runs `user create` and returns the address.
func (s *site) createUser(email, role string, extra ...string) string {
	s.t.Helper()
	s.ok(slices.Concat([]string{"user", "create", "--email", email, "--name", "Person " + role, "--role", role}, extra)...)
	return email
}

// token runs `token create` and returns the token, the last line of stdout.
func (s *site) token(email string) string {
	s.t.Helper()
	out := s.ok("token", "create", "--email", email)
	if !strings.HasSuffix(out, "\n") {
		s.t.Fatalf("token create: stdout does not end with a newline: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	token := lines[len(lines)-1]
	if len(token) < 20 || strings.ContainsAny(token, " \t:") {
		s.t.Fatalf("token create: last line of stdout is not a token alone: %q", token)
	}
	return token
}

// openDB opens the site's database directly, for setting up what no
// command can (and for reading a backup).
func openDB(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// result is what a finished command left.
type result struct {
	Stdout, Stderr string
	Code           int
	Took           time.Duration
}

// run runs the binary with args, in a clean environment plus env, and
// fails the test if it is still running after timeout.
func run(t *testing.T, timeout time.Duration, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{Stdout: stdout.String(), Stderr: stderr.String(), Took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("ogforum %s: still running after %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), timeout, r.Stdout, r.Stderr)
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	case err != nil:
		t.Fatalf("ogforum %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// cleanEnv is the test's environment without any OGFORUM_ setting, so
// that only what a test passes configures the binary.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OGFORUM_") {
			env = append(env, kv)
		}
	}
	return env
}

// server is a running `ogforum serve` process.
type server struct {
	t      *testing.T
	URL    string
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	exited chan struct{} // closed once the process has exited
	err    error         // Wait's answer, set before exited is closed
	listen chan string   // the URL from the "listening on" line
}

var listeningLine = regexp.MustCompile(`^ogforum \S+ listening on (http://\S+)`)

// serve starts `ogforum serve` on the site (rate limits off unless extra
// sets them) and waits until it is ready.
func (s *site) serve(extra ...string) *server {
	s.t.Helper()
	srv := s.start(extra...)
	srv.waitReady()
	return srv
}

// start starts `ogforum serve` without waiting for it.
func (s *site) start(extra ...string) *server {
	t := s.t
	t.Helper()
	args := slices.Concat([]string{"serve", "--addr", "127.0.0.1:0", "--rate-limit", "0"}, s.settings(), extra)
	srv := &server{t: t, exited: make(chan struct{}), listen: make(chan string, 1)}
	srv.cmd = exec.Command(binary, args...)
	srv.cmd.Env = cleanEnv()
	srv.cmd.Stderr = &srv.stderr
	pipe, err := srv.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Start(); err != nil {
		t.Fatalf("start ogforum serve: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			srv.stdout.Write([]byte(line + "\n"))
			if m := listeningLine.FindStringSubmatch(line); m != nil {
				select {
				case srv.listen <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pipe)
		srv.err = srv.cmd.Wait()
		close(srv.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-srv.exited:
		default:
			srv.cmd.Process.Kill()
			<-srv.exited
		}
		if t.Failed() {
			t.Logf("ogforum serve %s\nstdout:\n%s\nstderr:\n%s", srv.URL, srv.stdout.String(), srv.stderr.String())
		}
	})
	return srv
}

// waitReady waits for the "listening on" line, then for GET /readyz to
// answer 200.
func (srv *server) waitReady() {
	t := srv.t
	t.Helper()
	select {
	case srv.URL = <-srv.listen:
	case <-srv.exited:
		t.Fatalf("ogforum serve exited before listening (%v)\nstdout:\n%s\nstderr:\n%s", srv.err, srv.stdout.String(), srv.stderr.String())
	case <-time.After(startTimeout):
		t.Fatalf("ogforum serve printed no \"listening on\" line within %s\nstderr:\n%s", startTimeout, srv.stderr.String())
	}
	eventually(t, readyTimeout, "GET /readyz answers 200", func() bool {
		resp, err := httpClient.Get(srv.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// stop sends SIGTERM and checks that the process stops gracefully: exit
// code 0 and "stopped" logged.
func (srv *server) stop() {
	t := srv.t
	t.Helper()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-srv.exited:
	case <-time.After(stopTimeout):
		t.Fatalf("ogforum serve still running %s after SIGTERM", stopTimeout)
	}
	if srv.err != nil {
		t.Errorf("ogforum serve after SIGTERM: %v (want exit code 0)", srv.err)
	}
	if !strings.Contains(srv.stderr.String(), "msg=stopped") {
		t.Errorf("ogforum serve did not log \"stopped\" after SIGTERM; stderr:\n%s", srv.stderr.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and readers at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting until %s", timeout, what)
		}
		time.Sleep(pollPause)
	}
}

// httpClient does not follow redirects, so that tests see them.
var httpClient = &http.Client{
	Timeout:       15 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// response is a finished HTTP exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// request sends a request; headers come in name, value pairs.
func request(t *testing.T, method, url, body string, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// api calls the JSON API in English, with a bearer token when one is given.
func (srv *server) api(t *testing.T, method, path, token, body string, headers ...string) response {
	t.Helper()
	h := []string{"Accept-Language", "en"}
	if token != "" {
		h = append(h, "Authorization", "Bearer "+token)
	}
	if body != "" {
		h = append(h, "Content-Type", "application/json")
	}
	return request(t, method, srv.URL+path, body, append(h, headers...)...)
}

// decode reads a JSON answer with the wanted status into v.
func decode(t *testing.T, r response, status int, v any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body: %s", ct, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// apiError is the one shape of every API error.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// wantAPIError checks status, shape and code of an API error.
func wantAPIError(t *testing.T, r response, status int, code string) apiError {
	t.Helper()
	var e apiError
	decode(t, r, status, &e)
	if e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("error %+v, want code %q and a message; body: %s", e.Error, code, r.Body)
	}
	return e
}

// metric reads one sample from /metrics (with the scraper's token), 0 when
// the series does not exist yet.
func (srv *server) metric(t *testing.T, token, series string) int {
	t.Helper()
	r := request(t, "GET", srv.URL+"/metrics", "", "Authorization", "Bearer "+token)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /metrics: %d", r.Status)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(r.Body)
	if m == nil {
		return 0
	}
	f, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatalf("metric %s: %v", series, err)
	}
	return int(f)
}

// mailFiles lists the .eml files the process wrote under DATA_DIR/mail.
func mailFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dataDir, "mail", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readMail parses an .eml file and returns its recipient and its text.
func readMail(t *testing.T, path string) (to, text string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	addrs, err := msg.Header.AddressList("To")
	if err != nil || len(addrs) != 1 {
		t.Fatalf("%s: To %q: %v", path, msg.Header.Get("To"), err)
	}
	body, err := textPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return addrs[0].Address, body
}

// textPart finds and decodes the text/plain part of a message body.
func textPart(contentType, encoding string, body io.Reader) (string, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return "", errors.New("no text/plain part")
			}
			// NextPart decodes quoted-printable itself.
			text, err := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			if err == nil {
				return text, nil
			}
		}
	}
	if mediaType != "text/plain" {
		return "", errors.New("not text/plain: " + mediaType)
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	return string(b), err
}

// signInLink finds the sign-in URL in a text.
var signInLink = regexp.MustCompile(`http://\S+/sign-in/[A-Za-z0-9_-]+`)

// signIn follows a sign-in link as a browser would: GET shows a form that
// posts back to the same address; POST signs in and redirects. It returns
// the session cookie.
func signIn(t *testing.T, link string) *http.Cookie {
	t.Helper()
	page := request(t, "GET", link, "")
	if page.Status != http.StatusOK {
		t.Fatalf("GET %s: %d, want 200", link, page.Status)
	}
	path := link[strings.Index(link, "/sign-in/"):]
	if !bytes.Contains(page.Body, []byte(`<form method="post" action="`+path+`"`)) {
		t.Fatalf("GET %s shows no form posting to %s:\n%s", link, path, page.Body)
	}
	r := request(t, "POST", link, "next=", "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") == "" {
		t.Fatalf("POST %s: %d (Location %q), want a 303 redirect; body: %s", link, r.Status, r.Header.Get("Location"), r.Body)
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "ogforum_session" && c.Value != "" {
			if !c.HttpOnly {
				t.Errorf("session cookie is not HttpOnly")
			}
			return c
		}
	}
	t.Fatalf("POST %s set no session cookie; Set-Cookie: %q", link, r.Header.Values("Set-Cookie"))
	return nil
}
