package directory_test

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// pairKey names a duplicate pair independently of its order.
func pairKey(a, b, reason string) string {
	if a > b {
		a, b = b, a
	}
	return a + " & " + b + " (" + reason + ")"
}

func duplicatePairs(t *testing.T, db *store.DB) []string {
	t.Helper()
	pairs, err := directory.FindDuplicates(t.Context(), db, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, p := range pairs {
		out = append(out, pairKey(p.A.Email, p.B.Email, p.Reason))
	}
	slices.Sort(out)
	return out
}

func TestFindDuplicates(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		regards := newOrganisation(t, db, directory.OrganisationInput{Name: "Regards Citoyens"})
		abbe := newOrganisation(t, db, directory.OrganisationInput{Name: "Fondation Abbé Pierre", Kind: "foundation"})
		for _, in := range []directory.PersonInput{
			// The same Gmail mailbox: dots and a +tag do not matter there.
			{Name: "Hélène Dubois", Email: "helene.dubois@gmail.com", OrganisationID: regards.ID},
			{Name: "H. Dubois", Email: "Helene.Dubois+forum@googlemail.com"},
			// A +tag elsewhere.
			{Name: "Marc Lefèvre", Email: "marc+newsletter@example.org"},
			{Name: "Marc Lefevre", Email: "marc@example.org", OrganisationID: abbe.ID},
			// Dots count outside Gmail.
			{Name: "Jean Martin", Email: "jean.martin@example.org"},
			{Name: "Jeanne Martinez", Email: "jeanmartin@example.org"},
			// One typo in the name, same organisation.
			{Name: "Claire Martin", Email: "claire.martin@regardscitoyens.org", OrganisationID: regards.ID},
			{Name: "Claire Martn", Email: "cmartin@regardscitoyens.org", OrganisationID: regards.ID},
			// The same name in another organisation is someone else.
			{Name: "Claire Martin", Email: "claire@abbe-pierre.org", OrganisationID: abbe.ID},
			// Different people of the same organisation.
			{Name: "Louis Bernard", Email: "louis@regardscitoyens.org", OrganisationID: regards.ID},
			{Name: "Zoé Garnier", Email: "zoe@regardscitoyens.org", OrganisationID: regards.ID},
			// Without organisation, a similar name is not enough; the same
			// name (once folded) is.
			{Name: "Paul Durand", Email: "paul@example.net"},
			{Name: "Paul Durant", Email: "pdurant@example.com"},
			{Name: "Sophie Leroy", Email: "sophie@example.net"},
			{Name: "SOPHIE  Léroy", Email: "s.leroy@example.com"},
		} {
			newPerson(t, db, in)
		}
		want := []string{
			pairKey("claire.martin@regardscitoyens.org", "cmartin@regardscitoyens.org", "name"),
			pairKey("helene.dubois+forum@googlemail.com", "helene.dubois@gmail.com", "email"),
			pairKey("marc+newsletter@example.org", "marc@example.org", "email"),
			pairKey("sophie@example.net", "s.leroy@example.com", "name"),
		}
		slices.Sort(want)
		if got := duplicatePairs(t, db); !slices.Equal(got, want) {
			t.Fatalf("duplicates:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		limited, err := directory.FindDuplicates(t.Context(), db, 3)
		if err != nil || len(limited) != 3 {
			t.Fatalf("limit 3: %d pairs, %v", len(limited), err)
		}
	})
}

func TestMergePeople(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		registerTestHooks()
		regards := newOrganisation(t, db, directory.OrganisationInput{Name: "Regards Citoyens"})
		into := newPerson(t, db, directory.PersonInput{Name: "Claire Martin", Email: "claire.martin@regardscitoyens.org",
			Sectors: []string{"housing"}, ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodImport})
		from := newPerson(t, db, directory.PersonInput{Name: "Claire Martn", Email: "cmartin@regardscitoyens.org", OrganisationID: regards.ID,
			Function: "Chargée de mission", Phone: "01 23 45 67 89", Sectors: []string{"health", "housing"}, Language: "en",
			ConsentInvitations: boolPtr(true), ConsentMethod: directory.MethodForm})
		// The duplicate later withdrew their consent to information: the
		// most recent choice wins.
		txDo(t, db, func(tx *sql.Tx) error {
			if err := directory.SetConsent(ctx, tx, from.ID, directory.PurposeInfo, true, directory.MethodForm); err != nil {
				return err
			}
			return directory.SetConsent(ctx, tx, from.ID, directory.PurposeInfo, false, directory.MethodForm)
		})
		day := func(d int) time.Time { return time.Date(2025, 1, d, 12, 0, 0, 0, time.UTC) }
		for _, u := range []struct {
			person  string
			granted bool
			at      time.Time
		}{{into.ID, true, day(1)}, {from.ID, true, day(2)}, {from.ID, false, day(3)}} {
			if _, err := db.ExecContext(ctx, `UPDATE consents SET at = $1 WHERE person_id = $2 AND purpose = 'info' AND granted = $3`,
				u.at, u.person, u.granted); err != nil {
				t.Fatal(err)
			}
		}

		var merged *directory.Person
		txDo(t, db, func(tx *sql.Tx) (err error) {
			merged, err = directory.Merge(ctx, tx, from.ID, into.ID)
			return err
		})
		if _, err := directory.GetPerson(ctx, db, from.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("merged duplicate still there: %v", err)
		}
		got := getPerson(t, db, into.ID)
		if got.ID != merged.ID || got.Name != "Claire Martin" || got.Email != "claire.martin@regardscitoyens.org" || got.Language != "fr" {
			t.Fatalf("merged person lost their own fields: %+v", got)
		}
		if got.OrganisationID != regards.ID || got.Function != "Chargée de mission" || got.Phone != "01 23 45 67 89" {
			t.Fatalf("empty fields not filled from the duplicate: %+v", got)
		}
		if !slices.Equal(got.Sectors, []string{"health", "housing"}) {
			t.Fatalf("sectors %v, want the union", got.Sectors)
		}
		if got.Consent.Info || !got.Consent.Invitations {
			t.Fatalf("consent after merge %+v, want info withdrawn (latest) and invitations given", got.Consent)
		}
		history, _ := directory.ConsentHistory(ctx, db, into.ID)
		if len(history) != 4 {
			t.Fatalf("consent history after merge: %+v", history)
		}
		if n := countPeople(t, db, directory.Filter{}); n != 1 {
			t.Fatalf("%d people after merge, want 1", n)
		}
		if pairs := duplicatePairs(t, db); len(pairs) != 0 {
			t.Fatalf("still flagged: %v", pairs)
		}
		var hooked string
		if err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, "test.merge."+from.ID).Scan(&hooked); err != nil || hooked != into.ID {
			t.Fatalf("merge hook: %q %v", hooked, err)
		}

		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.Merge(ctx, tx, into.ID, into.ID)
			return err
		})
		if !errors.Is(err, directory.ErrSamePerson) {
			t.Fatalf("merge into self: %v, want ErrSamePerson", err)
		}
		if _, err := directory.GetPerson(ctx, db, into.ID); err != nil {
			t.Fatalf("merge into self lost the person: %v", err)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.Merge(ctx, tx, from.ID, into.ID)
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("merge of a gone person: %v", err)
		}
	})
}

func TestMergeKeepsOptOut(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		into := newPerson(t, db, directory.PersonInput{Name: "Anne Petit", Email: "anne@example.net"})
		from := newPerson(t, db, directory.PersonInput{Name: "Anne Petit", Email: "anne.petit@example.net",
			ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodForm})
		txDo(t, db, func(tx *sql.Tx) error { return directory.Unsubscribe(ctx, tx, from.ID, directory.MethodForm) })
		txDo(t, db, func(tx *sql.Tx) error {
			_, err := directory.Merge(ctx, tx, from.ID, into.ID)
			return err
		})
		got := getPerson(t, db, into.ID)
		if !got.OptedOut || got.Consent.Info {
			t.Fatalf("a duplicate who opted out made the merged person mailable: %+v", got)
		}
		if ok, _ := directory.MayMail(ctx, db, "anne.petit@example.net", directory.PurposeInfo); ok {
			t.Fatal("the duplicate's address is mailable again after the merge")
		}
	})
}
