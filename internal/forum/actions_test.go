package forum_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/demo"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestActionItemsLifeAndValidation(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 10, nil)
		var ministry *directory.Organisation
		tx(t, db, func(tx *sql.Tx) (err error) {
			ministry, err = directory.CreateOrganisation(ctx, tx, directory.OrganisationInput{Name: "Ministère de la Transition écologique", Kind: "central_administration"})
			return err
		})

		// Every bad field at once, and nothing written.
		_, err := forum.AddActionItem(ctx, db, f.ID, forum.ActionItemInput{Title: "  ", Description: strings.Repeat("x", 3001),
			Owner: strings.Repeat("y", 201), OwnerOrganisationID: "nope", DueOn: "31/02/2026"})
		for field, key := range map[string]string{"title": "error.required", "description": "error.too_long", "owner": "error.too_long",
			"owner_organisation_id": "error.organisation_unknown", "due_on": "error.forum_action_due_invalid"} {
			if !isField(err, field, key) {
				t.Errorf("%s: want %s, got %v", field, key, err)
			}
		}
		if _, err := forum.AddActionItem(ctx, db, f.ID, forum.ActionItemInput{Title: strings.Repeat("t", 201)}); !isField(err, "title", "error.too_long") {
			t.Errorf("long title: %v", err)
		}
		if _, err := forum.AddActionItem(ctx, db, f.ID, forum.ActionItemInput{Title: "x", DueOn: "1899-01-01"}); !isField(err, "due_on", "error.forum_action_due_invalid") {
			t.Errorf("due in 1899: %v", err)
		}
		if _, err := forum.AddActionItem(ctx, db, store.NewID(), forum.ActionItemInput{Title: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown forum: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM forum_action_items`); n != 0 {
			t.Fatalf("%d items written by refused forms", n)
		}

		a, err := forum.AddActionItem(ctx, db, f.ID, forum.ActionItemInput{Title: " Publier les données des attributions ",
			Description: "Jeu de données en open data.", OwnerOrganisationID: ministry.ID, Owner: "Bureau des données", DueOn: "30/06/2026"})
		if err != nil {
			t.Fatal(err)
		}
		if a.Title != "Publier les données des attributions" || a.DueOn != "2026-06-30" || a.Status != forum.ActionOpen || a.ClosedAt != nil ||
			a.OwnerOrganisation != ministry.Name || a.ForumTitle != f.Title || a.OwnerLabel() != "Ministère de la Transition écologique, Bureau des données" {
			t.Errorf("new item %+v", a)
		}
		b, err := forum.AddActionItem(ctx, db, f.ID, forum.ActionItemInput{Title: "Répondre aux questions écrites", Owner: "DITP"})
		if err != nil {
			t.Fatal(err)
		}
		if b.DueOn != "" || b.OwnerLabel() != "DITP" {
			t.Errorf("second item %+v", b)
		}

		in := a.Input()
		in.DueOn, in.OwnerOrganisationID = "2026-07-15", ""
		if _, err := forum.UpdateActionItem(ctx, db, a.ID, forum.ActionItemInput{Title: ""}); !isField(err, "title", "error.required") {
			t.Errorf("update without a title: %v", err)
		}
		if a, err = forum.UpdateActionItem(ctx, db, a.ID, in); err != nil || a.DueOn != "2026-07-15" || a.OwnerLabel() != "Bureau des données" {
			t.Errorf("update %+v %v", a, err)
		}
		if _, err := forum.UpdateActionItem(ctx, db, store.NewID(), in); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update unknown: %v", err)
		}

		// Status: closing records when, reopening clears it.
		if _, err := forum.SetActionItemStatus(ctx, db, a.ID, "finished"); !isField(err, "status", "error.forum_action_status_invalid") {
			t.Errorf("unknown status: %v", err)
		}
		if a, err = forum.SetActionItemStatus(ctx, db, a.ID, forum.ActionDone); err != nil || a.Status != forum.ActionDone || a.ClosedAt == nil {
			t.Errorf("done %+v %v", a, err)
		}
		if a, err = forum.SetActionItemStatus(ctx, db, a.ID, forum.ActionOpen); err != nil || a.Status != forum.ActionOpen || a.ClosedAt != nil {
			t.Errorf("reopened %+v %v", a, err)
		}
		if b, err = forum.SetActionItemStatus(ctx, db, b.ID, forum.ActionDropped); err != nil || b.Status != forum.ActionDropped || b.ClosedAt == nil {
			t.Errorf("dropped %+v %v", b, err)
		}

		items, err := forum.ActionItems(ctx, db, f.ID)
		if err != nil || len(items) != 2 || items[0].ID != a.ID || items[1].ID != b.ID {
			t.Fatalf("items %v %+v", err, items)
		}
		if err := forum.DeleteActionItem(ctx, db, b.ID); err != nil {
			t.Fatal(err)
		}
		if err := forum.DeleteActionItem(ctx, db, b.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete twice: %v", err)
		}
		// The directory's organisation goes: the item keeps its free text.
		tx(t, db, func(tx *sql.Tx) error {
			_, err := forum.UpdateActionItem(ctx, tx, a.ID, forum.ActionItemInput{Title: a.Title, OwnerOrganisationID: ministry.ID})
			return err
		})
		if _, err := db.ExecContext(ctx, `DELETE FROM organisations WHERE id = $1`, ministry.ID); err != nil {
			t.Fatal(err)
		}
		if a, err = forum.GetActionItem(ctx, db, a.ID); err != nil || a.OwnerOrganisationID != "" {
			t.Errorf("after the organisation is deleted: %+v %v", a, err)
		}

		// Nothing is decided at a cancelled forum.
		tx(t, db, func(tx *sql.Tx) error { _, err := s.Cancel(ctx, tx, f.ID); return err })
		if _, err := forum.AddActionItem(ctx, db, f.ID, forum.ActionItemInput{Title: "x"}); !errors.Is(err, forum.ErrCancelled) {
			t.Errorf("item on a cancelled forum: %v", err)
		}
	})
}

// at creates an open forum starting days from now, in series (or none).
func at(t *testing.T, db *store.DB, s *forum.Service, title string, days int, series string) *forum.Forum {
	t.Helper()
	return newForum(t, db, s, 10, func(in *forum.ForumInput) {
		in.Title, in.SeriesID = title, series
		in.StartsAt = time.Now().UTC().Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Hour)
		in.EndsAt = in.StartsAt.Add(2 * time.Hour)
	})
}

func addAction(t *testing.T, db *store.DB, forumID, title, due string) *forum.ActionItem {
	t.Helper()
	a, err := forum.AddActionItem(context.Background(), db, forumID, forum.ActionItemInput{Title: title, DueOn: due,
		Description: "Décidé au forum.", Owner: "Ministère " + title})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func ids(items []*forum.ActionItem) string {
	var out []string
	for _, a := range items {
		out = append(out, a.Title)
	}
	return strings.Join(out, ",")
}

func TestOpenActionItemsComeBackAndArePulledOnce(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		series, err := forum.CreateSeries(ctx, db, forum.SeriesInput{Title: "Forums OGP", Weekday: 2, WeekOfMonth: 3, FirstMonth: "2026-01", Capacity: 80})
		if err != nil {
			t.Fatal(err)
		}
		other, err := forum.CreateSeries(ctx, db, forum.SeriesInput{Title: "Forums santé", Weekday: 2, WeekOfMonth: 3, FirstMonth: "2026-01", Capacity: 80})
		if err != nil {
			t.Fatal(err)
		}
		january := at(t, db, s, "Janvier", -120, series.ID)
		march := at(t, db, s, "Mars", -60, series.ID)
		cancelled := at(t, db, s, "Annulé", -30, series.ID)
		may := at(t, db, s, "Mai", 10, series.ID)
		july := at(t, db, s, "Juillet", 70, series.ID)
		health := at(t, db, s, "Santé", -50, other.ID)
		loose := at(t, db, s, "Hors série", -40, "")

		addAction(t, db, january.ID, "J-sans-échéance", "")
		jLate := addAction(t, db, january.ID, "J-juin", "2026-06-30")
		jDone := addAction(t, db, january.ID, "J-fait", "2026-01-31")
		mEarly := addAction(t, db, march.ID, "M-avril", "2026-04-15")
		addAction(t, db, march.ID, "M-juin", "2026-06-30") // same day as J-juin, recorded after
		addAction(t, db, cancelled.ID, "Annulé-action", "2026-01-01")
		tx(t, db, func(tx *sql.Tx) error { _, err := s.Cancel(ctx, tx, cancelled.ID); return err })
		addAction(t, db, may.ID, "Mai-action", "2026-01-01")
		healthItem := addAction(t, db, health.ID, "Santé-action", "2026-02-01")
		addAction(t, db, loose.ID, "Hors-série-action", "")
		if _, err := forum.SetActionItemStatus(ctx, db, jDone.ID, forum.ActionDone); err != nil {
			t.Fatal(err)
		}

		// For May: the open items of January and March only (not the
		// cancelled forum's, not another series', not May's own), soonest
		// due first, those without a due day last.
		open, err := forum.OpenActionItemsBefore(ctx, db, may.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ids(open), "M-avril,J-juin,M-juin,J-sans-échéance"; got != want {
			t.Errorf("open before May: %s, want %s", got, want)
		}
		if open[0].ForumTitle != "Mars" || open[0].Pulled {
			t.Errorf("first open item %+v", open[0])
		}
		// A forum outside any series takes every earlier forum's open items.
		later := at(t, db, s, "Hors série 2", 20, "")
		open, err = forum.OpenActionItemsBefore(ctx, db, later.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ids(open), "Mai-action,Santé-action,M-avril,J-juin,M-juin,J-sans-échéance,Hors-série-action"; got != want {
			t.Errorf("open before a loose forum: %s, want %s", got, want)
		}

		// Refusals: nothing chosen, an item that is not an open one of an
		// earlier forum of the series, and all or nothing.
		pull := func(forumID string, ids ...string) ([]*forum.AgendaItem, error) {
			var out []*forum.AgendaItem
			err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
				out, err = forum.PullActionItems(ctx, tx, forumID, ids)
				return err
			})
			return out, err
		}
		if _, err := pull(may.ID); !isField(err, "action_item_ids", "error.forum_action_none_selected") {
			t.Errorf("empty pull: %v", err)
		}
		for _, bad := range []string{jDone.ID, healthItem.ID, store.NewID()} {
			if _, err := pull(may.ID, mEarly.ID, bad); !isField(err, "action_item_ids", "error.forum_action_not_eligible") {
				t.Errorf("pull of %s: %v", bad, err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM forum_agenda_items WHERE forum_id = $1`, may.ID); n != 0 {
			t.Fatalf("%d agenda items after refused pulls", n)
		}
		if _, err := pull(store.NewID(), mEarly.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("pull into an unknown forum: %v", err)
		}

		// The pull: each item becomes an agenda item, after the ones there.
		if _, err := forum.AddAgendaItem(ctx, db, may.ID, forum.AgendaItemInput{Title: "Accueil", DurationMinutes: 10}); err != nil {
			t.Fatal(err)
		}
		got, err := pull(may.ID, jLate.ID, mEarly.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Title != "J-juin" || got[0].Description != "Décidé au forum." || got[0].Presenter != "Ministère J-juin" ||
			got[0].ActionItemID != jLate.ID || got[0].FollowUpForumID != january.ID || got[0].FollowUpForumTitle != "Janvier" ||
			got[0].Position != 2 || got[1].Position != 3 || got[1].FollowUpForumTitle != "Mars" {
			t.Errorf("pulled %+v %+v", got[0], got[1])
		}
		// Twice: a clear refusal, at the field; nothing added.
		_, err = pull(may.ID, jLate.ID)
		if !errors.Is(err, forum.ErrAlreadyPulled) || !isField(err, "action_item_ids", "error.forum_action_already_pulled") {
			t.Errorf("second pull: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM forum_agenda_items WHERE forum_id = $1`, may.ID); n != 3 {
			t.Errorf("%d agenda items after the second pull, want 3", n)
		}
		// The database holds the rule too.
		var agendaID string
		tx(t, db, func(tx *sql.Tx) error {
			it, err := forum.AddAgendaItem(ctx, tx, may.ID, forum.AgendaItemInput{Title: "Copie"})
			agendaID = it.ID
			return err
		})
		if _, err := db.ExecContext(ctx, `UPDATE forum_agenda_items SET action_item_id = $1 WHERE id = $2`, jLate.ID, agendaID); !errors.Is(store.Map(err), store.ErrConflict) {
			t.Errorf("second link by hand: %v", err)
		}
		open, _ = forum.OpenActionItemsBefore(ctx, db, may.ID)
		pulled := map[string]bool{}
		for _, a := range open {
			pulled[a.Title] = a.Pulled
		}
		if !pulled["J-juin"] || !pulled["M-avril"] || pulled["M-juin"] {
			t.Errorf("pulled flags %v", pulled)
		}
		// Another forum may take it again, until it is done.
		if _, err := pull(july.ID, jLate.ID); err != nil {
			t.Errorf("pull into July: %v", err)
		}
		if _, err := forum.SetActionItemStatus(ctx, db, mEarly.ID, forum.ActionDone); err != nil {
			t.Fatal(err)
		}
		if _, err := pull(july.ID, mEarly.ID); !isField(err, "action_item_ids", "error.forum_action_not_eligible") {
			t.Errorf("pull of a done item: %v", err)
		}
		// Deleting the action item keeps the agenda item, unlinked.
		if err := forum.DeleteActionItem(ctx, db, jLate.ID); err != nil {
			t.Fatal(err)
		}
		it, err := forum.GetAgendaItem(ctx, db, got[0].ID)
		if err != nil || it.ActionItemID != "" || it.FollowUpForumID != "" || it.Title != "J-juin" {
			t.Errorf("agenda item after its action item went: %+v %v", it, err)
		}
	})
}

// The demo shows the feature: a held forum with its action items, whose
// open ones come back for the next forum.
func TestDemoHasActionItems(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		all, err := forum.ListForums(ctx, db, forum.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var held, next *forum.Forum
		for _, f := range all {
			switch f.Status {
			case forum.StatusHeld:
				held = f
			case forum.StatusOpen:
				next = f
			}
		}
		if held == nil || next == nil || !held.StartsAt.Before(time.Now()) {
			t.Fatalf("demo forums %+v", all)
		}
		items, err := forum.ActionItems(ctx, db, held.ID)
		if err != nil {
			t.Fatal(err)
		}
		statuses := map[string]int{}
		for _, a := range items {
			statuses[a.Status]++
		}
		if statuses[forum.ActionOpen] != 2 || statuses[forum.ActionDone] != 1 {
			t.Errorf("demo action items %v", statuses)
		}
		open, err := forum.OpenActionItemsBefore(ctx, db, next.ID)
		if err != nil || len(open) != 2 {
			t.Errorf("open items for the next forum: %v %d", err, len(open))
		}
	})
}
