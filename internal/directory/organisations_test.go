package directory_test

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func getOrganisation(t *testing.T, db *store.DB, id string) *directory.Organisation {
	t.Helper()
	o, err := directory.GetOrganisation(t.Context(), db, id)
	if err != nil {
		t.Fatalf("GetOrganisation(%s): %v", id, err)
	}
	return o
}

func updateOrganisation(t *testing.T, db *store.DB, id string, in directory.OrganisationInput) *directory.Organisation {
	t.Helper()
	var o *directory.Organisation
	txDo(t, db, func(tx *sql.Tx) (err error) {
		o, err = directory.UpdateOrganisation(t.Context(), tx, id, in)
		return err
	})
	return o
}

func TestOrganisationValidationReportsEachField(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		cases := []struct {
			name       string
			edit       func(*directory.OrganisationInput)
			field, key string
		}{
			{"name missing", func(in *directory.OrganisationInput) { in.Name = " \t " }, "name", "error.required"},
			{"name too long", func(in *directory.OrganisationInput) { in.Name = strings.Repeat("é", 201) }, "name", "error.too_long"},
			{"unknown kind", func(in *directory.OrganisationInput) { in.Kind = "ngo" }, "kind", "error.kind_invalid"},
			{"bad college", func(in *directory.OrganisationInput) { in.College = "private_sector" }, "college", "error.college_invalid"},
			{"website not http", func(in *directory.OrganisationInput) { in.Website = "ftp://regardscitoyens.org" }, "website", "error.url_invalid"},
			{"website without domain", func(in *directory.OrganisationInput) { in.Website = "localhost" }, "website", "error.url_invalid"},
			{"website with spaces", func(in *directory.OrganisationInput) { in.Website = "regards citoyens" }, "website", "error.url_invalid"},
			{"website as script", func(in *directory.OrganisationInput) { in.Website = "javascript:alert(1)" }, "website", "error.url_invalid"},
			{"unknown sector", func(in *directory.OrganisationInput) { in.Sectors = []string{"housing", "space"} }, "sectors", "error.sector_unknown"},
			{"description too long", func(in *directory.OrganisationInput) { in.Description = strings.Repeat("x", 2001) }, "description", "error.too_long"},
			{"city too long", func(in *directory.OrganisationInput) { in.City = strings.Repeat("x", 101) }, "city", "error.too_long"},
		}
		for _, c := range cases {
			in := directory.OrganisationInput{Name: "Regards Citoyens", Kind: "association"}
			c.edit(&in)
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := directory.CreateOrganisation(ctx, tx, in)
				return err
			})
			fe := fieldErrs(t, err)
			if len(fe) != 1 || fe[c.field] != c.key {
				t.Errorf("%s: errors %v, want %s=%s", c.name, fe, c.field, c.key)
			}
		}
		if _, total, err := directory.ListOrganisations(ctx, db, directory.OrganisationFilter{}); err != nil || total != 0 {
			t.Fatalf("%d organisations stored from invalid input (%v)", total, err)
		}

		// Limits are inclusive, and an update is validated the same way.
		o := newOrganisation(t, db, directory.OrganisationInput{Name: strings.Repeat("é", 200)})
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.UpdateOrganisation(ctx, tx, o.ID, directory.OrganisationInput{Name: "", Kind: "ngo"})
			return err
		})
		if fe := fieldErrs(t, err); fe["name"] != "error.required" || fe["kind"] != "error.kind_invalid" {
			t.Fatalf("update errors %v", fe)
		}
		if got := getOrganisation(t, db, o.ID); got.Name != strings.Repeat("é", 200) {
			t.Fatalf("invalid update changed the name to %q", got.Name)
		}
	})
}

func TestOrganisationCollegeDerivedFromKind(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		dinum := newOrganisation(t, db, directory.OrganisationInput{Name: "Direction interministérielle du numérique", Kind: "central_administration"})
		regards := newOrganisation(t, db, directory.OrganisationInput{Name: " Regards Citoyens ", Kind: "association",
			Website: "regardscitoyens.org", Sectors: []string{"open-data", "transparency", "open-data"}, City: "Paris"})
		plain := newOrganisation(t, db, directory.OrganisationInput{Name: "Sans précision"})
		forced := newOrganisation(t, db, directory.OrganisationInput{Name: "Etalab", Kind: "association", College: directory.CollegeAdministration})

		for _, c := range []struct {
			o             *directory.Organisation
			kind, college string
		}{
			{dinum, "central_administration", "administration"},
			{regards, "association", "civil_society"},
			{plain, "association", "civil_society"},
			{forced, "association", "administration"},
		} {
			got := getOrganisation(t, db, c.o.ID)
			if got.Kind != c.kind || got.College != c.college || c.o.College != c.college {
				t.Errorf("%s: kind %q college %q (returned %q), want %q %q", got.Name, got.Kind, got.College, c.o.College, c.kind, c.college)
			}
		}
		got := getOrganisation(t, db, regards.ID)
		if got.Name != "Regards Citoyens" || got.Website != "https://regardscitoyens.org" || got.City != "Paris" ||
			!slices.Equal(got.Sectors, []string{"open-data", "transparency"}) {
			t.Fatalf("stored %+v", got)
		}

		// Changing the kind moves a derived college along.
		up := updateOrganisation(t, db, regards.ID, directory.OrganisationInput{Name: "Regards Citoyens", Kind: "public_operator", Sectors: []string{"transparency"}})
		if up.College != directory.CollegeAdministration || !slices.Equal(up.Sectors, []string{"transparency"}) || up.Website != "" {
			t.Fatalf("after kind change: %+v", up)
		}
		// A college given explicitly is kept through an update that keeps it.
		up = updateOrganisation(t, db, forced.ID, directory.OrganisationInput{Name: "Etalab (DINUM)", Kind: "association", College: directory.CollegeAdministration})
		if up.Name != "Etalab (DINUM)" || up.College != directory.CollegeAdministration {
			t.Fatalf("explicit college after rename: %+v", up)
		}
		// And an explicit college may contradict the kind.
		up = updateOrganisation(t, db, dinum.ID, directory.OrganisationInput{Name: dinum.Name, Kind: "central_administration", College: directory.CollegeCivilSociety})
		if up.College != directory.CollegeCivilSociety {
			t.Fatalf("explicit civil_society for an administration: %+v", up)
		}
		// Leaving the college empty derives it again.
		up = updateOrganisation(t, db, forced.ID, directory.OrganisationInput{Name: "Etalab (DINUM)", Kind: "association"})
		if up.College != directory.CollegeCivilSociety {
			t.Fatalf("college no longer explicit: %+v", up)
		}
		if got := getOrganisation(t, db, forced.ID); got.College != directory.CollegeCivilSociety || got.Name != "Etalab (DINUM)" {
			t.Fatalf("stored after update: %+v", got)
		}

		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.UpdateOrganisation(ctx, tx, "00000000000000000000", directory.OrganisationInput{Name: "Nobody"})
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of an unknown organisation: %v", err)
		}
		if _, err := directory.GetOrganisation(ctx, db, "00000000000000000000"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetOrganisation(unknown): %v", err)
		}
	})
}

func orgNames(orgs []*directory.Organisation) []string {
	out := []string{}
	for _, o := range orgs {
		out = append(out, o.Name)
	}
	return out
}

func TestListOrganisations(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for _, in := range []directory.OrganisationInput{
			{Name: "Regards Citoyens", Kind: "association", Sectors: []string{"open-data", "transparency"}},
			{Name: "Écologie Urbaine", Kind: "association", Sectors: []string{"environment"}},
			{Name: "Ministère de l'Écologie", Kind: "central_administration", Sectors: []string{"environment"}},
			{Name: "Fondation Abbé Pierre", Kind: "foundation", Sectors: []string{"housing", "social"}},
			{Name: "Préfecture du Rhône", Kind: "devolved_service"},
			{Name: "Mairie de Lyon", Kind: "local_authority", Sectors: []string{"participation"}},
			{Name: "Collectif 100%_Logement", Kind: "collective", Sectors: []string{"housing"}},
		} {
			newOrganisation(t, db, in)
		}
		all := []string{"Collectif 100%_Logement", "Écologie Urbaine", "Fondation Abbé Pierre", "Mairie de Lyon",
			"Ministère de l'Écologie", "Préfecture du Rhône", "Regards Citoyens"}
		cases := []struct {
			name string
			f    directory.OrganisationFilter
			want []string
		}{
			{"everything, sorted by name without accents", directory.OrganisationFilter{}, all},
			{"q regards", directory.OrganisationFilter{Q: "regards"}, []string{"Regards Citoyens"}},
			{"q without accent", directory.OrganisationFilter{Q: "ecologie"}, []string{"Écologie Urbaine", "Ministère de l'Écologie"}},
			{"q in capitals with accent", directory.OrganisationFilter{Q: " ÉCOLOGIE "}, []string{"Écologie Urbaine", "Ministère de l'Écologie"}},
			{"q abbe", directory.OrganisationFilter{Q: "abbe pierre"}, []string{"Fondation Abbé Pierre"}},
			{"q percent is literal", directory.OrganisationFilter{Q: "%"}, []string{"Collectif 100%_Logement"}},
			{"q underscore is literal", directory.OrganisationFilter{Q: "_"}, []string{"Collectif 100%_Logement"}},
			{"q nothing", directory.OrganisationFilter{Q: "zzz"}, []string{}},
			{"kind", directory.OrganisationFilter{Kind: "central_administration"}, []string{"Ministère de l'Écologie"}},
			{"college administration", directory.OrganisationFilter{College: "administration"},
				[]string{"Mairie de Lyon", "Ministère de l'Écologie", "Préfecture du Rhône"}},
			{"college civil society", directory.OrganisationFilter{College: "civil_society"},
				[]string{"Collectif 100%_Logement", "Écologie Urbaine", "Fondation Abbé Pierre", "Regards Citoyens"}},
			{"sector", directory.OrganisationFilter{Sector: "environment"}, []string{"Écologie Urbaine", "Ministère de l'Écologie"}},
			{"sector and college", directory.OrganisationFilter{Sector: "housing", College: "civil_society"}, []string{"Collectif 100%_Logement", "Fondation Abbé Pierre"}},
			{"q and kind", directory.OrganisationFilter{Q: "e", Kind: "association"}, []string{"Écologie Urbaine", "Regards Citoyens"}},
		}
		for _, c := range cases {
			orgs, total, err := directory.ListOrganisations(ctx, db, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := orgNames(orgs); !slices.Equal(got, c.want) || total != len(c.want) {
				t.Errorf("%s: %v (total %d), want %v", c.name, got, total, c.want)
			}
		}

		// Pages of three cover the list once, each with the full total.
		var paged []string
		for offset := 0; offset < 9; offset += 3 {
			orgs, total, err := directory.ListOrganisations(ctx, db, directory.OrganisationFilter{Limit: 3, Offset: offset})
			if err != nil || total != len(all) {
				t.Fatalf("page at %d: total %d, %v", offset, total, err)
			}
			if len(orgs) > 3 {
				t.Fatalf("page at %d has %d organisations", offset, len(orgs))
			}
			paged = append(paged, orgNames(orgs)...)
		}
		if !slices.Equal(paged, all) {
			t.Fatalf("pages %v, want %v", paged, all)
		}
		orgs, _, _ := directory.ListOrganisations(ctx, db, directory.OrganisationFilter{Q: "regards"})
		if len(orgs) != 1 || !slices.Equal(orgs[0].Sectors, []string{"open-data", "transparency"}) {
			t.Fatalf("listed organisation without its sectors: %+v", orgs)
		}
	})
}

func TestDeleteOrganisation(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ministry := newOrganisation(t, db, directory.OrganisationInput{Name: "Ministère de la Santé", Kind: "central_administration"})
		agent, err := auth.CreateUser(ctx, db, auth.NewUser{Email: "agent@sante.gouv.fr", Name: "Agent", Role: "agent", OrganisationID: ministry.ID})
		if err != nil {
			t.Fatal(err)
		}
		claire := newPerson(t, db, directory.PersonInput{Name: "Claire Martin", Email: "claire@sante.gouv.fr", OrganisationID: ministry.ID})
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return directory.DeleteOrganisation(ctx, tx, ministry.ID) }); !errors.Is(err, directory.ErrInUse) {
			t.Fatalf("delete while an agent belongs to it: %v, want ErrInUse", err)
		}
		getOrganisation(t, db, ministry.ID)
		if p := getPerson(t, db, claire.ID); p.OrganisationID != ministry.ID || p.College != directory.CollegeAdministration {
			t.Fatalf("refused delete touched the person: %+v", p)
		}

		// Once the agent has left, it goes, and its people stay without it.
		if err := auth.UpdateUser(ctx, db, agent.ID, auth.Agent, "", false); err != nil {
			t.Fatal(err)
		}
		txDo(t, db, func(tx *sql.Tx) error { return directory.DeleteOrganisation(ctx, tx, ministry.ID) })
		if _, err := directory.GetOrganisation(ctx, db, ministry.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted organisation still there: %v", err)
		}
		p := getPerson(t, db, claire.ID)
		if p.OrganisationID != "" || p.OrganisationName != "" || p.College != directory.CollegeCivilSociety {
			t.Fatalf("person after the delete: organisation %q %q college %q", p.OrganisationID, p.OrganisationName, p.College)
		}
		if n := countPeople(t, db, directory.Filter{Q: "sante"}); n != 1 {
			t.Fatalf("person no longer found by e-mail after the delete: %d", n)
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return directory.DeleteOrganisation(ctx, tx, ministry.ID) }); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func TestOrganisationByNameIgnoresCaseAndAccents(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		regards := newOrganisation(t, db, directory.OrganisationInput{Name: "Regards Citoyens"})
		abbe := newOrganisation(t, db, directory.OrganisationInput{Name: "Fondation Abbé Pierre", Kind: "foundation"})
		for name, want := range map[string]string{
			"Regards Citoyens":       regards.ID,
			"regards citoyens":       regards.ID,
			" REGARDS   CITOYENS ":   regards.ID,
			"Régards Citoyens":       regards.ID,
			"fondation abbe pierre":  abbe.ID,
			"FONDATION ABBÉ PIERRE":  abbe.ID,
			"Fondation Abbé\tPierre": abbe.ID,
		} {
			o, err := directory.OrganisationByName(ctx, db, name)
			if err != nil || o.ID != want {
				t.Errorf("OrganisationByName(%q) = %v, %v", name, o, err)
			}
		}
		for _, name := range []string{"Regards", "Regards Citoyens Paris", ""} {
			if _, err := directory.OrganisationByName(ctx, db, name); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("OrganisationByName(%q) = %v, want ErrNotFound", name, err)
			}
		}
	})
}

func TestSectorTaxonomy(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		sectors, err := directory.Sectors(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, s := range sectors {
			slugs = append(slugs, s.Slug)
		}
		seeded := []string{"digital", "open-data", "transparency", "participation", "social", "housing", "health", "environment",
			"education", "justice", "culture", "economy", "international", "research"}
		if !slices.Equal(slugs, seeded) {
			t.Fatalf("seeded sectors %v", slugs)
		}
		if s := sectors[6]; s.Label("fr") != "Santé" || s.Label("en") != "Health" {
			t.Fatalf("labels of health: %q %q", s.Label("fr"), s.Label("en"))
		}

		fe := fieldErrs(t, directory.SaveSector(ctx, db, directory.Sector{Slug: "Sport Loisirs", LabelFR: " ", LabelEN: ""}))
		if fe["slug"] != "error.slug_invalid" || fe["label_fr"] != "error.required" || fe["label_en"] != "error.required" {
			t.Fatalf("sector errors %v", fe)
		}
		if err := directory.SaveSector(ctx, db, directory.Sector{Slug: "sport", LabelFR: "Sport", LabelEN: "Sport"}); err != nil {
			t.Fatal(err)
		}
		if err := directory.SaveSector(ctx, db, directory.Sector{Slug: "health", LabelFR: "Santé publique", LabelEN: "Public health"}); err != nil {
			t.Fatal(err)
		}
		sectors, _ = directory.Sectors(ctx, db)
		if len(sectors) != 15 || sectors[14].Slug != "sport" || sectors[6].Slug != "health" || sectors[6].LabelEN != "Public health" {
			t.Fatalf("after adding sport and relabelling health: %+v", sectors)
		}

		// Deleting a sector takes it off everyone who carried it.
		club := newOrganisation(t, db, directory.OrganisationInput{Name: "Club Sportif", Sectors: []string{"sport", "health"}})
		p := newPerson(t, db, directory.PersonInput{Name: "Paul Durand", Email: "paul@example.net", Sectors: []string{"sport"}})
		if n := countPeople(t, db, directory.Filter{Sectors: []string{"sport"}}); n != 1 {
			t.Fatalf("%d people in sport", n)
		}
		if err := directory.DeleteSector(ctx, db, "sport"); err != nil {
			t.Fatal(err)
		}
		if got := getOrganisation(t, db, club.ID); !slices.Equal(got.Sectors, []string{"health"}) {
			t.Fatalf("organisation sectors after delete: %v", got.Sectors)
		}
		if got := getPerson(t, db, p.ID); len(got.Sectors) != 0 {
			t.Fatalf("person sectors after delete: %v", got.Sectors)
		}
		if err := directory.DeleteSector(ctx, db, "sport"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}
