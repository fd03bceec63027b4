package directory_test

import (
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// community is a small directory with the cases filters must tell apart.
type community struct {
	abbe, regards, ministry, collectif *directory.Organisation
	people                             map[string]*directory.Person // by first name
}

// seedCommunity creates:
//
//	Hélène Dubois  Fondation Abbé Pierre (foundation, housing+social)  fr  info
//	Marc Lefèvre   Regards Citoyens (association, open-data)  health   en  invitations
//	Claire Martin  Ministère de la Santé (administration, health)  housing  fr  info+invitations
//	Paul Durand    no organisation  housing  fr  nothing
//	Anne Petit     no organisation  culture  en  opted out
//	Louis Bernard  Collectif Santé Logement (collective, no sector)  fr  nothing
//	Zoé Garnier    Regards Citoyens  digital  fr  info
func seedCommunity(t *testing.T, db *store.DB) community {
	t.Helper()
	c := community{people: map[string]*directory.Person{}}
	c.abbe = newOrganisation(t, db, directory.OrganisationInput{Name: "Fondation Abbé Pierre", Kind: "foundation", Sectors: []string{"housing", "social"}})
	c.regards = newOrganisation(t, db, directory.OrganisationInput{Name: "Regards Citoyens", Kind: "association", Sectors: []string{"open-data"}})
	c.ministry = newOrganisation(t, db, directory.OrganisationInput{Name: "Ministère de la Santé", Kind: "central_administration", Sectors: []string{"health"}})
	c.collectif = newOrganisation(t, db, directory.OrganisationInput{Name: "Collectif Santé Logement", Kind: "collective"})
	yes := boolPtr(true)
	for _, in := range []directory.PersonInput{
		{Name: "Hélène Dubois", Email: "helene.dubois@example.org", OrganisationID: c.abbe.ID, ConsentInfo: yes},
		{Name: "Marc Lefèvre", Email: "marc@regardscitoyens.org", OrganisationID: c.regards.ID, Sectors: []string{"health"}, Language: "en", ConsentInvitations: yes},
		{Name: "Claire Martin", Email: "claire.martin@sante.gouv.fr", OrganisationID: c.ministry.ID, Sectors: []string{"housing"}, ConsentInfo: yes, ConsentInvitations: yes},
		{Name: "Paul Durand", Email: "paul@example.net", Sectors: []string{"housing"}},
		{Name: "Anne Petit", Email: "anne@example.net", Sectors: []string{"culture"}, Language: "en", ConsentInfo: yes},
		{Name: "Louis Bernard", Email: "louis@collectif.fr", OrganisationID: c.collectif.ID},
		{Name: "Zoé Garnier", Email: "zoe@example.org", OrganisationID: c.regards.ID, Sectors: []string{"digital"}, ConsentInfo: yes},
	} {
		if in.ConsentInfo != nil || in.ConsentInvitations != nil {
			in.ConsentMethod = directory.MethodForm
		}
		p := newPerson(t, db, in)
		c.people[p.FirstName] = p
	}
	txDo(t, db, func(tx *sql.Tx) error {
		return directory.Unsubscribe(t.Context(), tx, c.people["Anne"].ID, directory.MethodForm)
	})
	return c
}

func TestSearchPeople(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := seedCommunity(t, db)
		cases := []struct {
			name string
			f    directory.Filter
			want []string
		}{
			{"no filter", directory.Filter{}, []string{"Anne Petit", "Claire Martin", "Hélène Dubois", "Louis Bernard", "Marc Lefèvre", "Paul Durand", "Zoé Garnier"}},
			{"name without accent", directory.Filter{Q: "helene"}, []string{"Hélène Dubois"}},
			{"name in capitals", directory.Filter{Q: "HÉLÈNE DUB"}, []string{"Hélène Dubois"}},
			{"last name first", directory.Filter{Q: "dubois helene"}, []string{"Hélène Dubois"}},
			{"plain query, accented data", directory.Filter{Q: "Lefevre"}, []string{"Marc Lefèvre"}},
			{"organisation name", directory.Filter{Q: "regards"}, []string{"Marc Lefèvre", "Zoé Garnier"}},
			{"organisation name without accents", directory.Filter{Q: "abbe pierre"}, []string{"Hélène Dubois"}},
			{"name and organisation", directory.Filter{Q: "sante"}, []string{"Claire Martin", "Louis Bernard"}},
			{"e-mail", directory.Filter{Q: "claire.martin@sante"}, []string{"Claire Martin"}},
			{"e-mail in capitals", directory.Filter{Q: "MARC@REGARDSCITOYENS.ORG"}, []string{"Marc Lefèvre"}},
			{"wildcards are literal", directory.Filter{Q: "%"}, []string{}},
			{"underscore is literal", directory.Filter{Q: "_"}, []string{}},
			{"college administration", directory.Filter{College: "administration"}, []string{"Claire Martin"}},
			{"college civil society includes people without organisation", directory.Filter{College: "civil_society"},
				[]string{"Anne Petit", "Hélène Dubois", "Louis Bernard", "Marc Lefèvre", "Paul Durand", "Zoé Garnier"}},
			{"kind individual is no organisation", directory.Filter{Kinds: []string{"individual"}}, []string{"Anne Petit", "Paul Durand"}},
			{"several kinds", directory.Filter{Kinds: []string{"foundation", "collective"}}, []string{"Hélène Dubois", "Louis Bernard"}},
			{"sector on the person or the organisation", directory.Filter{Sectors: []string{"housing"}}, []string{"Claire Martin", "Hélène Dubois", "Paul Durand"}},
			{"sector of the organisation only", directory.Filter{Sectors: []string{"health"}}, []string{"Claire Martin", "Marc Lefèvre"}},
			{"several sectors", directory.Filter{Sectors: []string{"digital", "culture"}}, []string{"Anne Petit", "Zoé Garnier"}},
			{"language", directory.Filter{Language: "en"}, []string{"Anne Petit", "Marc Lefèvre"}},
			{"consent to information", directory.Filter{Consent: "info"}, []string{"Claire Martin", "Hélène Dubois", "Zoé Garnier"}},
			{"consent to invitations", directory.Filter{Consent: "invitations"}, []string{"Claire Martin", "Marc Lefèvre"}},
			{"consent to nothing", directory.Filter{Consent: "none"}, []string{"Anne Petit", "Louis Bernard", "Paul Durand"}},
			{"opted out", directory.Filter{Consent: "opted_out"}, []string{"Anne Petit"}},
			{"organisation", directory.Filter{OrganisationID: c.regards.ID}, []string{"Marc Lefèvre", "Zoé Garnier"}},
			{"civil society in housing and health", directory.Filter{College: "civil_society", Sectors: []string{"housing", "health"}},
				[]string{"Hélène Dubois", "Marc Lefèvre", "Paul Durand"}},
			{"everything at once", directory.Filter{Q: "regards", College: "civil_society", Kinds: []string{"association"},
				Sectors: []string{"digital"}, Language: "fr", Consent: "info"}, []string{"Zoé Garnier"}},
		}
		for _, tc := range cases {
			people, err := directory.SearchPeople(ctx, db, tc.f, 100, 0)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := personNames(people); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
			if n := countPeople(t, db, tc.f); n != len(people) {
				t.Errorf("%s: CountPeople = %d, search found %d", tc.name, n, len(people))
			}
		}

		// Each person comes with their organisation, college and sectors.
		people, _ := directory.SearchPeople(ctx, db, directory.Filter{Q: "claire"}, 10, 0)
		if len(people) != 1 {
			t.Fatalf("claire: %v", personNames(people))
		}
		p := people[0]
		if p.OrganisationName != "Ministère de la Santé" || p.College != "administration" || !slices.Equal(p.Sectors, []string{"housing"}) ||
			!p.Consent.Info || !p.Consent.Invitations || p.Email != "claire.martin@sante.gouv.fr" {
			t.Fatalf("search result %+v", p)
		}
	})
}

func TestSearchByAccentedAddress(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		newPerson(t, db, directory.PersonInput{Name: "Hélène Dubois", Email: "Hélène.Dubois@Example.org"})
		newPerson(t, db, directory.PersonInput{Name: "Marc Lefèvre", Email: "marc@example.org"})
		for _, q := range []string{"hélène.dubois@example.org", "HELENE.DUBOIS@", "helene.dubois@example.org"} {
			people, err := directory.SearchPeople(t.Context(), db, directory.Filter{Q: q}, 10, 0)
			if err != nil || !slices.Equal(personNames(people), []string{"Hélène Dubois"}) {
				t.Errorf("search %q: %v %v", q, personNames(people), err)
			}
		}
	})
}

func TestSearchPeopleOrderAndPages(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seedCommunity(t, db)
		// Sorted by last name, then first name, accents ignored.
		want := []string{"Louis Bernard", "Hélène Dubois", "Paul Durand", "Zoé Garnier", "Marc Lefèvre", "Claire Martin", "Anne Petit"}
		var got []string
		for offset := 0; offset < len(want); offset += 3 {
			page, err := directory.SearchPeople(ctx, db, directory.Filter{}, 3, offset)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				got = append(got, p.Name)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("pages of 3: %v, want %v", got, want)
		}
		// Limits out of range fall back to a sane page size.
		for _, limit := range []int{0, -1, 5000} {
			page, err := directory.SearchPeople(ctx, db, directory.Filter{}, limit, -4)
			if err != nil || len(page) != len(want) {
				t.Fatalf("limit %d: %d people, %v", limit, len(page), err)
			}
		}
	})
}

func TestEachPersonVisitsEveryoneOnce(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		org := newOrganisation(t, db, directory.OrganisationInput{Name: "Collectif Logement", Kind: "collective", Sectors: []string{"housing"}})
		for i := range 10 {
			in := directory.PersonInput{Name: "Personne " + strconv.Itoa(i), Email: "p" + strconv.Itoa(i) + "@example.org"}
			if i%2 == 0 {
				in.OrganisationID = org.ID
			}
			if i%3 == 0 {
				in.Language = "en"
			}
			newPerson(t, db, in)
		}
		walk := func(f directory.Filter, batch int) map[string]int {
			t.Helper()
			seen := map[string]int{}
			err := directory.EachPerson(ctx, db, f, batch, func(p *directory.Person) error {
				seen[p.Email]++
				return nil
			})
			if err != nil {
				t.Fatalf("EachPerson(batch %d): %v", batch, err)
			}
			return seen
		}
		for _, batch := range []int{1, 3, 5, 10, 11, 0} {
			seen := walk(directory.Filter{}, batch)
			if len(seen) != 10 {
				t.Errorf("batch %d visited %d people, want 10", batch, len(seen))
			}
			for email, n := range seen {
				if n != 1 {
					t.Errorf("batch %d visited %s %d times", batch, email, n)
				}
			}
		}
		for _, f := range []directory.Filter{
			{Sectors: []string{"housing"}},
			{Language: "en"},
			{Q: "personne", Language: "fr", Sectors: []string{"housing"}},
		} {
			seen := walk(f, 3)
			people, _ := directory.SearchPeople(ctx, db, f, 100, 0)
			want := map[string]int{}
			for _, p := range people {
				want[p.Email] = 1
			}
			if !maps.Equal(seen, want) {
				t.Errorf("filter %+v: walked %v, search found %v", f, seen, want)
			}
		}

		// An error from the callback stops the walk and comes back.
		stop := errors.New("stop")
		visited := 0
		err := directory.EachPerson(ctx, db, directory.Filter{}, 3, func(*directory.Person) error {
			visited++
			if visited == 4 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || visited != 4 {
			t.Fatalf("walk after error: %v, %d visited", err, visited)
		}
	})
}

func TestFilterValidation(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		good := directory.Filter{Q: "  helene ", Sectors: []string{"housing"}, College: "civil_society", Kinds: []string{"association", "individual"},
			Language: "fr", Consent: "opted_out"}
		if err := good.Validate(ctx, db); err != nil {
			t.Fatalf("valid filter refused: %v", err)
		}
		if good.Q != "helene" {
			t.Fatalf("q not trimmed: %q", good.Q)
		}
		bad := directory.Filter{Q: strings.Repeat("x", 201), Sectors: []string{"space"}, College: "private", Kinds: []string{"association", "ngo"},
			Language: "de", Consent: "maybe"}
		want := directory.FieldErrors{"q": "error.too_long", "sectors": "error.sector_unknown", "college": "error.college_invalid",
			"kinds": "error.kind_invalid", "language": "error.language_invalid", "consent": "error.consent_filter_invalid"}
		if got := fieldErrs(t, bad.Validate(ctx, db)); !maps.Equal(got, want) {
			t.Fatalf("errors %v, want %v", got, want)
		}
	})
}
