package web_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

type auditEntry struct {
	ActorID  string `json:"actor_id"`
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	TargetID string `json:"target_id"`
	Details  string `json:"details"`
}

// auditLog reads the audit log through the API, newest first.
func auditLog(t testing.TB, e *webtest.Env, admin *webtest.Person) []auditEntry {
	t.Helper()
	var log struct{ Entries []auditEntry }
	decode(t, send(t, e, "GET", "/api/v1/audit", bearer(admin.Token)), http.StatusOK, &log)
	return log.Entries
}

func entriesFor(log []auditEntry, action string) []auditEntry {
	var out []auditEntry
	for _, e := range log {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

var goodSettings = []string{
	"site_name", "Forum national du gouvernement ouvert",
	"publisher", "Ministère de la Transformation publique",
	"controller", "Direction interministérielle du numérique",
	"dpo_contact", "dpo@numerique.example.org",
	"host", "Hébergeur Exemple, 1 rue du Serveur, Paris",
	"contact_email", "contact@numerique.example.org",
	"retention_months", "36",
}

func TestAdminSettingsShownOnPrivacyPage(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")

		a := send(t, env, "POST", "/admin/settings", withCookie(admin.Cookie), form(goodSettings...))
		if a.StatusCode != http.StatusOK || !strings.Contains(a.text(), fr("admin.settings.saved")) {
			t.Fatalf("save settings: %s", a)
		}
		p := send(t, env, "GET", "/privacy")
		text := p.text()
		for _, want := range []string{
			fr("privacy.controller_text", "controller", "Direction interministérielle du numérique"),
			"dpo@numerique.example.org",
			fr("privacy.retention_text", "months", 36),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("privacy page does not show %q", want)
			}
		}
		if !strings.Contains(pageTitle(p.Body), "Forum national du gouvernement ouvert") {
			t.Errorf("the new site name is not in the title: %q", pageTitle(p.Body))
		}
		log := entriesFor(auditLog(t, env, admin), "settings.update")
		if len(log) != 1 || log[0].Actor != admin.User.Email || log[0].ActorID != admin.User.ID || !strings.Contains(log[0].Details, `"retention_months":36`) {
			t.Errorf("audit of the change: %+v", log)
		}
	})
}

func TestAdminSettingsInvalid(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		send(t, env, "POST", "/admin/settings", withCookie(admin.Cookie), form(goodSettings...))

		bad := append([]string{}, goodSettings...)
		set := func(k, v string) {
			for i := 0; i < len(bad); i += 2 {
				if bad[i] == k {
					bad[i+1] = v
				}
			}
		}
		set("site_name", "  ")
		set("retention_months", "0")
		set("controller", "Quelqu'un d'autre")
		a := send(t, env, "POST", "/admin/settings", withCookie(admin.Cookie), form(bad...))
		if a.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid settings: %s, want 422", a)
		}
		for field, key := range map[string]string{"site_name": "error.required", "retention_months": "error.retention_range"} {
			if msg := fieldMessages(a.Body, field); !strings.Contains(msg, fr(key)) {
				t.Errorf("field %s is described by %q, want %q", field, msg, fr(key))
			}
		}
		if v := fieldValue(a.Body, "controller"); v != "Quelqu'un d'autre" {
			t.Errorf("the form lost what was typed: controller %q", v)
		}
		if a := send(t, env, "POST", "/admin/settings", withCookie(admin.Cookie), form(append(bad[:len(bad)-2], "retention_months", "beaucoup")...)); a.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("retention not a number: %s", a)
		}

		// Nothing of the refused forms was saved.
		var st struct {
			SiteName        string `json:"site_name"`
			Controller      string `json:"controller"`
			RetentionMonths int    `json:"retention_months"`
		}
		decode(t, send(t, env, "GET", "/api/v1/settings", bearer(admin.Token)), http.StatusOK, &st)
		if st.SiteName != "Forum national du gouvernement ouvert" || st.Controller != "Direction interministérielle du numérique" || st.RetentionMonths != 36 {
			t.Errorf("settings after refused changes: %+v", st)
		}
		if n := len(entriesFor(auditLog(t, env, admin), "settings.update")); n != 1 {
			t.Errorf("%d settings changes audited, want 1", n)
		}
	})
}

func TestAdminCreatesUsersAndChangesRoles(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		ctx := context.Background()
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		as := withCookie(admin.Cookie)

		a := send(t, env, "POST", "/admin/users", as, form("name", "Grace Hopper", "email", "Grace@Example.org", "role", "agent", "language", "en"))
		if !a.redirectsTo("/admin/users") {
			t.Fatalf("create user: %s", a)
		}
		grace, err := auth.UserByEmail(ctx, db, "grace@example.org")
		if err != nil || grace.Name != "Grace Hopper" || grace.Role != auth.Agent || grace.Language != "en" {
			t.Fatalf("created user %+v, %v", grace, err)
		}
		if list := send(t, env, "GET", "/admin/users", as); !strings.Contains(list.text(), "grace@example.org") {
			t.Error("the new user is not listed")
		}

		a = send(t, env, "POST", "/admin/users", as, form("name", "", "email", "nope", "role", "agent"))
		if a.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid user: %s, want 422", a)
		}
		for field, key := range map[string]string{"name": "error.required", "email": "error.email_invalid"} {
			if msg := fieldMessages(a.Body, field); !strings.Contains(msg, fr(key)) {
				t.Errorf("field %s is described by %q, want %q", field, msg, fr(key))
			}
		}
		a = send(t, env, "POST", "/admin/users", as, form("name", "Grace again", "email", "GRACE@example.org", "role", "member"))
		if a.StatusCode != http.StatusConflict || !strings.Contains(fieldMessages(a.Body, "email"), fr("error.email_taken")) {
			t.Errorf("duplicate address: %s", a)
		}

		// A member promoted to admin can use the administration at once.
		bob := env.SignedIn(t, auth.Member, "bob@example.org")
		if a := send(t, env, "GET", "/admin", withCookie(bob.Cookie)); a.StatusCode != http.StatusForbidden {
			t.Fatalf("member on /admin: %s", a)
		}
		if a := send(t, env, "POST", "/admin/users/"+bob.User.ID, as, form("role", "admin")); !a.redirectsTo("/admin/users") {
			t.Fatalf("change role: %s", a)
		}
		if a := send(t, env, "GET", "/admin", withCookie(bob.Cookie)); a.StatusCode != http.StatusOK {
			t.Errorf("promoted member on /admin: %s", a)
		}
		// Disabling an account closes its sessions and tokens.
		if a := send(t, env, "POST", "/admin/users/"+grace.ID, as, form("role", "agent", "disabled", "on")); !a.redirectsTo("/admin/users") {
			t.Fatalf("disable: %s", a)
		}
		bobToken := bob.Token
		if a := send(t, env, "POST", "/admin/users/"+bob.User.ID, as, form("role", "member", "disabled", "on")); !a.redirectsTo("/admin/users") {
			t.Fatalf("disable: %s", a)
		}
		if got := signedInAs(t, env, bob.Cookie); got != "" {
			t.Error("a disabled user's session still works")
		}
		errorOf(t, send(t, env, "GET", "/api/v1/me", bearer(bobToken)), http.StatusUnauthorized)
		// An admin cannot lock themselves out.
		if a := send(t, env, "POST", "/admin/users/"+admin.User.ID, as, form("role", "member")); a.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("self-demotion: %s, want 422", a)
		}
		if u, _ := auth.UserByID(ctx, db, admin.User.ID); u.Role != auth.Admin {
			t.Error("the admin demoted themselves")
		}
		if a := send(t, env, "POST", "/admin/users/"+store.NewID(), as, form("role", "member")); a.StatusCode != http.StatusNotFound {
			t.Errorf("unknown user: %s, want 404", a)
		}

		log := auditLog(t, env, admin)
		created := entriesFor(log, "user.create")
		if len(created) != 1 || created[0].Actor != admin.User.Email || created[0].TargetID != grace.ID ||
			!strings.Contains(created[0].Details, "grace@example.org") || !strings.Contains(created[0].Details, "agent") {
			t.Errorf("audit of the creation: %+v", created)
		}
		var promoted bool
		for _, e := range entriesFor(log, "user.update") {
			if e.Actor != admin.User.Email {
				t.Errorf("update audited as %q", e.Actor)
			}
			promoted = promoted || (e.TargetID == bob.User.ID && strings.Contains(e.Details, `"role":"admin"`))
		}
		if n := len(entriesFor(log, "user.update")); n != 3 || !promoted {
			t.Errorf("%d role changes audited (want 3), promotion of bob found: %v", n, promoted)
		}
	})
}

func TestAdminOutbox(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		ctx := context.Background()
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		as := withCookie(admin.Cookie)
		id, err := mail.Queue(ctx, db, mail.Message{
			To:      "Ada Lovelace <ada@example.org>",
			Subject: "Invitation au forum du 12 juin",
			Text:    "Bonjour Ada,\n\nVous êtes invitée au forum <Gouvernement ouvert> du 12 juin.",
		})
		if err != nil {
			t.Fatal(err)
		}

		a := send(t, env, "GET", "/admin/outbox", as)
		row := rowWith(a.text(), "Invitation au forum du 12 juin")
		if a.StatusCode != http.StatusOK || !strings.Contains(row, "ada@example.org") || !strings.Contains(row, fr("job.status.pending")) {
			t.Fatalf("outbox does not list the queued mail as pending: %q", row)
		}
		if !strings.Contains(a.Body, `href="/admin/outbox/`+id+`"`) {
			t.Error("the outbox does not link to the mail")
		}
		m := send(t, env, "GET", "/admin/outbox/"+id, as)
		if m.StatusCode != http.StatusOK || !strings.Contains(m.text(), "Vous êtes invitée au forum <Gouvernement ouvert> du 12 juin.") {
			t.Errorf("mail page does not show the text: %s", m)
		}
		if strings.Contains(m.Body, "<Gouvernement ouvert>") {
			t.Error("the mail text is not escaped")
		}

		// Sent: the status follows; failed for good: it can be retried.
		w := newWorkers(env)
		w.run(t)
		if row := rowWith(send(t, env, "GET", "/admin/outbox", as).text(), "Invitation au forum"); !strings.Contains(row, fr("job.status.done")) {
			t.Errorf("sent mail shown as %q", row)
		}
		id2, err := mail.Queue(ctx, db, mail.Message{To: "grace@example.org", Subject: "Rappel", Text: "Rappel"})
		if err != nil {
			t.Fatal(err)
		}
		w.box.fail = jobs.Permanent(errors.New("550 mailbox unavailable"))
		w.run(t)
		row = rowWith(send(t, env, "GET", "/admin/outbox?status=failed", as).text(), "Rappel")
		if !strings.Contains(row, fr("job.status.failed")) || !strings.Contains(row, "550 mailbox unavailable") {
			t.Fatalf("failed mail shown as %q", row)
		}
		if filtered := send(t, env, "GET", "/admin/outbox?status=failed", as).text(); strings.Contains(filtered, "Invitation au forum") {
			t.Error("the failed filter shows a sent mail")
		}
		if a := send(t, env, "POST", "/admin/outbox/"+id2+"/retry", as); !a.redirectsTo("/admin/outbox") {
			t.Fatalf("retry: %s", a)
		}
		w.box.fail = nil
		w.run(t)
		if got := w.box.to("grace@example.org"); len(got) != 1 {
			t.Errorf("retried mail sent %d times, want 1", len(got))
		}
		if retried := entriesFor(auditLog(t, env, admin), "mail.retry"); len(retried) != 1 || retried[0].TargetID != id2 || retried[0].Actor != admin.User.Email {
			t.Errorf("audit of the retry: %+v", retried)
		}
	})
}

// rowWith returns the table row (<tr>…</tr>) that contains s, or "".
func rowWith(page, s string) string {
	for _, row := range strings.Split(page, "<tr") {
		if strings.Contains(row, s) {
			if end := strings.Index(row, "</tr>"); end >= 0 {
				return row[:end]
			}
			return row
		}
	}
	return ""
}
