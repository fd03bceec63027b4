package demo

import (
	"context"
	"database/sql"
	"errors"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
)

// The demo plan is a part of France's 2021-2023 national action plan:
// seven of its 59 commitments, with their references, lead institutions
// and the design ratings of the IRM's review of the plan (verifiable,
// relevant, ambition). The axes group them for the demonstration; the
// milestones, the indicator's values and the update are made up, and say
// so, so that a newcomer sees a living plan page.

// PlanAgentEmail is the demo agent of the ministry that leads two of the
// demo commitments.
const PlanAgentEmail = "agent.economie@demo.ogforum.org"

const (
	demoPlanTitle = "Plan d'action national pour un gouvernement ouvert 2021-2023 (extrait)"
	irmReview     = "https://www.opengovpartnership.org/documents/france-action-plan-review-2021-2023/"

	orgEurope  = "Ministère de l'Europe et des Affaires étrangères"
	orgEconomy = "Ministère de l'Économie, des Finances et de la Relance"
	orgAFD     = "Agence française de développement"
	orgMTFP    = "Ministère de la Transformation et de la Fonction publiques"
	orgDITP    = "Direction interministérielle de la transformation publique"
	orgCIPC    = "Centre interministériel de la participation citoyenne"
	orgCour    = "Cour des comptes"
)

var planOrgKinds = map[string]string{
	orgEurope: "central_administration", orgEconomy: "central_administration", orgAFD: "public_operator",
	orgMTFP: "central_administration", orgDITP: "central_administration", orgCIPC: "central_administration",
	orgCour: "independent_authority",
}

type demoMilestone struct {
	title, label string
	due          plan.Date
	status       string
	done         plan.Date
	weight       int
}

type demoCommitment struct {
	ref, number, axis, title, titleEN, lead string
	support                                 []string
	values                                  []string
	relevant, ambition                      string
	milestones                              []demoMilestone
}

var demoAxes = []plan.AxisInput{
	{Title: "Transparence de l'action publique", TitleEN: "Transparency of public action"},
	{Title: "Participation des citoyens", TitleEN: "Citizen participation"},
	{Title: "Communs numériques", TitleEN: "Digital commons"},
}

var demoCommitments = []demoCommitment{
	{"FR0051", "1", "3", "Soutenir les communs numériques", "Support for the digital commons", orgEurope, nil,
		[]string{plan.ValueTechnologyInnovation}, "no", "low", []demoMilestone{
			{"Recenser les communs numériques soutenus par l'aide au développement", "", "2022-06-30", plan.MilestoneDone, "2022-05-20", 0},
			{"Publier une feuille de route de soutien aux communs", "Fin 2022", "2022-12-31", plan.MilestoneDone, "2022-12-15", 0},
		}},
	{"FR0054", "2", "1", "Lancer une base de données sur la transparence de l'aide au développement", "Launch aid transparency database",
		orgEurope, []string{orgEconomy, orgAFD}, []string{plan.ValueAccessToInformation}, "yes", "low", []demoMilestone{
			{"Ouvrir la base de données de l'aide publique au développement", "", "2022-03-31", plan.MilestoneDone, "2022-03-28", 0},
			{"Compléter la base avec les projets de l'AFD", "Mi-2023", "2023-06-30", plan.MilestoneInProgress, "", 0},
		}},
	{"FR0067", "3", "1", "Rendre la commande publique plus transparente", "Make public procurement more transparent", orgEconomy, nil,
		[]string{plan.ValueAccessToInformation, plan.ValuePublicAccountability}, "yes", "low", []demoMilestone{
			{"Publier les données essentielles des marchés publics en open data", "", "2021-12-31", plan.MilestoneDone, "2021-12-10", 1},
			{"Étendre la publication aux contrats de concession", "Fin 2022", "2022-12-31", plan.MilestoneDone, "2022-11-30", 2},
			{"Évaluer la qualité et l'usage des données publiées", "", "2023-12-31", plan.MilestoneInProgress, "", 1},
		}},
	{"FR0069", "4", "1", "Améliorer la transparence du plan de relance", "Improve the transparency of the recovery plan", orgEconomy, nil,
		[]string{plan.ValueAccessToInformation, plan.ValuePublicAccountability}, "yes", "low", []demoMilestone{
			{"Publier un tableau de bord du plan de relance par territoire", "", "2021-09-30", plan.MilestoneDone, "2021-09-15", 0},
			{"Ouvrir les données du tableau de bord", "T1 2022", "2022-03-31", plan.MilestoneNotStarted, "", 0},
		}},
	{"FR0090", "5", "2", "Améliorer la qualité des services publics grâce aux retours des usagers (Services Publics+)",
		"Improve the quality of public services by eliciting user input (Services Publics+)", orgMTFP, []string{orgDITP},
		[]string{plan.ValueCivicParticipation, plan.ValuePublicAccountability}, "yes", "", []demoMilestone{
			{"Ouvrir la plateforme de recueil des expériences des usagers", "", "2021-11-30", plan.MilestoneDone, "2021-11-08", 0},
			{"Publier les réponses des services aux expériences des usagers", "", "2022-06-30", plan.MilestoneDone, "2022-06-01", 0},
			{"Afficher les résultats de satisfaction dans chaque service", "Fin 2023", "2023-12-31", plan.MilestoneInProgress, "", 0},
		}},
	{"FR0100", "6", "2", "Rendre les consultations publiques plus transparentes", "Transparency of public consultations", orgMTFP,
		[]string{orgDITP, orgCIPC}, []string{plan.ValueCivicParticipation, plan.ValueAccessToInformation}, "yes", "low", []demoMilestone{
			{"Publier les suites données à chaque consultation", "", "2022-12-31", plan.MilestoneInProgress, "", 0},
		}},
	{"FR0102", "7", "2", "Renforcer la participation citoyenne aux travaux de la Cour des comptes",
		"Increase citizen involvement in the Government Audit Office's work", orgCour, nil,
		[]string{plan.ValueCivicParticipation, plan.ValuePublicAccountability}, "yes", "high", []demoMilestone{
			{"Ouvrir une plateforme de propositions de sujets de contrôle", "", "2022-03-31", plan.MilestoneDone, "2022-02-28", 0},
			{"Retenir des sujets proposés par les citoyens dans le programme de travail", "Fin 2022", "2022-12-31", plan.MilestoneDone, "2022-12-01", 0},
		}},
}

// loadDirectoryAndPlan loads the directory's demo data, then the plan's.
func loadDirectoryAndPlan(ctx context.Context, tx *sql.Tx) (int, error) {
	n, err := loadDirectory(ctx, tx)
	if err != nil {
		return n, err
	}
	m, err := loadPlan(ctx, tx)
	return n + m, err
}

// loadPlan adds the demo plan unless a plan of its title exists.
func loadPlan(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM plans WHERE title = $1`, demoPlanTitle).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	added := 0
	orgs := map[string]string{}
	for name, kind := range planOrgKinds {
		o, err := directory.OrganisationByName(ctx, tx, name)
		if errors.Is(err, store.ErrNotFound) {
			o, err = directory.CreateOrganisation(ctx, tx, directory.OrganisationInput{Name: name, Kind: kind})
			added++
		}
		if err != nil {
			return added, err
		}
		orgs[name] = o.ID
	}
	agent, err := auth.UserByEmail(ctx, tx, PlanAgentEmail)
	if errors.Is(err, store.ErrNotFound) {
		agent, err = auth.CreateUser(ctx, tx, auth.NewUser{Email: PlanAgentEmail, Name: "Nadia Lefort", Role: "agent", OrganisationID: orgs[orgEconomy]})
		added++
	}
	if err != nil {
		return added, err
	}
	ch := plan.Change{Editor: plan.Editor{Label: "demo", Role: auth.Admin}}
	p, err := plan.CreatePlan(ctx, tx, ch, plan.PlanInput{
		Title: demoPlanTitle, TitleEN: "National action plan for open government 2021-2023 (excerpt)",
		Description: "Sept des 59 engagements du plan 2021-2023 de la France, avec leurs administrations porteuses et l'évaluation " +
			"de leur conception par le Mécanisme de rapport indépendant (MRI). Les axes, les jalons, les valeurs de l'indicateur et " +
			"le point d'avancement sont fictifs : ce sont des données de démonstration.",
		StartsOn: "2021-01-01", EndsOn: "2023-12-31", Status: plan.StatusClosed, Axes: demoAxes,
	})
	if err != nil {
		return added, err
	}
	added++
	refs := map[string]string{}
	for _, d := range demoCommitments {
		in := plan.CommitmentInput{Reference: d.ref, Number: d.number, Axis: d.axis, Title: d.title, TitleEN: d.titleEN,
			LeadOrganisationID: orgs[d.lead], OGPValues: d.values,
			IRM: plan.IRM{Verifiable: "yes", Relevant: d.relevant, Ambition: d.ambition, Source: irmReview}}
		for _, s := range d.support {
			in.SupportOrganisationIDs = append(in.SupportOrganisationIDs, orgs[s])
		}
		c, err := plan.CreateCommitment(ctx, tx, ch, p.ID, in)
		if err != nil {
			return added, err
		}
		refs[d.ref] = c.ID
		added++
		for _, m := range d.milestones {
			if _, err := plan.CreateMilestone(ctx, tx, ch, c.ID, plan.MilestoneInput{Title: m.title, DueOn: m.due, DueLabel: m.label,
				Status: m.status, CompletedOn: m.done, Weight: m.weight}); err != nil {
				return added, err
			}
			added++
		}
	}
	n, err = loadIndicator(ctx, tx, ch, plan.EditorOf(agent), refs["FR0067"])
	return added + n, err
}

// loadIndicator gives a commitment of the demo agent's ministry an
// indicator with made-up values, and an update posted by the agent.
func loadIndicator(ctx context.Context, tx *sql.Tx, ch plan.Change, agent plan.Editor, commitmentID string) (int, error) {
	baseline, target := 60.0, 100.0
	ind, err := plan.CreateIndicator(ctx, tx, ch, commitmentID, plan.IndicatorInput{
		Name: "Part des marchés publics dont les données essentielles sont publiées", Unit: "%",
		Baseline: &baseline, BaselineOn: "2021-01-01", Target: &target, TargetOn: "2023-12-31",
	})
	if err != nil {
		return 0, err
	}
	added := 1
	for _, v := range []struct {
		date  plan.Date
		value float64
	}{{"2021-06-30", 64}, {"2021-12-31", 71}, {"2022-06-30", 78}, {"2022-12-31", 85}, {"2023-06-30", 89}} {
		value := v.value
		if _, _, err := plan.AddIndicatorValue(ctx, tx, plan.Change{Editor: agent}, ind.ID, plan.ValueInput{Date: v.date, Value: &value,
			Source: "Valeur fictive (démonstration)"}); err != nil {
			return added, err
		}
		added++
	}
	_, err = plan.PostUpdate(ctx, tx, plan.Change{Editor: agent}, commitmentID, plan.UpdateInput{Status: plan.UpdateOnTrack,
		Body: "Les données essentielles des marchés et des concessions sont publiées. L'évaluation de leur qualité est en cours " +
			"avec les acheteurs publics. (Point d'avancement fictif, pour la démonstration.)"})
	return added + 1, err
}
