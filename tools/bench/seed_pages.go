package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"time"
)

// Sizes of the pages of issues 4 and 5.
const (
	planCommitments  = 60
	planMilestones   = 5   // per commitment: 300
	planIndicators   = 100 // 2 on the first 40 commitments, 1 on the other 20
	planValues       = 24  // per indicator: monthly, 2025-01 to 2026-12
	forumRegistrants = 100
	forumCapacity    = 120
	forumAgendaItems = 5
	seedWorkers      = 8 // concurrent API calls while seeding
)

// planSeed is what seedPlan made.
type planSeed struct {
	id, lastReference       string
	requests                int
	took                    time.Duration
	commitments, milestones int
	indicators, values      int
}

// seedPlan creates, through the API, a plan of 60 commitments with 5
// milestones each, and 100 indicators of 24 monthly values, led by the
// administrations among the organisations.
func seedPlan(ctx context.Context, a *apiClient) (planSeed, error) {
	t0 := time.Now()
	var s planSeed
	var orgs struct {
		Organisations []struct {
			ID string `json:"id"`
		} `json:"organisations"`
	}
	if _, err := a.call(ctx, http.MethodGet, "/api/v1/organisations?college=administration", nil, http.StatusOK, &orgs); err != nil {
		return s, err
	}
	if len(orgs.Organisations) == 0 {
		return s, fmt.Errorf("no administration among the organisations to lead commitments")
	}
	axes := []map[string]string{
		{"title": "Transparence de l'action publique", "title_en": "Transparency of public action"},
		{"title": "Participation citoyenne", "title_en": "Citizen participation"},
		{"title": "Numérique et données ouvertes", "title_en": "Digital and open data"},
		{"title": "Intégrité et redevabilité", "title_en": "Integrity and accountability"},
	}
	id, err := a.create(ctx, "/api/v1/plans", map[string]any{
		"title": "Plan d'action national 2025-2027", "title_en": "National action plan 2025-2027",
		"starts_on": "2025-01-01", "ends_on": "2027-12-31", "status": "implementation", "axes": axes,
	})
	if err != nil {
		return s, err
	}
	s.id, s.requests = id, 2
	values := []string{"access_to_information", "civic_participation", "public_accountability", "technology_innovation"}
	commitments := make([]string, planCommitments)
	err = parallel(ctx, planCommitments, seedWorkers, func(ctx context.Context, i int) error {
		n := i + 1
		c, err := a.create(ctx, "/api/v1/plans/"+id+"/commitments", map[string]any{
			"reference": fmt.Sprintf("FR%04d", n), "number": fmt.Sprint(n),
			"title":       fmt.Sprintf("Engagement %d : ouvrir les données et rendre compte de l'action publique, volet %d", n, n),
			"title_en":    fmt.Sprintf("Commitment %d: open the data and account for public action, part %d", n, n),
			"description": strings.Repeat("Ouvrir, publier et expliquer les données de l'administration, avec la société civile. ", 4),
			"axis":        fmt.Sprint(i%len(axes) + 1), "lead_organisation_id": orgs.Organisations[i%len(orgs.Organisations)].ID,
			"ogp_values": values[:1+i%len(values)],
		})
		commitments[i] = c
		return err
	})
	if err != nil {
		return s, err
	}
	s.commitments = planCommitments
	s.lastReference = fmt.Sprintf("FR%04d", planCommitments)
	// Milestones: done in the past, in progress, not started; some past due.
	statuses := []string{"done", "done", "in_progress", "not_started", "not_started"}
	err = parallel(ctx, planCommitments*planMilestones, seedWorkers, func(ctx context.Context, k int) error {
		c, m := k/planMilestones, k%planMilestones
		due := time.Date(2025, time.Month(3+6*m+c%6), 28, 0, 0, 0, 0, time.UTC)
		body := map[string]any{"title": fmt.Sprintf("Jalon %d.%d : publier le rapport d'étape", c+1, m+1),
			"due_on": due.Format(time.DateOnly), "status": statuses[m]}
		if statuses[m] == "done" {
			body["completed_on"] = due.AddDate(0, 0, -7).Format(time.DateOnly)
		}
		_, err := a.create(ctx, "/api/v1/commitments/"+commitments[c]+"/milestones", body)
		return err
	})
	if err != nil {
		return s, err
	}
	s.milestones = planCommitments * planMilestones
	// Indicators, each with its values posted in date order.
	err = parallel(ctx, planIndicators, seedWorkers, func(ctx context.Context, k int) error {
		c := k % planCommitments
		ind, err := a.create(ctx, "/api/v1/commitments/"+commitments[c]+"/indicators", map[string]any{
			"name": fmt.Sprintf("Indicateur %d : jeux de données publiés", k+1), "unit": "jeux de données",
			"baseline": 10, "baseline_on": "2024-10-31", "target": 250, "target_on": "2027-12-31",
		})
		if err != nil {
			return err
		}
		for v := range planValues {
			date := time.Date(2024, time.Month(11+v+1), 0, 0, 0, 0, 0, time.UTC) // last day of the month, 2024-11 to 2026-10
			var out struct {
				Value    struct{ ID string } `json:"value"`
				Warnings []any               `json:"warnings"`
			}
			path := "/api/v1/indicators/" + ind + "/values"
			if _, err := a.call(ctx, http.MethodPost, path, map[string]any{
				"date": date.Format(time.DateOnly), "value": 10 + 8*v + k%7, "source": "Rapport mensuel", "comment": "Mesure du mois",
			}, http.StatusCreated, &out); err != nil {
				return err
			}
			if out.Value.ID == "" || len(out.Warnings) > 0 {
				return fmt.Errorf("POST %s: value %q, warnings %v", path, out.Value.ID, out.Warnings)
			}
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	s.indicators, s.values = planIndicators, planIndicators*planValues
	s.requests += planCommitments + s.milestones + s.indicators + s.values
	s.took = time.Since(t0)
	return s, nil
}

// forumSeed is what seedForum made.
type forumSeed struct {
	id, firstItem string
	requests      int
	took          time.Duration
}

// seedForum creates a series and its next forum (capacity 120), three
// proposed themes, an agenda of five items (published), opens it and
// registers 100 people through the public API.
func seedForum(ctx context.Context, a *apiClient) (forumSeed, error) {
	t0 := time.Now()
	var s forumSeed
	series, err := a.create(ctx, "/api/v1/series", map[string]any{
		"title": "Forum ouvert de l'action publique", "organiser_team": "Équipe du gouvernement ouvert",
		"weekday": 4, "week_of_month": 2, "every_months": 2, "first_month": "2027-01", "capacity": forumCapacity,
		"venue": "Ministère, salle des conférences", "address": "20 avenue de Ségur, 75007 Paris",
	})
	if err != nil {
		return s, err
	}
	start := time.Date(2027, 3, 11, 17, 0, 0, 0, time.FixedZone("CET", 3600))
	id, err := a.create(ctx, "/api/v1/forums", map[string]any{
		"series_id": series, "title": "Forum ouvert n° 12 : la redevabilité des engagements",
		"description": "Un forum pour suivre les engagements du plan d'action national.",
		"starts_at":   start.Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).Format(time.RFC3339),
		"venue": "Ministère, salle des conférences", "address": "20 avenue de Ségur, 75007 Paris", "capacity": forumCapacity,
	})
	if err != nil {
		return s, err
	}
	s.id, s.requests = id, 2
	for i, title := range []string{"Données de santé", "Logement et transparence", "Participation des jeunes"} {
		if _, err := a.create(ctx, "/api/v1/forums/"+id+"/themes", map[string]any{"title": title,
			"description": fmt.Sprintf("Thème proposé n° %d pour le prochain forum.", i+1)}); err != nil {
			return s, err
		}
		s.requests++
	}
	// The agenda has no API: the organiser's HTML forms, with the bearer
	// token (which the cross-origin check exempts). Items carry no
	// presenter: see the report of the bench in docs/BENCHMARKS.md.
	items := []string{"Accueil et tour de table", "Point d'étape sur les engagements", "Questions à l'administration", "Ateliers en petits groupes", "Conclusions et prochaines étapes"}
	s.firstItem = items[0]
	for i, title := range items[:forumAgendaItems] {
		form := url.Values{"title": {title}, "duration_minutes": {fmt.Sprint(10 + 10*i)},
			"description": {"Animé par l'équipe du forum, avec les participants."}}
		if err := agendaPost(ctx, a, "/forums/"+id+"/agenda/items", form); err != nil {
			return s, err
		}
		s.requests++
	}
	if err := agendaPost(ctx, a, "/forums/"+id+"/agenda/publish", url.Values{}); err != nil {
		return s, err
	}
	if _, err := a.call(ctx, http.MethodPost, "/api/v1/forums/"+id+"/open", nil, http.StatusOK, nil); err != nil {
		return s, err
	}
	s.requests += 2
	public := newAPIClient(a.base, "")
	err = parallel(ctx, forumRegistrants, seedWorkers, func(ctx context.Context, i int) error {
		return registerOne(ctx, public, id, i, "confirmed")
	})
	s.requests += forumRegistrants
	s.took = time.Since(t0)
	return s, err
}

// registerOne registers person i to the forum through the public API; the
// answer's status must be want unless want is empty.
func registerOne(ctx context.Context, a *apiClient, forumID string, i int, want string) error {
	var out registration
	if _, err := a.call(ctx, http.MethodPost, "/api/v1/forums/"+forumID+"/registrations", registrationBody(i), http.StatusCreated, &out); err != nil {
		return err
	}
	if want != "" && out.Status != want {
		return fmt.Errorf("registration %d: status %q, want %q", i, out.Status, want)
	}
	return nil
}

var (
	firstNames = []string{"Hélène", "Jean", "Aïcha", "François", "Léa", "Mathieu", "Zoé", "Noël", "Inès", "Grégoire"}
	lastNames  = []string{"Dupont", "Lefèvre", "Moreau", "Benali", "Garçon", "Nguyen", "Rousseau", "Müller", "Da Silva", "Éluard"}
	orgNames   = []string{"Association Regards Citoyens", "Collectif Logement Digne", "Fondation Santé Ouverte", "Syndicat des usagers",
		"Ministère de la Transition numérique", "Préfecture de la Gironde", "Ville de Lyon", "Institut de recherche", "Médias libres", "Entreprise Données Claires"}
)

func registrationBody(i int) map[string]any {
	college := "civil_society"
	if i%10 >= 4 && i%10 <= 6 {
		college = "administration"
	}
	return map[string]any{
		"first_name": firstNames[i%len(firstNames)], "last_name": lastNames[(i/len(firstNames))%len(lastNames)],
		"email":        fmt.Sprintf("personne%05d@bench.test", i),
		"organisation": orgNames[i%len(orgNames)], "college": college, "function": "Chargée de mission",
		"consent": true, "public_listing": i%2 == 0,
	}
}

// registration is the API's answer to a registration.
type registration struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	WaitlistPosition int    `json:"waitlist_position"`
}

func agendaPost(ctx context.Context, a *apiClient, path string, form url.Values) error {
	h, err := a.call(ctx, http.MethodPost, path, form, http.StatusSeeOther, nil)
	if err != nil {
		return err
	}
	if loc := h.Get("Location"); strings.Contains(loc, "refused=") {
		return fmt.Errorf("POST %s: refused (%s)", path, loc)
	}
	return nil
}

// loginLink asks the command line for a one-time sign-in link for email
// and returns its secret (the last path segment of the URL).
func loginLink(ctx context.Context, bin string, dbArgs []string, email string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, append([]string{"login-link", "--email", email}, dbArgs...)...)
	cmd.Env = serverEnv()
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("ogforum login-link: %w", errDetail(err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	link := strings.TrimSpace(lines[len(lines)-1])
	return link[strings.LastIndexByte(link, '/')+1:], nil
}

// signIn redeems a sign-in link's secret as the browser's form does and
// returns the session cookie ("name=value").
func signIn(ctx context.Context, base, secret string) (string, error) {
	a := newAPIClient(base, "")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/sign-in/"+secret, nil)
	if err != nil {
		return "", err
	}
	res, err := a.client.Do(req)
	if err != nil {
		return "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("POST /sign-in/…: %s, want 303", res.Status)
	}
	cookie := ""
	for _, c := range res.Cookies() {
		if strings.Contains(c.Name, "session") && c.Value != "" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		return "", fmt.Errorf("POST /sign-in/…: no session cookie")
	}
	// The account page answers only a signed-in visitor.
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, base+"/account", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Cookie", cookie)
	if res, err = a.client.Do(req); err != nil {
		return "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /account with the session cookie: %s, want 200", res.Status)
	}
	return cookie, nil
}
