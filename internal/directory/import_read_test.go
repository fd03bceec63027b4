package directory

import "testing"

func TestUnguardUndoesGuard(t *testing.T) {
	for _, s := range []string{"=1+1", "+33 1", "-x", "@a", "'quoted'", "plain", "", "'", "'=already", "''@twice"} {
		if got := unguard(guardCell(s)); got != s {
			t.Errorf("unguard(guardCell(%q)) = %q", s, got)
		}
	}
}
