package demo

import (
	"context"
	"database/sql"
	"time"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/store"
)

// demoRegistrants register for the demo forum: people of the demo
// directory and a few newcomers.
var demoRegistrants = []forum.RegistrationInput{
	{FirstName: "Hélène", LastName: "Dubois", Email: "helene.dubois@regardscitoyens.example", Organisation: "Regards Citoyens", College: "civil_society", Function: "Présidente"},
	{FirstName: "Karim", LastName: "Benali", Email: "k.benali@fondation-logement.example", Organisation: "Fondation pour le logement des défavorisés", College: "civil_society", Dietary: "végétarien"},
	{FirstName: "Aïcha", LastName: "Diallo", Email: "aicha@sante-en-commun.example", Organisation: "Collectif Santé en Commun", College: "civil_society", Accessibility: "accès en fauteuil roulant"},
	{FirstName: "Marc", LastName: "Rousseau", Email: "marc.rousseau@ecologie.gouv.example", Organisation: "Ministère de la Transition écologique", College: "administration", Function: "Chef de bureau"},
	{FirstName: "James", LastName: "O'Neill", Email: "james.oneill@opengov-research.example", Organisation: "OpenGov Research", College: "civil_society", Language: "en"},
	{FirstName: "Élodie", LastName: "Marchand", Email: "elodie.marchand@example.org", College: "civil_society"},
	{FirstName: "Lucas", LastName: "Petitjean", Email: "lucas.petitjean@example.org", Organisation: "Association Quartiers Solidaires", College: "civil_society"},
	{FirstName: "Nadia", LastName: "Haddad", Email: "nadia.haddad@example.org", Organisation: "Université de Lille", College: "civil_society", Function: "Chercheuse"},
}

// loadForums adds a forum series with its next forum, open for
// registration, a few registrants, proposed themes, and the forum held
// before it with its action items (see loadHeldForum); only
// into a database without any series. Mails it queues (confirmations)
// carry links to the default local address.
func loadForums(ctx context.Context, db *store.DB) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM forum_series`).Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	svc := forum.New(db, forum.Config{Catalog: i18n.MustLoad(), BaseURL: "http://127.0.0.1:8080"})
	added := 0
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		series, err := forum.CreateSeries(ctx, tx, forum.SeriesInput{
			Title: "Forum ouvert du gouvernement ouvert", OrganiserTeam: "Équipe gouvernement ouvert",
			Description: "Tous les deux mois, la société civile interroge les administrations qui portent les engagements du plan d'action national.",
			Weekday:     2, WeekOfMonth: 3, EveryMonths: 2, FirstMonth: time.Now().UTC().Format("2006-01"),
			StartTime: "17:00", EndTime: "19:00", Timezone: "Europe/Paris",
			Venue: "Ministère de la Transformation et de la Fonction publiques, salle 3", Address: "101 rue de Grenelle, 75007 Paris",
			AccessInfo: "Entrée par le 101 rue de Grenelle ; pièce d'identité demandée à l'accueil ; salle accessible en fauteuil roulant.",
			Capacity:   80,
		})
		if err != nil {
			return err
		}
		dates := series.NextDates(time.Now().Add(7*24*time.Hour), 1)
		if len(dates) == 0 {
			return nil
		}
		in := series.ForumInput(dates[0])
		in.CivilSocietyShare, in.MaxPerOrganisation = 60, 5
		f, err := forum.CreateForum(ctx, tx, in)
		if err != nil {
			return err
		}
		if _, err := svc.Open(ctx, tx, f.ID); err != nil {
			return err
		}
		added += 2
		n, err := loadHeldForum(ctx, tx, svc, series, f)
		if err != nil {
			return err
		}
		added += n
		var voters []forum.Voter
		for _, r := range demoRegistrants {
			r.Consent, r.PublicListing = true, r.Organisation != ""
			reg, _, err := svc.Register(ctx, tx, f.ID, r)
			if err != nil {
				return err
			}
			voters = append(voters, forum.Voter{RegistrationID: reg.ID})
			added++
		}
		for _, t := range []forum.ThemeInput{
			{Title: "Logement : où en est l'ouverture des données des attributions ?", Description: "Suivi de l'engagement sur les données du logement social."},
			{Title: "Santé : transparence des liens d'intérêts", Description: "Ce que la base Transparence-Santé permet aujourd'hui."},
		} {
			if _, err := forum.ProposeTheme(ctx, tx, f.ID, voters[added%len(voters)], t); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	return added, err
}

// demoActions are the action items decided at the demo's held forum: the
// first is done, the other two stay open and come back for the next forum.
var demoActions = []forum.ActionItemInput{
	{Title: "Publier le jeu de données des attributions de logements sociaux", OwnerOrganisationID: "d3m0rg00000000000002",
		Description: "Publication sur data.gouv.fr, avec un dictionnaire des variables."},
	{Title: "Présenter l'état d'avancement de l'engagement sur la transparence des liens d'intérêts", Owner: "Ministère de la Santé",
		Description: "Point d'étape promis lors du forum, avec le calendrier de la nouvelle version de Transparence-Santé."},
	{Title: "Répondre par écrit aux questions restées sans réponse", OwnerOrganisationID: "d3m0rg00000000000001",
		Owner: "Équipe gouvernement ouvert", Description: "Les réponses seront publiées sur la page du forum."},
}

// loadHeldForum adds the forum of the series held before next, with its
// action items (one done, two open), and puts one of the open ones on the
// agenda of next, so that the demo shows follow-ups both ways.
func loadHeldForum(ctx context.Context, tx *sql.Tx, svc *forum.Service, series *forum.Series, next *forum.Forum) (int, error) {
	var prev *forum.Occurrence
	for _, o := range series.NextDates(next.StartsAt.Add(-150*24*time.Hour), 6) {
		if o.EndsAt.Before(time.Now()) && o.StartsAt.Before(next.StartsAt) {
			prev = &o
		}
	}
	if prev == nil {
		return 0, nil
	}
	in := series.ForumInput(*prev)
	held, err := forum.CreateForum(ctx, tx, in)
	if err != nil {
		return 0, err
	}
	if _, err := svc.Open(ctx, tx, held.ID); err != nil {
		return 0, err
	}
	if _, err := svc.SetStatus(ctx, tx, held.ID, forum.StatusHeld); err != nil {
		return 0, err
	}
	added := 1
	var open []string
	for i, a := range demoActions {
		a.DueOn = time.Now().UTC().AddDate(0, 0, 15*i).Format("2006-01-02")
		item, err := forum.AddActionItem(ctx, tx, held.ID, a)
		if err != nil {
			return added, err
		}
		added++
		if i == 0 {
			if _, err := forum.SetActionItemStatus(ctx, tx, item.ID, forum.ActionDone); err != nil {
				return added, err
			}
		} else {
			open = append(open, item.ID)
		}
	}
	if _, err := forum.PullActionItems(ctx, tx, next.ID, open[:1]); err != nil {
		return added, err
	}
	return added + 1, nil
}
