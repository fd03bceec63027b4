package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// process is a server started by the bench: its command and its base URL,
// learnt from the "listening on" line it prints.
type process struct {
	cmd     *exec.Cmd
	url     string
	stdin   io.Closer // closing it stops the bare handler
	done    chan struct{}
	waitErr error // set when done is closed
}

// start runs cmd and waits for its "listening on http://..." line on
// stdout; the rest of its stdout is discarded and its stderr is ours.
func start(cmd *exec.Cmd) (*process, error) {
	addr := &addrWatcher{found: make(chan string, 1)}
	cmd.Stdout = addr
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { p.waitErr = cmd.Wait(); close(p.done) }()
	select {
	case p.url = <-addr.found:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited without printing its address: %v", cmd.Path, p.waitErr)
	case <-time.After(time.Minute):
		p.stop()
		return nil, fmt.Errorf("%s printed no address within a minute", cmd.Path)
	}
}

// stop asks the process to end (SIGTERM, the graceful stop of ogforum
// serve) and waits for it; it may be called more than once.
func (p *process) stop() error {
	if p == nil {
		return nil
	}
	if p.stdin != nil {
		p.stdin.Close()
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	return p.waitErr
}

// exited tells whether the process has ended (waitErr then says how).
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// addrWatcher receives a server's stdout and reports the URL of its first
// "listening on URL" line.
type addrWatcher struct {
	buf   []byte
	found chan string
	seen  bool
}

func (w *addrWatcher) Write(b []byte) (int, error) {
	if w.seen {
		return len(b), nil
	}
	w.buf = append(w.buf, b...)
	for {
		line, rest, ok := bytes.Cut(w.buf, []byte("\n"))
		if !ok {
			return len(b), nil
		}
		w.buf = rest
		if _, after, ok := strings.Cut(string(line), "listening on "); ok {
			if f := strings.Fields(after); len(f) > 0 {
				w.seen = true
				w.found <- f[0]
				return len(b), nil
			}
		}
	}
}

// serverEnv is our environment without any OGFORUM_* setting, plus the
// settings of the benchmark: no rate limit, warnings and errors only.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OGFORUM_") {
			env = append(env, kv)
		}
	}
	return append(env, "OGFORUM_RATE_LIMIT=0", "OGFORUM_LOG_LEVEL=warn")
}

func serveCommand(ctx context.Context, bin, dataDir, cpuProfile string) *exec.Cmd {
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}
	var cmd *exec.Cmd
	if cpuProfile != "" {
		self, _ := os.Executable()
		abs, _ := filepath.Abs(cpuProfile)
		cmd = exec.CommandContext(ctx, self, append([]string{"-serve-profiled", abs}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	cmd.Env = serverEnv()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	return cmd
}

// startApp starts `ogforum serve` on dataDir.
func startApp(ctx context.Context, bin, dataDir, cpuProfile string) (*process, error) {
	p, err := start(serveCommand(ctx, bin, dataDir, cpuProfile))
	if err != nil {
		return nil, fmt.Errorf("start ogforum serve: %w", err)
	}
	return p, nil
}

// startBare starts this program again with -bare, a separate process like
// the real server. It stops when its stdin closes, so that it cannot
// outlive the bench.
func startBare(ctx context.Context) (*process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-bare", "127.0.0.1:0")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	p, err := start(cmd)
	if err != nil {
		return nil, fmt.Errorf("start bare handler: %w", err)
	}
	p.stdin = stdin
	return p, nil
}

// seed creates the admin, users-1 members and an API token for the admin
// with the command line, before the server starts; env is added to the
// command's environment (OGFORUM_DATABASE for PostgreSQL).
func seed(ctx context.Context, bin, dataDir string, users int, env ...string) (string, error) {
	cli := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, bin, append(args, "--data-dir", dataDir)...)
		cmd.Env = append(serverEnv(), env...)
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("ogforum %s: %w", strings.Join(args, " "), errDetail(err))
		}
		return string(out), nil
	}
	if _, err := cli("user", "create", "--email", "admin@bench.test", "--name", "Admin Bench", "--role", "admin"); err != nil {
		return "", err
	}
	for i := 2; i <= users; i++ {
		if _, err := cli("user", "create", "--email", fmt.Sprintf("member%03d@bench.test", i),
			"--name", fmt.Sprintf("Membre %03d", i), "--role", "member"); err != nil {
			return "", err
		}
	}
	out, err := cli("token", "create", "--email", "admin@bench.test")
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}

func moduleRoot() (string, error) {
	gomod, err := output("", "go", "env", "GOMOD")
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run the bench inside the ogforum module (go env GOMOD: %q, %v)", gomod, err)
	}
	return filepath.Dir(gomod), nil
}

func buildBinary(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "ogforum")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ogforum")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/ogforum: %v\n%s", err, out)
	}
	return bin, nil
}

// output runs a command in dir and returns its trimmed stdout.
func output(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", errDetail(err)
	}
	return strings.TrimSpace(string(out)), nil
}

func errDetail(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}

// seedOrganisations creates n organisations through the API, as an
// organiser's script would.
func seedOrganisations(ctx context.Context, base, token string, n int) error {
	kinds := []string{"association", "collective", "foundation", "central_administration", "local_authority"}
	sectors := []string{"open-data", "housing", "health", "environment", "participation"}
	for i := 1; i <= n; i++ {
		body := fmt.Sprintf(`{"name": "Organisation %03d de la communauté", "kind": %q, "sectors": [%q], "city": "Paris", "website": "https://org%03d.example.org", "description": "Une organisation du jeu d'essai des mesures."}`,
			i, kinds[i%len(kinds)], sectors[i%len(sectors)], i)
		req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/organisations", strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("create organisation %d: %s", i, res.Status)
		}
	}
	return nil
}
