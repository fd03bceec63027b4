package blackbox

import (
	"strings"
	"testing"
	"time"
)

// A bad setting stops `serve` at once with one line naming the setting.
func TestBadConfiguration(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ env, setting string }{
		{"OGFORUM_RATE_LIMIT=abc", "OGFORUM_RATE_LIMIT"},
		{"OGFORUM_ADDR=nope", "OGFORUM_ADDR"},
		{"OGFORUM_SMTP_URL=http://x", "OGFORUM_SMTP_URL"},
		{"OGFORUM_DATABASE=mysql://x", "OGFORUM_DATABASE"},
	} {
		t.Run(c.setting, func(t *testing.T) {
			t.Parallel()
			// A valid address first, so that a setting wrongly accepted
			// starts a server on a free port rather than on 8080; the case's
			// own value comes last and wins.
			env := []string{"OGFORUM_DATA_DIR=" + t.TempDir(), "OGFORUM_ADDR=127.0.0.1:0", c.env}
			r := run(t, 15*time.Second, env, "serve")
			lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
			if r.Code == 0 || len(lines) != 1 || !strings.Contains(lines[0], c.setting) {
				t.Errorf("serve with %s: exit %d, stderr %q; want a failure with one line naming %s", c.env, r.Code, r.Stderr, c.setting)
			}
			if r.Took > 5*time.Second {
				t.Errorf("serve with %s took %s to fail", c.env, r.Took)
			}
			if strings.Contains(r.Stdout, "listening") {
				t.Errorf("serve with %s started: %q", c.env, r.Stdout)
			}
		})
	}
}
