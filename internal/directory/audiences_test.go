package directory_test

import (
	"database/sql"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func createAudience(t *testing.T, db *store.DB, in directory.AudienceInput) *directory.Audience {
	t.Helper()
	var a *directory.Audience
	txDo(t, db, func(tx *sql.Tx) (err error) {
		a, err = directory.CreateAudience(t.Context(), tx, in, "organiser-1")
		return err
	})
	return a
}

func members(t *testing.T, db *store.DB, a *directory.Audience) []string {
	t.Helper()
	people, err := directory.SearchPeople(t.Context(), db, a.Filter, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	return personNames(people)
}

func TestCreateAudienceValidates(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		cases := []struct {
			in   directory.AudienceInput
			want directory.FieldErrors
		}{
			{directory.AudienceInput{Name: "  "}, directory.FieldErrors{"name": "error.required"}},
			{directory.AudienceInput{Name: strings.Repeat("é", 201)}, directory.FieldErrors{"name": "error.too_long"}},
			{directory.AudienceInput{Name: "Logement", Filter: directory.Filter{Sectors: []string{"housing", "space"}}},
				directory.FieldErrors{"filter.sectors": "error.sector_unknown"}},
			{directory.AudienceInput{Name: "Élus", Filter: directory.Filter{College: "elected", Kinds: []string{"party"}}},
				directory.FieldErrors{"filter.college": "error.college_invalid", "filter.kinds": "error.kind_invalid"}},
			{directory.AudienceInput{Filter: directory.Filter{Language: "de", Consent: "yes"}},
				directory.FieldErrors{"name": "error.required", "filter.language": "error.language_invalid", "filter.consent": "error.consent_filter_invalid"}},
		}
		for _, c := range cases {
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := directory.CreateAudience(ctx, tx, c.in, "")
				return err
			})
			if got := fieldErrs(t, err); !maps.Equal(got, c.want) {
				t.Errorf("%+v: errors %v, want %v", c.in, got, c.want)
			}
		}
		list, err := directory.ListAudiences(ctx, db)
		if err != nil || len(list) != 0 {
			t.Fatalf("invalid audiences stored: %v %v", list, err)
		}
	})
}

// The example of the issue: "civil society in housing and health" takes
// people who carry one of the sectors or whose organisation does, and
// leaves administrations out.
func TestAudienceCivilSocietyInHousingAndHealth(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := seedCommunity(t, db)
		a := createAudience(t, db, directory.AudienceInput{Name: " civil society in housing and health ",
			Filter: directory.Filter{College: "civil_society", Sectors: []string{"housing", "health"}}})
		want := []string{"Hélène Dubois", "Marc Lefèvre", "Paul Durand"}
		if a.Name != "civil society in housing and health" || a.Count != len(want) {
			t.Fatalf("created %q with count %d, want %d", a.Name, a.Count, len(want))
		}
		if got := members(t, db, a); !slices.Equal(got, want) {
			t.Fatalf("members %v, want %v", got, want)
		}

		// The filter survives storage as it was given.
		got, err := directory.GetAudience(ctx, db, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Filter, a.Filter) || got.Count != len(want) {
			t.Fatalf("stored filter %+v count %d, want %+v", got.Filter, got.Count, a.Filter)
		}
		if got := members(t, db, got); !slices.Equal(got, want) {
			t.Fatalf("members from the stored filter %v", got)
		}

		// The count is live: a newcomer at the foundation (which carries
		// housing) joins it; a health agent of the ministry does not.
		newPerson(t, db, directory.PersonInput{Name: "Inès Roux", Email: "ines@abbe-pierre.org", OrganisationID: c.abbe.ID})
		newPerson(t, db, directory.PersonInput{Name: "Yves Blanc", Email: "yves@sante.gouv.fr", OrganisationID: c.ministry.ID, Sectors: []string{"health"}})
		got, _ = directory.GetAudience(ctx, db, a.ID)
		if got.Count != 4 {
			t.Fatalf("count after a newcomer: %d, want 4", got.Count)
		}
		if m := members(t, db, got); !slices.Contains(m, "Inès Roux") || slices.Contains(m, "Yves Blanc") {
			t.Fatalf("members after newcomers: %v", m)
		}
		list, err := directory.ListAudiences(ctx, db)
		if err != nil || len(list) != 1 || list[0].Count != 4 {
			t.Fatalf("list %+v, %v", list, err)
		}
	})
}

func TestUpdateAndDeleteAudience(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seedCommunity(t, db)
		a := createAudience(t, db, directory.AudienceInput{Name: "Anglophones", Filter: directory.Filter{Language: "en"}})
		b := createAudience(t, db, directory.AudienceInput{Name: "Administrations", Filter: directory.Filter{College: "administration"}})
		if a.Count != 2 || b.Count != 1 {
			t.Fatalf("counts %d %d", a.Count, b.Count)
		}
		var up *directory.Audience
		txDo(t, db, func(tx *sql.Tx) (err error) {
			up, err = directory.UpdateAudience(ctx, tx, a.ID, directory.AudienceInput{Name: "Invitables", Filter: directory.Filter{Consent: "invitations"}})
			return err
		})
		if up.Name != "Invitables" || up.Count != 2 || !slices.Equal(members(t, db, up), []string{"Claire Martin", "Marc Lefèvre"}) {
			t.Fatalf("after update %+v, members %v", up, members(t, db, up))
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.UpdateAudience(ctx, tx, a.ID, directory.AudienceInput{Name: "", Filter: directory.Filter{Kinds: []string{"x"}}})
			return err
		})
		if fe := fieldErrs(t, err); fe["name"] == "" || fe["filter.kinds"] == "" {
			t.Fatalf("update errors %v", fe)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.UpdateAudience(ctx, tx, "00000000000000000000", directory.AudienceInput{Name: "X"})
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of an unknown audience: %v", err)
		}
		list, _ := directory.ListAudiences(ctx, db)
		if len(list) != 2 || list[0].Name != "Administrations" || list[1].Name != "Invitables" {
			t.Fatalf("list %+v", list)
		}

		txDo(t, db, func(tx *sql.Tx) error { return directory.DeleteAudience(ctx, tx, b.ID) })
		if _, err := directory.GetAudience(ctx, db, b.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted audience: %v", err)
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return directory.DeleteAudience(ctx, tx, b.ID) }); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if n := countPeople(t, db, directory.Filter{College: "administration"}); n != 1 {
			t.Fatalf("deleting an audience removed its members: %d left", n)
		}
	})
}
