package demo

import (
	"context"
	"database/sql"
	"errors"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

var orgSectors = map[string][]string{
	"d3m0rg00000000000001": {"digital", "open-data", "transparency", "participation"},
	"d3m0rg00000000000002": {"environment"},
	"d3m0rg00000000000003": {"transparency", "open-data", "participation"},
	"d3m0rg00000000000004": {"housing", "social"},
	"d3m0rg00000000000005": {"health", "social"},
}

type person struct {
	first, last, email, org, function string
	sectors                           []string
	lang                              string
	info, invitations                 bool
}

var people = []person{
	{"Hélène", "Dubois", "helene.dubois@regardscitoyens.example", "d3m0rg00000000000003", "Présidente", []string{"open-data"}, "fr", true, true},
	{"Thomas", "Lefèvre", "thomas.lefevre@regardscitoyens.example", "d3m0rg00000000000003", "Développeur", nil, "fr", true, false},
	{"Karim", "Benali", "k.benali@fondation-logement.example", "d3m0rg00000000000004", "Chargé de plaidoyer", []string{"housing"}, "fr", true, true},
	{"Sophie", "Nguyen", "s.nguyen@fondation-logement.example", "d3m0rg00000000000004", "Responsable des études", nil, "fr", true, true},
	{"Aïcha", "Diallo", "aicha@sante-en-commun.example", "d3m0rg00000000000005", "Coordinatrice", []string{"health"}, "fr", true, true},
	{"Marc", "Rousseau", "marc.rousseau@ecologie.gouv.example", "d3m0rg00000000000002", "Chef de bureau", []string{"environment"}, "fr", true, false},
	{"Claire", "Fontaine", "claire.fontaine@modernisation.gouv.example", "d3m0rg00000000000001", "Cheffe de mission gouvernement ouvert", nil, "fr", true, true},
	{"James", "O'Neill", "james.oneill@opengov-research.example", "", "Researcher", []string{"research", "international"}, "en", true, true},
	{"Élodie", "Marchand", "elodie.marchand@example.org", "", "Citoyenne", []string{"participation", "education"}, "fr", false, true},
	{"Bruno", "Petit", "bruno.petit@example.org", "", "", []string{"justice"}, "fr", false, false},
}

// loadDirectory adds sectors to the demo organisations and the demo people.
func loadDirectory(ctx context.Context, tx *sql.Tx) (int, error) {
	added := 0
	for id, sectors := range orgSectors {
		for _, s := range sectors {
			res, err := tx.ExecContext(ctx, `INSERT INTO organisation_sectors (organisation_id, sector_slug) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, s)
			if err != nil {
				return added, err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		if err := directory.IndexOrganisation(ctx, tx, id); err != nil {
			return added, err
		}
	}
	for _, p := range people {
		_, err := directory.PersonByEmail(ctx, tx, p.email)
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return added, err
		}
		info, inv := p.info, p.invitations
		_, err = directory.CreatePerson(ctx, tx, directory.PersonInput{
			FirstName: p.first, LastName: p.last, Email: p.email, OrganisationID: p.org, Function: p.function,
			Sectors: p.sectors, Language: p.lang, ConsentInfo: &info, ConsentInvitations: &inv, ConsentMethod: directory.MethodForm, Source: "demo",
		})
		if err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}
