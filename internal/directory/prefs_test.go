package directory_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestPreferencesToken(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		helene := newPerson(t, db, directory.PersonInput{Name: "Hélène Dubois", Email: "helene@example.org"})
		marc := newPerson(t, db, directory.PersonInput{Name: "Marc Lefèvre", Email: "marc@example.org"})
		token, err := directory.PreferencesToken(ctx, db, helene.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := directory.PersonByPreferencesToken(ctx, db, token)
		if err != nil || p.ID != helene.ID {
			t.Fatalf("round trip: %v %v", p, err)
		}
		again, _ := directory.PreferencesToken(ctx, db, helene.ID)
		other, _ := directory.PreferencesToken(ctx, db, marc.ID)
		if again != token || other == token {
			t.Fatalf("tokens: %q, again %q, Marc's %q", token, again, other)
		}

		id, sig, _ := strings.Cut(token, ".")
		_, otherSig, _ := strings.Cut(other, ".")
		flip := func(s string) string {
			last := s[len(s)-1]
			if last == 'A' {
				return s[:len(s)-1] + "B"
			}
			return s[:len(s)-1] + "A"
		}
		for _, bad := range []string{
			id + "." + flip(sig), // tampered signature
			marc.ID + "." + sig,  // someone else's id with this signature
			id + "." + otherSig,  // this id with someone else's signature
			id + "." + sig[:len(sig)-1],
			id,
			id + ".",
			"." + sig,
			"",
			"not-an-id." + sig,
		} {
			if p, err := directory.PersonByPreferencesToken(ctx, db, bad); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("token %q: %v %v, want ErrNotFound", bad, p, err)
			}
		}

		// The token dies with the person.
		registerTestHooks()
		if err := erase(t, db, helene.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := directory.PersonByPreferencesToken(ctx, db, token); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("token of an erased person: %v", err)
		}
		if p, err := directory.PersonByPreferencesToken(ctx, db, other); err != nil || p.ID != marc.ID {
			t.Fatalf("Marc's token after Hélène's erasure: %v %v", p, err)
		}
	})
}

// Two processes sharing a database sign with the same key, even when the
// first tokens of both are made at the same moment.
func TestPreferencesTokenSharedByProcesses(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			ctx := t.Context()
			dsn := storetest.DSN(t, engine)
			open := func() *store.DB {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			a := open()
			if _, err := a.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			b := open()
			p := newPerson(t, a, directory.PersonInput{Name: "Hélène Dubois", Email: "helene@example.org"})

			var wg sync.WaitGroup
			tokens := make([]string, 2)
			errs := make([]error, 2)
			start := make(chan struct{})
			for i, db := range []*store.DB{a, b} {
				wg.Go(func() {
					<-start
					tokens[i], errs[i] = directory.PreferencesToken(ctx, db, p.ID)
				})
			}
			close(start)
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("tokens: %v, %v", errs[0], errs[1])
			}
			if tokens[0] != tokens[1] {
				t.Fatalf("the two processes disagree: %q and %q", tokens[0], tokens[1])
			}
			for i, db := range []*store.DB{b, a} {
				got, err := directory.PersonByPreferencesToken(ctx, db, tokens[i])
				if err != nil || got.ID != p.ID {
					t.Fatalf("token of process %d checked by the other: %v %v", i, got, err)
				}
			}
		})
	}
}
