package forum_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/valid"
)

func TestThemesVotesAndAgenda(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 10, nil)
		member, err := auth.CreateUser(ctx, db, auth.NewUser{Email: "person001@example.org", Name: "Membre", Role: "member"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := auth.CreateUser(ctx, db, auth.NewUser{Email: "other@example.org", Name: "Autre", Role: "member"})
		if err != nil {
			t.Fatal(err)
		}
		// The member registered too, with the same address.
		reg, _ := mustRegister(t, db, s, f.ID, person(1))
		reg2, _ := mustRegister(t, db, s, f.ID, person(2))
		asMember := forum.Voter{UserID: member.ID}
		asRegistrant := forum.Voter{RegistrationID: reg.ID}

		if _, err := forum.ProposeTheme(ctx, db, f.ID, asMember, forum.ThemeInput{}); !isField(err, "title", "error.required") {
			t.Errorf("theme without a title: %v", err)
		}
		housing, err := forum.ProposeTheme(ctx, db, f.ID, asMember, forum.ThemeInput{Title: "Logement", Description: "Données du logement social"})
		if err != nil {
			t.Fatal(err)
		}
		health, err := forum.ProposeTheme(ctx, db, f.ID, forum.Voter{RegistrationID: reg2.ID}, forum.ThemeInput{Title: "Santé"})
		if err != nil {
			t.Fatal(err)
		}
		justice, err := forum.ProposeTheme(ctx, db, f.ID, asMember, forum.ThemeInput{Title: "Justice"})
		if err != nil {
			t.Fatal(err)
		}
		// A registrant of another forum is no voter here.
		g := newForum(t, db, s, 10, nil)
		outsider, _ := mustRegister(t, db, s, g.ID, person(3))
		if err := forum.Vote(ctx, db, housing.ID, forum.Voter{RegistrationID: outsider.ID}); !errors.Is(err, forum.ErrNotVoter) {
			t.Errorf("outsider's vote: %v", err)
		}
		if err := forum.Vote(ctx, db, housing.ID, forum.Voter{}); !errors.Is(err, forum.ErrNotVoter) {
			t.Errorf("anonymous vote: %v", err)
		}
		// One vote per person and theme, whether as a member or a registrant,
		// also inside a transaction that goes on.
		if err := forum.Vote(ctx, db, health.ID, asMember); err != nil {
			t.Fatal(err)
		}
		tx(t, db, func(tx *sql.Tx) error {
			if err := forum.Vote(ctx, tx, health.ID, asMember); !errors.Is(err, forum.ErrAlreadyVoted) {
				t.Errorf("second vote: %v", err)
			}
			if err := forum.Vote(ctx, tx, health.ID, asRegistrant); !errors.Is(err, forum.ErrAlreadyVoted) {
				t.Errorf("second vote as a registrant: %v", err)
			}
			return forum.Vote(ctx, tx, health.ID, forum.Voter{UserID: other.ID})
		})
		if err := forum.Vote(ctx, db, justice.ID, asRegistrant); err != nil {
			t.Fatal(err)
		}
		themes, err := forum.ListThemes(ctx, db, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(themes) != 3 || themes[0].ID != health.ID || themes[0].Votes != 2 || themes[1].ID != justice.ID || themes[2].Votes != 0 {
			t.Errorf("themes by votes: %+v %+v %+v", themes[0], themes[1], themes[2])
		}
		voted, err := forum.VotedThemes(ctx, db, f.ID, asRegistrant)
		if err != nil || !voted[health.ID] || !voted[justice.ID] || voted[housing.ID] {
			t.Errorf("voted %v %v", voted, err)
		}
		if err := forum.Unvote(ctx, db, justice.ID, asMember); err != nil {
			t.Errorf("unvote: %v", err)
		}
		if err := forum.Unvote(ctx, db, justice.ID, asMember); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unvote twice: %v", err)
		}

		// The organiser fixes the agenda on two themes at most.
		if err := forum.SelectThemes(ctx, db, f.ID, []string{housing.ID, health.ID, justice.ID}); !isField(err, "themes", "error.forum_themes_too_many") {
			t.Errorf("three themes: %v", err)
		}
		if err := forum.SelectThemes(ctx, db, f.ID, []string{housing.ID, health.ID}); err != nil {
			t.Fatal(err)
		}
		if th, _ := forum.GetTheme(ctx, db, health.ID); !th.Selected {
			t.Error("health not selected")
		}
		var ministry *directory.Organisation
		tx(t, db, func(tx *sql.Tx) (err error) {
			ministry, err = directory.CreateOrganisation(ctx, tx, directory.OrganisationInput{Name: "Ministère du Logement", Kind: "central_administration"})
			return err
		})
		if err := forum.PublishAgenda(ctx, db, f.ID); !errors.Is(err, forum.ErrAgendaEmpty) {
			t.Errorf("empty agenda published: %v", err)
		}
		a, err := forum.AddAgendaItem(ctx, db, f.ID, forum.AgendaItemInput{Title: "Accueil", DurationMinutes: 10})
		if err != nil {
			t.Fatal(err)
		}
		b, err := forum.AddAgendaItem(ctx, db, f.ID, forum.AgendaItemInput{Title: "Logement : questions", DurationMinutes: 60,
			PresenterOrganisationID: ministry.ID, ThemeID: housing.ID})
		if err != nil {
			t.Fatal(err)
		}
		c, err := forum.AddAgendaItem(ctx, db, f.ID, forum.AgendaItemInput{Title: "Conclusion", DurationMinutes: 10})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := forum.AddAgendaItem(ctx, db, f.ID, forum.AgendaItemInput{Title: "x", DurationMinutes: -5, PresenterOrganisationID: "nope",
			ThemeID: "nope"}); !isField(err, "duration_minutes", "error.forum_duration_range") || !isField(err, "presenter_organisation_id", "error.organisation_unknown") || !isField(err, "theme_id", "error.forum_theme_unknown") {
			t.Errorf("bad item: %v", err)
		}
		if err := forum.MoveAgendaItem(ctx, db, c.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := forum.DeleteAgendaItem(ctx, db, a.ID); err != nil {
			t.Fatal(err)
		}
		items, err := forum.Agenda(ctx, db, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || items[0].ID != c.ID || items[0].Position != 1 || items[1].ID != b.ID || items[1].Position != 2 ||
			items[1].PresenterOrganisation != "Ministère du Logement" {
			t.Errorf("agenda: %+v %+v", items[0], items[1])
		}
		if err := forum.PublishAgenda(ctx, db, f.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := forum.GetForum(ctx, db, f.ID); got.AgendaPublishedAt == nil {
			t.Error("agenda not published")
		}

		// Once the forum is held, themes are closed.
		tx(t, db, func(tx *sql.Tx) error { _, err := s.SetStatus(ctx, tx, f.ID, forum.StatusHeld); return err })
		if _, err := forum.ProposeTheme(ctx, db, f.ID, asMember, forum.ThemeInput{Title: "Tard"}); !errors.Is(err, forum.ErrThemesClosed) {
			t.Errorf("proposal after the forum: %v", err)
		}
		if err := forum.Vote(ctx, db, housing.ID, asMember); !errors.Is(err, forum.ErrThemesClosed) {
			t.Errorf("vote after the forum: %v", err)
		}
	})
}

func isField(err error, field, key string) bool {
	var fe valid.Errors
	return errors.As(err, &fe) && fe[field] == key
}
