package directory_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

var errHookFailed = errors.New("the forums domain could not erase")

// registerTestHooks plays a later domain (forums) once for the whole test
// binary: its Erase hook notes in settings, through the caller's
// transaction, whether the person was still there when it ran, and fails
// for addresses starting with "hook-fails"; its Export hook adds a section.
var registerTestHooks = sync.OnceFunc(func() {
	directory.RegisterPersonHooks(directory.PersonHooks{
		Export: func(ctx context.Context, q store.Querier, p *directory.Person) (string, any, error) {
			return "test_forums", map[string]any{"registrations": 2}, nil
		},
		Erase: func(ctx context.Context, tx *sql.Tx, p *directory.Person) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id = $1`, p.ID).Scan(&n); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)`,
				"test.erase."+p.ID, strconv.Itoa(n), store.Now()); err != nil {
				return err
			}
			if strings.HasPrefix(p.Email, "hook-fails") {
				return errHookFailed
			}
			return nil
		},
		Merge: func(ctx context.Context, tx *sql.Tx, from, into *directory.Person) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)`,
				"test.merge."+from.ID, into.ID, store.Now())
			return err
		},
	})
})

func erase(t *testing.T, db *store.DB, id string) error {
	t.Helper()
	return db.Tx(t.Context(), func(tx *sql.Tx) error {
		_, err := directory.Erase(t.Context(), tx, id)
		return err
	})
}

// tableText is every text value of a table, one row per line, to look for
// what must no longer be there.
func tableText(t *testing.T, db *store.DB, query string) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			b.WriteString(v.String)
			b.WriteString(" | ")
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// mentionsHelene tells whether text names Hélène Dubois in any form.
func mentionsHelene(text string) bool {
	f := directory.Fold(text)
	return strings.Contains(f, "helene") || strings.Contains(f, "dubois")
}

func TestErase(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		registerTestHooks()
		org := newOrganisation(t, db, directory.OrganisationInput{Name: "Fondation Abbé Pierre", Kind: "foundation"})
		helene := newPerson(t, db, directory.PersonInput{Name: "Hélène Dubois", Email: "Helene.Dubois@Example.org", OrganisationID: org.ID,
			Phone: "06 12 34 56 78", Sectors: []string{"housing"}, ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodForm})
		marc := newPerson(t, db, directory.PersonInput{Name: "Marc Lefèvre", Email: "marc@example.org"})
		token, err := directory.PreferencesToken(ctx, db, helene.ID)
		if err != nil {
			t.Fatal(err)
		}
		user, err := auth.CreateUser(ctx, db, auth.NewUser{Email: "helene.dubois@example.org", Name: "Hélène Dubois", Role: "member"})
		if err != nil {
			t.Fatal(err)
		}
		session, err := auth.CreateSession(ctx, db, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		apiToken, err := auth.CreateAPIToken(ctx, db, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		txDo(t, db, func(tx *sql.Tx) error {
			// Mail clients keep the case the address was typed in.
			for _, to := range []string{"Hélène Dubois <Helene.Dubois@Example.org>", "helene.dubois@example.org"} {
				if _, err := mail.Queue(ctx, tx, mail.Message{To: to, Subject: "Bienvenue, Hélène Dubois",
					Text: "Bonjour Hélène Dubois (helene.dubois@example.org),", HTML: "<p>Bonjour Hélène Dubois</p>",
					Attachments: []mail.Attachment{{Filename: "invitation.ics", ContentType: "text/calendar", Data: []byte("ATTENDEE:mailto:helene.dubois@example.org")}}}); err != nil {
					return err
				}
			}
			if _, err := mail.Queue(ctx, tx, mail.Message{To: "marc@example.org", Subject: "Bienvenue, Marc", Text: "Bonjour Marc"}); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.Actor{ID: user.ID, Label: "helene.dubois@example.org"}, "question.ask", "question", "q1", nil); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.Actor{Label: "admin@example.org"}, "person.import", "person", helene.ID,
				map[string]string{"email": "helene.dubois@example.org", "name": "Hélène Dubois"}); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.Actor{Label: "admin@example.org"}, "person.create", "person", marc.ID,
				map[string]string{"email": "marc@example.org"}); err != nil {
				return err
			}
			if err := auth.RequestLink(ctx, tx, "helene.dubois@example.org", "fr", ""); err != nil {
				return err
			}
			_, err := directory.RequestJoin(ctx, tx, directory.JoinInput{Name: "Hélène Dubois", Email: "helene.dubois@example.org", Consent: true})
			return err
		})

		if err := erase(t, db, helene.ID); err != nil {
			t.Fatal(err)
		}

		// The person and their consent history are gone.
		if _, err := directory.GetPerson(ctx, db, helene.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("erased person still there: %v", err)
		}
		if _, err := directory.PersonByEmail(ctx, db, "helene.dubois@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("erased person found by e-mail: %v", err)
		}
		if txt := tableText(t, db, `SELECT * FROM consents`); txt != "" {
			t.Fatalf("consents left: %s", txt)
		}
		if n := countPeople(t, db, directory.Filter{Q: "helene"}); n != 0 {
			t.Fatalf("search still finds %d", n)
		}
		// The address stays suppressed, as a hash only.
		if s, err := directory.Suppressed(ctx, db, "HELENE.DUBOIS@example.org"); err != nil || !s {
			t.Fatalf("erased address not suppressed: %v %v", s, err)
		}
		if ok, _ := directory.MayMail(ctx, db, "helene.dubois@example.org", directory.PurposeInfo); ok {
			t.Fatal("erased address may be mailed")
		}
		if txt := tableText(t, db, `SELECT * FROM suppressions`); strings.Contains(txt, "helene") || !strings.Contains(txt, directory.EmailHash("helene.dubois@example.org")) {
			t.Fatalf("suppressions: %s", txt)
		}
		// Mails to her are scrubbed and will not be sent; Marc's is intact.
		mails := tableText(t, db, `SELECT m.recipient, m.subject, m.body_text, m.body_html, a.filename, j.payload FROM mails m
			JOIN jobs j ON j.id = m.job_id LEFT JOIN mail_attachments a ON a.mail_id = m.id WHERE m.recipient <> 'marc@example.org'`)
		if mentionsHelene(mails) || strings.Count(mails, "\n") != 2 {
			t.Fatalf("mails after erasure:\n%s", mails)
		}
		if txt := tableText(t, db, `SELECT filename FROM mail_attachments`); txt != "" {
			t.Fatalf("attachments left after erasure: %s", txt)
		}
		var pending int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs j JOIN mails m ON m.job_id = j.id
			WHERE j.status = 'pending' AND m.recipient <> 'marc@example.org'`).Scan(&pending); err != nil || pending != 0 {
			t.Fatalf("%d scrubbed mails still waiting to be sent (%v)", pending, err)
		}
		if got := tableText(t, db, `SELECT recipient, subject, body_text FROM mails WHERE recipient = 'marc@example.org'`); !strings.Contains(got, "Bonjour Marc") {
			t.Fatalf("someone else's mail changed: %q", got)
		}
		if txt := tableText(t, db, `SELECT kind, payload FROM jobs`); mentionsHelene(txt) {
			t.Fatalf("jobs after erasure:\n%s", txt)
		}
		// The audit log keeps the entries, without her name or address.
		log := tableText(t, db, `SELECT actor_label, details FROM audit_log`)
		if mentionsHelene(log) || !strings.Contains(log, "marc@example.org") || strings.Count(log, "\n") != 3 {
			t.Fatalf("audit log after erasure:\n%s", log)
		}
		if txt := tableText(t, db, `SELECT email, payload FROM join_requests`); txt != "" {
			t.Fatalf("join requests left: %s", txt)
		}
		// Her account is anonymised and disabled, and signed out everywhere.
		u, err := auth.UserByID(ctx, db, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !u.Disabled || mentionsHelene(u.Email+" "+u.Name) {
			t.Fatalf("account after erasure: %+v", u)
		}
		if _, err := auth.UserByEmail(ctx, db, "helene.dubois@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("account still found by e-mail: %v", err)
		}
		if _, _, err := auth.UserBySession(ctx, db, session.Cookie); err == nil {
			t.Fatal("session still valid")
		}
		if _, err := auth.UserByAPIToken(ctx, db, apiToken); err == nil {
			t.Fatal("API token still valid")
		}
		if txt := tableText(t, db, `SELECT id FROM sessions`); txt != "" {
			t.Fatalf("sessions left: %s", txt)
		}
		// Her preferences link is dead.
		if _, err := directory.PersonByPreferencesToken(ctx, db, token); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("preferences token after erasure: %v", err)
		}
		// The other domains were asked, inside the transaction, while she
		// was still there to be found.
		var seen string
		if err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, "test.erase."+helene.ID).Scan(&seen); err != nil || seen != "1" {
			t.Fatalf("erase hook: %q %v", seen, err)
		}
		// Marc is untouched.
		if p := getPerson(t, db, marc.ID); p.Email != "marc@example.org" {
			t.Fatalf("Marc after erasure: %+v", p)
		}
		if err := erase(t, db, helene.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second erasure: %v", err)
		}
	})
}

func TestEraseRollsBackWhenAHookFails(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		registerTestHooks()
		p := newPerson(t, db, directory.PersonInput{Name: "Hook Fails", Email: "hook-fails@example.org",
			ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodForm})
		user, err := auth.CreateUser(ctx, db, auth.NewUser{Email: "hook-fails@example.org", Name: "Hook Fails", Role: "member"})
		if err != nil {
			t.Fatal(err)
		}
		session, err := auth.CreateSession(ctx, db, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mail.Queue(ctx, db, mail.Message{To: "hook-fails@example.org", Subject: "Bonjour Hook", Text: "Bonjour"}); err != nil {
			t.Fatal(err)
		}
		before := tableText(t, db, `SELECT recipient, subject, body_text FROM mails`)

		if err := erase(t, db, p.ID); !errors.Is(err, errHookFailed) {
			t.Fatalf("erase with a failing hook: %v", err)
		}
		if got := getPerson(t, db, p.ID); got.Email != "hook-fails@example.org" || !got.Consent.Info {
			t.Fatalf("person after a failed erasure: %+v", got)
		}
		if s, _ := directory.Suppressed(ctx, db, p.Email); s {
			t.Fatal("address suppressed by a failed erasure")
		}
		if after := tableText(t, db, `SELECT recipient, subject, body_text FROM mails`); after != before {
			t.Fatalf("mails changed by a failed erasure:\n%s", after)
		}
		if _, _, err := auth.UserBySession(ctx, db, session.Cookie); err != nil {
			t.Fatalf("session ended by a failed erasure: %v", err)
		}
		if txt := tableText(t, db, `SELECT key FROM settings WHERE key LIKE 'test.erase.%'`); txt != "" {
			t.Fatalf("the hook's own write survived the rollback: %s", txt)
		}
	})
}

func TestDataExport(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		registerTestHooks()
		p := newPerson(t, db, directory.PersonInput{Name: "Hélène Dubois", Email: "helene.dubois@example.org", Sectors: []string{"housing"},
			ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodForm})
		txDo(t, db, func(tx *sql.Tx) error {
			return directory.SetConsent(ctx, tx, p.ID, directory.PurposeInvitations, true, directory.MethodInPerson)
		})
		for _, to := range []string{"Helene.Dubois@Example.org", "marc@example.org"} {
			if _, err := mail.Queue(ctx, db, mail.Message{To: to, Subject: "Invitation au forum", Text: "Bonjour"}); err != nil {
				t.Fatal(err)
			}
		}
		data, err := directory.DataExport(ctx, db, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(data)
		if err != nil {
			t.Fatalf("export is not JSON: %v", err)
		}
		var doc struct {
			Person struct {
				Name    string   `json:"name"`
				Email   string   `json:"email"`
				Sectors []string `json:"sectors"`
			} `json:"person"`
			ConsentHistory []directory.ConsentEvent `json:"consent_history"`
			Suppressed     bool                     `json:"suppressed"`
			Mails          []struct {
				To      string `json:"to"`
				Subject string `json:"subject"`
			} `json:"mails"`
			TestForums map[string]int `json:"test_forums"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Person.Name != "Hélène Dubois" || doc.Person.Email != "helene.dubois@example.org" || len(doc.Person.Sectors) != 1 {
			t.Fatalf("person section: %+v", doc.Person)
		}
		if len(doc.ConsentHistory) != 2 || doc.ConsentHistory[1].Method != directory.MethodInPerson || doc.Suppressed {
			t.Fatalf("consent section: %+v suppressed %v", doc.ConsentHistory, doc.Suppressed)
		}
		if len(doc.Mails) != 1 || doc.Mails[0].Subject != "Invitation au forum" {
			t.Fatalf("mails section: %+v", doc.Mails)
		}
		if doc.TestForums["registrations"] != 2 {
			t.Fatalf("hook section missing: %s", raw)
		}
		if strings.Contains(string(raw), "marc@example.org") {
			t.Fatalf("export holds someone else's data: %s", raw)
		}
		// Someone never mailed gets an empty list, not a null.
		quiet := newPerson(t, db, directory.PersonInput{Name: "Paul Durand", Email: "paul@example.net"})
		data, err = directory.DataExport(ctx, db, quiet.ID)
		if err != nil {
			t.Fatal(err)
		}
		if raw, _ := json.Marshal(data["mails"]); string(raw) != "[]" {
			t.Fatalf("mails of someone never mailed: %s", raw)
		}
		if _, err := directory.DataExport(ctx, db, "00000000000000000000"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("export of an unknown person: %v", err)
		}
	})
}
