package directory

import (
	"bytes"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/tools/importbench/messy"
)

// legacyText and legacyWhere are the conditions searches used before they
// were reworked for large directories (one IN per word, the organisation
// joined for its name, college and kind), kept as the reference the new
// ways must agree with: same people, same order, same total.
func legacyText(folded string, arg func(any) string) string {
	scan := func(w string) string {
		p := arg(likePattern(w))
		return `(p.search_text LIKE ` + p + ` ESCAPE '\' OR o.name_key LIKE ` + p + ` ESCAPE '\')`
	}
	prefix := func(w string) (string, string) {
		return arg(head(w)), arg(likeEscaper.Replace(w) + "%")
	}
	if q := strings.TrimSpace(folded); strings.ContainsAny(q, "@.") && !strings.Contains(q, " ") {
		if strings.HasPrefix(q, "@") || len([]rune(q)) < headLen {
			return scan(q)
		}
		h, p := prefix(q)
		// The whole address was a term then; it is the last part of the
		// folded text.
		a := arg("% | % | " + likeEscaper.Replace(q) + "%")
		return `(p.id IN (SELECT pt.person_id FROM person_terms pt WHERE pt.head = ` + h + ` AND pt.term LIKE ` + p + ` ESCAPE '\')
			OR p.search_text LIKE ` + a + ` ESCAPE '\')`
	}
	ws := words(folded)
	if len(ws) == 0 {
		return scan(folded)
	}
	var conds []string
	for _, w := range ws {
		if len([]rune(w)) < headLen {
			// Short words were scanned for anywhere in the text; they are
			// now matched by word prefix, as longer ones.
			p := arg(likeEscaper.Replace(w) + "%")
			conds = append(conds, `p.id IN (SELECT pt.person_id FROM person_terms pt WHERE pt.term LIKE `+p+` ESCAPE '\'
				UNION SELECT op.id FROM people op WHERE op.organisation_id IN
					(SELECT ot.organisation_id FROM organisation_terms ot WHERE ot.term LIKE `+p+` ESCAPE '\'))`)
			continue
		}
		h, p := prefix(w)
		conds = append(conds, `p.id IN (SELECT pt.person_id FROM person_terms pt WHERE pt.head = `+h+` AND pt.term LIKE `+p+` ESCAPE '\'
			UNION SELECT op.id FROM people op WHERE op.organisation_id IN
				(SELECT ot.organisation_id FROM organisation_terms ot WHERE ot.head = `+h+` AND ot.term LIKE `+p+` ESCAPE '\'))`)
	}
	return strings.Join(conds, " AND ")
}

// legacyWhere is the whole condition of a filter as it was before, with
// legacyText; it reads the organisation o joined to each person.
func legacyWhere(f Filter) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if s := Fold(f.Q); s != "" {
		conds = append(conds, legacyText(s, arg))
	}
	if len(f.Sectors) > 0 {
		var ph []string
		for _, s := range f.Sectors {
			ph = append(ph, arg(s))
		}
		in := strings.Join(ph, ", ")
		conds = append(conds, `p.id IN (SELECT ps.person_id FROM person_sectors ps WHERE ps.sector_slug IN (`+in+`)
			UNION SELECT sp.id FROM people sp WHERE sp.organisation_id IN
				(SELECT os.organisation_id FROM organisation_sectors os WHERE os.sector_slug IN (`+in+`)))`)
	}
	if f.College != "" {
		conds = append(conds, `COALESCE(o.college, 'civil_society') = `+arg(f.College))
	}
	if len(f.Kinds) > 0 {
		var ph []string
		for _, k := range f.Kinds {
			ph = append(ph, arg(k))
		}
		conds = append(conds, `COALESCE(o.kind, 'individual') IN (`+strings.Join(ph, ", ")+`)`)
	}
	if f.Language != "" {
		conds = append(conds, `p.language = `+arg(f.Language))
	}
	switch f.Consent {
	case PurposeInfo:
		conds = append(conds, `p.consent_info AND NOT p.opted_out`)
	case PurposeInvitations:
		conds = append(conds, `p.consent_invitations AND NOT p.opted_out`)
	case "none":
		conds = append(conds, `NOT p.consent_info AND NOT p.consent_invitations`)
	case "opted_out":
		conds = append(conds, `p.opted_out`)
	}
	if f.OrganisationID != "" {
		conds = append(conds, `p.organisation_id = `+arg(f.OrganisationID))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// legacyIDs lists the ids of the people matching f in order, the legacy
// way: everything in one query joining the organisation.
func legacyIDs(t *testing.T, db *store.DB, f Filter) []string {
	t.Helper()
	cond, args := legacyWhere(f)
	return queryIDs(t, db, `SELECT p.id`+personFrom+cond+` ORDER BY p.sort_key, p.id`, args...)
}

func queryIDs(t *testing.T, db *store.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func personIDs(people []*Person) []string {
	ids := []string{}
	for _, p := range people {
		ids = append(ids, p.ID)
	}
	return ids
}

// searchCommunity imports a few hundred people as directories hold them
// (accents, capitals, names with particles and apostrophes, organisations
// spelt several ways, e-mail domains of organisations and providers) and a
// few people whose names test the edges of matching.
func searchCommunity(t *testing.T, db *store.DB) {
	t.Helper()
	var file bytes.Buffer
	if err := messy.WriteCSV(&file, 400, messy.UTF8BOM); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPeople(t.Context(), db, &file, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	// Organisations of several kinds and both colleges, one of them
	// (oddly) of the kind of people without an organisation.
	for _, set := range []string{
		`kind = 'local_authority', college = 'administration' WHERE name_key LIKE 'mairie%' OR name_key LIKE 'prefecture%'`,
		`kind = 'collective' WHERE name_key LIKE 'collectif%'`,
		`kind = 'individual' WHERE name_key LIKE 'atelier%'`,
		`kind = 'research', college = 'administration' WHERE name_key LIKE 'universite%'`,
	} {
		if _, err := db.ExecContext(t.Context(), `UPDATE organisations SET `+set); err != nil {
			t.Fatal(err)
		}
	}
	err := db.Tx(t.Context(), func(tx *sql.Tx) error {
		org, err := CreateOrganisation(t.Context(), tx, OrganisationInput{Name: "Œuvre des Marins d'Été", Kind: "association"})
		if err != nil {
			return err
		}
		for _, in := range []PersonInput{
			{Name: "Zoë Œil-de-Bœuf", Email: "zoe@œil.example", OrganisationID: org.ID},
			{Name: "Ana Li", Email: "a.li@x.example"},
			{Name: "Martin Martineau", Email: "m_m@martin.example"},
			{Name: "Jean 100% Sûr", Email: "jean%sur@example.org"},
			{Name: "Ìñès Ñúñez", Email: "ines@ÑUÑEZ.example"},
			{Name: "Paul Mairie", Email: "mairie.lyon@mairie.lyon.example"},
			// A word ending in a character whose last byte in UTF-8 is 0xBF.
			{Name: "Ivan Лип", Email: "ivan.lip@x.example"},
		} {
			if _, err := CreatePerson(t.Context(), tx, in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// searchQueries are fixed queries with their edge cases, and queries drawn
// from the people themselves: their names whole and cut, their addresses
// and domains, their organisations' words.
func searchQueries(t *testing.T, db *store.DB) []string {
	t.Helper()
	qs := []string{
		"martin", "MARTIN", "mart", "martine", "marie martin", "martin marie", "Hélène", "helene", "hélène dubois",
		"françois", "Francois", "jean-pierre", "marie-claire", "le gall", "n'diaye", "ndiaye", "de la tour", "ngu",
		"ødegaard", "odegaard", "çelik", "yılmaz", "œil", "oeil", "bœuf", "marins ete", "ÑÚÑEZ", "nunez", "лип", "ЛИП", "ли",
		"regards", "regards citoyens", "regards citoyens lyon", "logement", "mairie lyon", "santé",
		"an", "le", "li", "é", "a", "an martin", "li ana", "%", "_", "100%", "m_m", "\\",
		"@example", "@ex", "example.org", "mairie.lyon", "mairie.lyon@", "mairie.example", "gmail.example", "sophie.", "jean.martin", "a.li@x.example",
		"MARC@REGARDSCITOYENS.ORG", "m_m@martin.example", "jean%sur@", "ines@ñuñez.example", "zoe@œil",
		"zzzz-nobody", "  martin  ", "martin martin martin", "-", "12", "123", "z", "zo", "oz", "9", "a9", "jean de", "de la",
	}
	rows, err := db.QueryContext(t.Context(), `SELECT p.first_name, p.last_name, p.email, COALESCE(o.name, '')`+personFrom+` ORDER BY p.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	r := rand.New(rand.NewPCG(3, 4))
	for rows.Next() {
		var first, last, email, org string
		if err := rows.Scan(&first, &last, &email, &org); err != nil {
			t.Fatal(err)
		}
		if r.IntN(30) != 0 {
			continue
		}
		cut := func(s string) string {
			rs := []rune(s)
			return string(rs[:min(len(rs), 3+r.IntN(4))])
		}
		local, domain, _ := strings.Cut(email, "@")
		qs = append(qs, last, cut(last), first+" "+last, cut(first)+" "+cut(last), email, cut(local), domain, local+"@")
		if ow := words(org); len(ow) > 0 {
			qs = append(qs, ow[r.IntN(len(ow))], cut(last)+" "+ow[0])
		}
	}
	return qs
}

// TestSearchPathsAgree checks every way a search is run — counted from the
// term index alone or with the people, a page found by sorting the matches
// or by walking the sort index, the keyset walk of exports — against the
// legacy query, on both engines.
func TestSearchPathsAgree(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		searchCommunity(t, db)
		var someOrg string
		if err := db.QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE organisation_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&someOrg); err != nil {
			t.Fatal(err)
		}
		var filters []Filter
		for i, q := range searchQueries(t, db) {
			f := Filter{Q: q}
			// Some queries with other filters, which change how they run.
			switch i % 9 {
			case 1:
				f.College = CollegeCivilSociety
			case 2:
				f.Consent = PurposeInfo
			case 3:
				f.Language = "en"
			case 4:
				f.Sectors = []string{"housing", "health"}
			case 5:
				f.Kinds = []string{"association", "individual"}
			case 6:
				f.OrganisationID = someOrg
			case 7:
				f.College = CollegeAdministration
			case 8:
				f.Kinds = []string{"individual"}
			}
			filters = append(filters, Filter{Q: q}, f)
		}
		filters = append(filters, Filter{}, Filter{Consent: "none"}, Filter{College: CollegeAdministration}, Filter{College: CollegeCivilSociety},
			Filter{Kinds: []string{"individual"}}, Filter{Kinds: []string{"collective", "local_authority"}}, Filter{Sectors: []string{"housing"}},
			Filter{Sectors: []string{"health"}, College: CollegeCivilSociety, Language: "fr"})
		matched := 0
		for _, f := range filters {
			want := legacyIDs(t, db, f)
			if len(want) > 0 {
				matched++
			}
			name := fmt.Sprintf("%+v", f)
			if n, err := CountPeople(ctx, db, f); err != nil || n != len(want) {
				t.Fatalf("%s: CountPeople = %d, %v; want %d", name, n, err, len(want))
			}
			all, err := SearchPeople(ctx, db, f, 1000, 0)
			if err != nil || !slices.Equal(personIDs(all), want) {
				t.Fatalf("%s: SearchPeople = %d people, %v; want %d in the same order", name, len(all), err, len(want))
			}
			fs := f.build(db.Dialect, nil)
			ids, n, err := fs.matches(ctx, db, f)
			if err != nil || n != len(want) || ids != nil && !slices.Equal(slices.Sorted(slices.Values(ids)), slices.Sorted(slices.Values(want))) {
				t.Fatalf("%s: matches = %d ids of %d, %v; want %d", name, len(ids), n, err, len(want))
			}
			if fs.set != "" && ids == nil {
				t.Fatalf("%s: the matches of indexed words come without their ids", name)
			}
			// Every way of finding pages: by the condition or among the
			// ids, sorting the matches or walking the sort index.
			for _, way := range []struct {
				ids  []string
				walk bool
			}{{nil, false}, {nil, true}, {want, false}, {want, true}} {
				var paged []string
				for offset := 0; offset < len(want); offset += 7 {
					page, err := fs.page(ctx, db, way.ids, way.walk, 7, offset)
					if err != nil {
						t.Fatalf("%s: page at %d (ids %v, walk %v): %v", name, offset, way.ids != nil, way.walk, err)
					}
					paged = append(paged, personIDs(page)...)
				}
				if !slices.Equal(paged, want) && len(paged)+len(want) > 0 {
					t.Fatalf("%s: pages of 7 (ids %v, walk %v) = %d people; want %d in the same order", name, way.ids != nil, way.walk, len(paged), len(want))
				}
			}
			page, total, err := SearchPeopleCount(ctx, db, f, 7, 7)
			if err != nil || total != len(want) || !slices.Equal(personIDs(page), want[min(7, len(want)):min(14, len(want))]) {
				t.Fatalf("%s: SearchPeopleCount second page = %d people of %d, %v; want %d", name, len(page), total, err, len(want))
			}
			var walked []string
			if err := EachPerson(ctx, db, f, 50, func(p *Person) error {
				walked = append(walked, p.ID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			slices.Sort(walked)
			sorted := slices.Sorted(slices.Values(want))
			if !slices.Equal(walked, sorted) && len(walked)+len(sorted) > 0 {
				t.Fatalf("%s: EachPerson visited %d people; want %d", name, len(walked), len(want))
			}
		}
		// The queries must find people, or the test proves little.
		if matched < len(filters)/2 {
			t.Fatalf("only %d of %d filters match anyone", matched, len(filters))
		}
	})
}
