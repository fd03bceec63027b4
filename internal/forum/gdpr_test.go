package forum_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/settings"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// The directory's hooks are global and a process has one database; the
// tests have one per engine, so the registered hooks call the service of
// the test that runs.
var (
	currentService atomic.Pointer[forum.Service]
	registerHooks  = sync.OnceFunc(func() {
		directory.RegisterPersonHooks(directory.PersonHooks{
			Export: func(ctx context.Context, q store.Querier, p *directory.Person) (string, any, error) {
				return currentService.Load().PersonHooks().Export(ctx, q, p)
			},
			Erase: func(ctx context.Context, tx *sql.Tx, p *directory.Person) error {
				return currentService.Load().PersonHooks().Erase(ctx, tx, p)
			},
			Merge: func(ctx context.Context, tx *sql.Tx, from, into *directory.Person) error {
				return currentService.Load().PersonHooks().Merge(ctx, tx, from, into)
			},
		})
	})
)

func createPerson(t *testing.T, db *store.DB, first, last, email string) *directory.Person {
	t.Helper()
	var p *directory.Person
	tx(t, db, func(tx *sql.Tx) (err error) {
		p, err = directory.CreatePerson(context.Background(), tx, directory.PersonInput{FirstName: first, LastName: last, Email: email})
		return err
	})
	return p
}

// moveToPast makes a forum end months ago and marks it held.
func moveToPast(t *testing.T, db *store.DB, s *forum.Service, f *forum.Forum, months int) {
	t.Helper()
	ctx := context.Background()
	tx(t, db, func(tx *sql.Tx) error {
		in := f.Input()
		in.StartsAt = time.Now().UTC().AddDate(0, -months, 0)
		in.EndsAt = in.StartsAt.Add(2 * time.Hour)
		in.RegistrationDeadline = nil
		if _, err := s.UpdateForum(ctx, tx, f.ID, in); err != nil {
			return err
		}
		_, err := s.SetStatus(ctx, tx, f.ID, forum.StatusHeld)
		return err
	})
}

func TestPersonExportEraseAndMerge(t *testing.T) {
	registerHooks()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		currentService.Store(s)
		upcoming := newForum(t, db, s, 1, nil)
		past := newForum(t, db, s, 10, nil)
		in := person(1)
		in.FirstName, in.LastName, in.Organisation, in.Accessibility, in.Dietary = "Hélène", "Martin", "Collectif", "Boucle magnétique", "halal"
		mine, _ := mustRegister(t, db, s, upcoming.ID, in)
		waiting, _ := mustRegister(t, db, s, upcoming.ID, person(2))
		in.PublicListing = true
		old, _ := mustRegister(t, db, s, past.ID, in)
		moveToPast(t, db, s, past, 3)
		theme, err := forum.ProposeTheme(ctx, db, upcoming.ID, forum.Voter{RegistrationID: mine.ID}, forum.ThemeInput{Title: "Logement"})
		if err != nil {
			t.Fatal(err)
		}
		if err := forum.Vote(ctx, db, theme.ID, forum.Voter{RegistrationID: mine.ID}); err != nil {
			t.Fatal(err)
		}
		p := createPerson(t, db, "Hélène", "Martin", in.Email)
		other := newForum(t, db, s, 10, nil)
		if _, err := send(db, s, other.ID, forum.InvitationRequest{Emails: []string{in.Email}}); err != nil {
			t.Fatal(err)
		}

		export, err := directory.DataExport(ctx, db, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		section, ok := export["forums"].(forum.PersonExport)
		if !ok || len(section.Registrations) != 2 || len(section.Votes) != 1 || section.Registrations[0].Dietary != "halal" || len(section.Invitations) != 1 {
			t.Fatalf("export: %#v", export["forums"])
		}

		tx(t, db, func(tx *sql.Tx) error { _, err := directory.Erase(ctx, tx, p.ID); return err })
		// The upcoming forum's seat went to the waiting person, mailed.
		if r := get(t, db, mine.ID); r.Status != forum.Cancelled || r.CancelledBy != forum.ByErasure || r.AnonymisedAt == nil {
			t.Errorf("erased upcoming registration: %+v", r)
		}
		if r := get(t, db, waiting.ID); r.Status != forum.Confirmed {
			t.Errorf("waiting person after the erasure: %s", r.Status)
		}
		if n := len(mailsTo(t, db, waiting.Email)); n != 2 {
			t.Errorf("waiting person got %d mails", n)
		}
		// The past forum keeps an anonymous count.
		r := get(t, db, old.ID)
		if r.Status != forum.Confirmed || r.College != "civil_society" || r.Organisation != "Collectif" || r.AnonymisedAt == nil {
			t.Errorf("past registration after erasure: %+v", r)
		}
		all := dump(t, db, `SELECT * FROM forum_registrations`) + dump(t, db, `SELECT * FROM forum_theme_votes`) + dump(t, db, `SELECT * FROM forum_invitations`)
		for _, trace := range []string{in.Email, p.ID, "Hélène", "Martin", "Boucle", "halal"} {
			if strings.Contains(all, trace) {
				t.Errorf("%q is still in the forum tables", trace)
			}
		}
		if th, _ := forum.GetTheme(ctx, db, theme.ID); th.Votes != 1 {
			t.Errorf("the vote count went from 1 to %d", th.Votes)
		}

		// Merge: both registered to one forum (the confirmed one stays),
		// only one to another (moved).
		g := newForum(t, db, s, 1, nil)
		h := newForum(t, db, s, 5, nil)
		fromIn, intoIn := person(10), person(11)
		intoWaits, _ := mustRegister(t, db, s, g.ID, intoIn) // confirmed
		fromWaits, _ := mustRegister(t, db, s, g.ID, fromIn) // waiting
		fromOnly, _ := mustRegister(t, db, s, h.ID, fromIn)  // confirmed
		from := createPerson(t, db, "A", "B", fromIn.Email)
		into := createPerson(t, db, "A", "B", intoIn.Email)
		tx(t, db, func(tx *sql.Tx) error { _, err := directory.Merge(ctx, tx, from.ID, into.ID); return err })
		if r := get(t, db, fromWaits.ID); r.Status != forum.Cancelled || r.CancelledBy != forum.ByMerge {
			t.Errorf("duplicate after merge: %s by %s", r.Status, r.CancelledBy)
		}
		if r := get(t, db, intoWaits.ID); r.Status != forum.Confirmed {
			t.Errorf("kept registration: %s", r.Status)
		}
		if r := get(t, db, fromOnly.ID); r.Email != intoIn.Email || r.Status != forum.Confirmed {
			t.Errorf("moved registration: %s %s", r.Email, r.Status)
		}
	})
}

func dump(t *testing.T, db *store.DB, query string) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
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
			b.WriteString(v.String + "|")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The retention job anonymises the registrations of forums that ended
// more than the retention period ago, and only those.
func TestRetentionPurge(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		ancient := newForum(t, db, s, 10, nil)
		recent := newForum(t, db, s, 10, nil)
		a, _ := mustRegister(t, db, s, ancient.ID, person(1))
		r, _ := mustRegister(t, db, s, recent.ID, person(2))
		moveToPast(t, db, s, ancient, 30)
		moveToPast(t, db, s, recent, 12)

		n, err := s.PurgeExpired(ctx, time.Now()) // default retention: 24 months
		if err != nil || n != 1 {
			t.Fatalf("purged %d: %v", n, err)
		}
		if got := get(t, db, a.ID); got.Email != "" || got.LastName != "" || got.AnonymisedAt == nil || got.Status != forum.Confirmed {
			t.Errorf("30 months old: %+v", got)
		}
		if got := get(t, db, r.ID); got.Email == "" {
			t.Error("12 months old purged with a 24-month retention")
		}
		st, _ := settings.Load(ctx, db)
		st.RetentionMonths = 6
		if fe, err := settings.Save(ctx, db, st); err != nil || len(fe) > 0 {
			t.Fatal(err, fe)
		}
		if n, err := s.PurgeExpired(ctx, time.Now()); err != nil || n != 1 {
			t.Errorf("purged %d with a 6-month retention: %v", n, err)
		}
		if got := get(t, db, r.ID); got.Email != "" {
			t.Error("12 months old kept with a 6-month retention")
		}
	})
}

// The alert job mails the enabled admins and organisers, in their
// language, or the configured address.
func TestOccupancyAlertMails(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, u := range []auth.NewUser{
			{Email: "admin@example.org", Name: "Admin", Role: "admin", Language: "en"},
			{Email: "orga@example.org", Name: "Orga", Role: "organiser"},
			{Email: "member@example.org", Name: "Member", Role: "member"},
			{Email: "gone@example.org", Name: "Gone", Role: "organiser"},
		} {
			created, err := auth.CreateUser(ctx, db, u)
			if err != nil {
				t.Fatal(err)
			}
			if u.Email == "gone@example.org" {
				if err := auth.UpdateUser(ctx, db, created.ID, auth.Organiser, "", true); err != nil {
					t.Fatal(err)
				}
			}
		}
		run := func(cfg forum.Config) {
			q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Hooks{})
			forum.RegisterJobs(q, db, cfg)
			q.Register(mail.JobKind, func(context.Context, jobs.Job) error { return nil })
			for {
				worked, err := q.RunOnce(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !worked {
					return
				}
			}
		}
		s := newService(db)
		f := newForum(t, db, s, 5, nil)
		for i := 1; i <= 4; i++ {
			mustRegister(t, db, s, f.ID, person(i))
		}
		run(forum.Config{BaseURL: baseURL})
		if ms := mailsTo(t, db, "admin@example.org"); len(ms) != 1 || !strings.Contains(ms[0].Subject, "80%") || !strings.Contains(ms[0].Text, "4 confirmed") {
			t.Errorf("admin's alert: %+v", ms)
		}
		if ms := mailsTo(t, db, "orga@example.org"); len(ms) != 1 || !strings.Contains(ms[0].Subject, "80 %") {
			t.Errorf("organiser's alert: %+v", ms)
		}
		for _, nobody := range []string{"member@example.org", "gone@example.org"} {
			if ms := mailsTo(t, db, nobody); len(ms) != 0 {
				t.Errorf("%s got %d alerts", nobody, len(ms))
			}
		}
		mustRegister(t, db, s, f.ID, person(5))
		run(forum.Config{BaseURL: baseURL, AlertAddress: "forums@example.org"})
		if ms := mailsTo(t, db, "forums@example.org"); len(ms) != 1 || !strings.Contains(ms[0].Subject, "100 %") {
			t.Errorf("configured address: %+v", ms)
		}
		if ms := mailsTo(t, db, "admin@example.org"); len(ms) != 1 {
			t.Errorf("admin got %d alerts with a configured address", len(ms))
		}
		var payload map[string]any
		var raw string
		if err := db.QueryRowContext(ctx, `SELECT payload FROM jobs WHERE kind = $1 ORDER BY created_at LIMIT 1`, forum.AlertJobKind).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &payload); err != nil || payload["forum_id"] != f.ID {
			t.Errorf("payload %s", raw)
		}
	})
}
