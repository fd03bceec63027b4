package forum_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// The reception desk: check-in by id or by the QR code, undo, walk-ins
// beyond capacity, the attendance list by surname and the catering count.
func TestReceptionDesk(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 4, nil)
		names := [][2]string{{"Émile", "Zola"}, {"Élodie", "Durand"}, {"Zoé", "dupont"}, {"Anne", "Ébrard"}, {"Luc", "Waiting"}}
		var regs []*forum.Registration
		for i, n := range names {
			in := person(i + 1)
			in.FirstName, in.LastName = n[0], n[1]
			in.Dietary = []string{"vegetarian", "Végétarien", "", "halal", "vegan"}[i]
			if i == 0 {
				in.Accessibility = "Fauteuil roulant"
			}
			r, _ := mustRegister(t, db, s, f.ID, in)
			regs = append(regs, r)
		}
		other := newForum(t, db, s, 4, nil)
		stranger, _ := mustRegister(t, db, s, other.ID, person(9))

		// Check-in by id, twice: the first time stays.
		first, err := forum.CheckIn(ctx, db, f.ID, regs[0].ID)
		if err != nil || first.CheckedInAt == nil {
			t.Fatalf("check-in: %v", err)
		}
		again, err := forum.CheckIn(ctx, db, f.ID, regs[0].ID)
		if err != nil || !again.CheckedInAt.Equal(*first.CheckedInAt) {
			t.Errorf("second check-in: %v %v", again.CheckedInAt, err)
		}
		// By the QR code, case ignored.
		r, err := forum.CheckInByToken(ctx, db, f.ID, " "+strings.ToLower(regs[1].CheckInToken)+" ")
		if err != nil || r.ID != regs[1].ID || r.CheckedInAt == nil {
			t.Errorf("check-in by code: %v %v", r, err)
		}
		if _, err := forum.CheckInByToken(ctx, db, f.ID, stranger.CheckInToken); !errors.Is(err, forum.ErrInvalidToken) {
			t.Errorf("another forum's code: %v", err)
		}
		if _, err := forum.CheckInByToken(ctx, db, f.ID, "NOPE"); !errors.Is(err, forum.ErrInvalidToken) {
			t.Errorf("unknown code: %v", err)
		}
		if _, err := forum.CheckIn(ctx, db, f.ID, stranger.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another forum's registration: %v", err)
		}
		if _, err := forum.CheckIn(ctx, db, f.ID, regs[4].ID); !errors.Is(err, forum.ErrNotConfirmed) {
			t.Errorf("waiting person: %v", err)
		}
		// Undo.
		r, err = forum.UndoCheckIn(ctx, db, f.ID, regs[1].ID)
		if err != nil || r.CheckedInAt != nil {
			t.Errorf("undo: %v %v", r.CheckedInAt, err)
		}

		// A walk-in beyond capacity is confirmed, checked in and counted.
		var walk *forum.Registration
		tx(t, db, func(tx *sql.Tx) (err error) {
			walk, err = s.WalkIn(ctx, tx, f.ID, forum.RegistrationInput{Name: "Jean Ávila", College: "administration", Dietary: "vegan"})
			return err
		})
		if walk.Status != forum.Confirmed || !walk.WalkIn || walk.CheckedInAt == nil || walk.Email != "" {
			t.Errorf("walk-in: %+v", walk)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := s.WalkIn(ctx, tx, f.ID, forum.RegistrationInput{Name: "Already Here", Email: regs[2].Email, College: "civil_society"})
			return err
		})
		if !errors.Is(err, forum.ErrAlreadyRegistered) {
			t.Errorf("walk-in of a registrant: %v", err)
		}
		a, _ := forum.Seats(ctx, db, f)
		if a.Confirmed != 5 || a.SeatsLeft != 0 || a.Waitlisted != 1 {
			t.Errorf("seats with a walk-in: %+v", a)
		}
		// The walk-in's seat counts: a cancellation does not promote.
		tx(t, db, func(tx *sql.Tx) error { _, _, err := s.Remove(ctx, tx, regs[3].ID); return err })
		if got := get(t, db, regs[4].ID); got.Status != forum.Waitlisted {
			t.Errorf("promotion while the room is full with a walk-in: %s", got.Status)
		}

		list, err := forum.Attendance(ctx, db, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, r := range list {
			order = append(order, r.LastName)
		}
		if got := strings.Join(order, ","); got != "Ávila,dupont,Durand,Zola" {
			t.Errorf("attendance order %s", got)
		}
		c, err := forum.CateringSummary(ctx, db, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Confirmed != 4 || c.CheckedIn != 2 || c.WalkIns != 1 || c.Waitlisted != 1 || c.Accessibility != 1 {
			t.Errorf("catering %+v", c)
		}
		if c.Dietary["vegetarian"] != 1 || c.Dietary["vegetarien"] != 1 || c.Dietary["vegan"] != 1 || c.Dietary["halal"] != 0 {
			t.Errorf("dietary %v", c.Dietary)
		}
		// Search as you type, accents ignored.
		found, err := forum.ListRegistrations(ctx, db, f.ID, forum.RegistrationFilter{Query: "ELODIE"})
		if err != nil || len(found) != 1 || found[0].ID != regs[1].ID {
			t.Errorf("search: %v %v", found, err)
		}
	})
}

func TestParticipatingOrganisations(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		f := newForum(t, db, s, 10, nil)
		for i, o := range []struct {
			org    string
			public bool
		}{{"Regards Citoyens", true}, {"regards citoyens", true}, {"Secret Asso", false}, {"Anticor", true}, {"", true}} {
			in := person(i)
			in.Organisation, in.PublicListing = o.org, o.public
			mustRegister(t, db, s, f.ID, in)
		}
		got, err := forum.ParticipatingOrganisations(context.Background(), db, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "|") != "Anticor|Regards Citoyens" {
			t.Errorf("public organisations %q", got)
		}
	})
}
