package forum_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/valid"
)

// Every refusal has its reason, and a refused registration writes
// nothing: no registration, no mail.
func TestRegistrationRefusals(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		past := time.Now().UTC().Add(-time.Hour)
		later := time.Now().UTC().Add(24 * time.Hour)
		open := newForum(t, db, s, 10, func(in *forum.ForumInput) { in.MaxPerOrganisation = 1 })
		mustRegister(t, db, s, open.ID, func() forum.RegistrationInput { p := person(1); p.Organisation = "Association Été"; return p }())
		closedDeadline := newForum(t, db, s, 10, func(in *forum.ForumInput) { in.RegistrationDeadline = &past })
		notYet := newForum(t, db, s, 10, func(in *forum.ForumInput) { in.RegistrationOpensAt = &later })
		invited := newForum(t, db, s, 10, func(in *forum.ForumInput) { in.InvitationOnly = true })
		var draft, closed, cancelled *forum.Forum
		tx(t, db, func(tx *sql.Tx) (err error) {
			in := open.Input()
			if draft, err = forum.CreateForum(ctx, tx, in); err != nil {
				return err
			}
			if closed, err = forum.CreateForum(ctx, tx, in); err != nil {
				return err
			}
			if _, err = s.Open(ctx, tx, closed.ID); err != nil {
				return err
			}
			if _, err = s.Close(ctx, tx, closed.ID); err != nil {
				return err
			}
			if cancelled, err = forum.CreateForum(ctx, tx, in); err != nil {
				return err
			}
			_, err = s.Cancel(ctx, tx, cancelled.ID)
			return err
		})
		_, usedToken, err := forum.CreateInvitation(ctx, db, invited.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		inv := person(50)
		inv.InvitationToken = usedToken
		mustRegister(t, db, s, invited.ID, inv)
		_, otherForumToken, err := forum.CreateInvitation(ctx, db, open.ID, "")
		if err != nil {
			t.Fatal(err)
		}

		with := func(mod func(*forum.RegistrationInput)) forum.RegistrationInput {
			in := person(2)
			mod(&in)
			return in
		}
		cases := []struct {
			name  string
			forum string
			in    forum.RegistrationInput
			err   error  // sentinel, or nil for field errors
			field string // field of the valid.Errors
			key   string
		}{
			{"after the deadline", closedDeadline.ID, person(2), forum.ErrDeadlinePassed, "", ""},
			{"before opening", notYet.ID, person(2), forum.ErrNotYetOpen, "", ""},
			{"draft forum", draft.ID, person(2), forum.ErrNotOpen, "", ""},
			{"closed forum", closed.ID, person(2), forum.ErrNotOpen, "", ""},
			{"cancelled forum", cancelled.ID, person(2), forum.ErrCancelled, "", ""},
			{"no consent", open.ID, with(func(in *forum.RegistrationInput) { in.Consent = false }), nil, "consent", "error.consent_required"},
			{"invalid e-mail", open.ID, with(func(in *forum.RegistrationInput) { in.Email = "jean.dupont@" }), nil, "email", "error.email_invalid"},
			{"no e-mail", open.ID, with(func(in *forum.RegistrationInput) { in.Email = "" }), nil, "email", "error.required"},
			{"no name", open.ID, with(func(in *forum.RegistrationInput) { in.FirstName, in.LastName = "", "" }), nil, "last_name", "error.required"},
			{"no college", open.ID, with(func(in *forum.RegistrationInput) { in.College = "" }), nil, "college", "error.required"},
			{"unknown college", open.ID, with(func(in *forum.RegistrationInput) { in.College = "press" }), nil, "college", "error.college_invalid"},
			{"over the organisation cap", open.ID, with(func(in *forum.RegistrationInput) { in.Organisation = "  ASSOCIATION ete " }), nil, "organisation", "error.forum_organisation_full"},
			{"invitation only, no invitation", invited.ID, person(2), forum.ErrInvitationRequired, "", ""},
			{"invitation only, wrong invitation", invited.ID, with(func(in *forum.RegistrationInput) { in.InvitationToken = "not-a-token" }), forum.ErrInvitationRequired, "", ""},
			{"invitation only, another forum's invitation", invited.ID, with(func(in *forum.RegistrationInput) { in.InvitationToken = otherForumToken }), forum.ErrInvitationRequired, "", ""},
			{"invitation only, invitation used", invited.ID, with(func(in *forum.RegistrationInput) { in.InvitationToken = usedToken }), forum.ErrInvitationRequired, "", ""},
		}
		for _, c := range cases {
			regs := count(t, db, `SELECT COUNT(*) FROM forum_registrations`)
			mails := count(t, db, `SELECT COUNT(*) FROM mails`)
			_, _, err := register(t, db, s, c.forum, c.in)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Errorf("%s: got %v, want %v", c.name, err, c.err)
				}
				if forum.ErrorKey(err) == "" {
					t.Errorf("%s: no translation key for %v", c.name, err)
				}
			} else {
				var fe valid.Errors
				if !errors.As(err, &fe) || fe[c.field] != c.key {
					t.Errorf("%s: got %v, want %s=%s", c.name, err, c.field, c.key)
				}
			}
			if n := count(t, db, `SELECT COUNT(*) FROM forum_registrations`); n != regs {
				t.Errorf("%s: %d registrations written", c.name, n-regs)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM mails`); n != mails {
				t.Errorf("%s: %d mails queued", c.name, n-mails)
			}
		}
		// A valid invitation works, once.
		_, token, err := forum.CreateInvitation(ctx, db, invited.ID, "invitee@example.org")
		if err != nil {
			t.Fatal(err)
		}
		in := person(3)
		in.InvitationToken = token
		r, manage := mustRegister(t, db, s, invited.ID, in)
		if r.Status != forum.Confirmed {
			t.Errorf("invited registrant: %s", r.Status)
		}
		in = person(4)
		in.InvitationToken = token
		if _, _, err := register(t, db, s, invited.ID, in); !errors.Is(err, forum.ErrInvitationRequired) {
			t.Errorf("second use of an invitation: %v", err)
		}
		// Cancelling frees the invitation for its owner.
		tx(t, db, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, r.ID, manage); return err })
		if _, _, err := register(t, db, s, invited.ID, in); err != nil {
			t.Errorf("invitation after its registration was cancelled: %v", err)
		}
	})
}

// The same address never holds two active registrations for one forum:
// the refusal carries the existing registration's status.
func TestDuplicateRegistration(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 1, nil)
		first, token := mustRegister(t, db, s, f.ID, person(1))
		waiting, _ := mustRegister(t, db, s, f.ID, person(2))

		again := person(1)
		again.Email = "  PERSON001@Example.ORG "
		again.FirstName = "Autre"
		_, _, err := register(t, db, s, f.ID, again)
		var dup *forum.AlreadyRegisteredError
		if !errors.Is(err, forum.ErrAlreadyRegistered) || !errors.As(err, &dup) {
			t.Fatalf("duplicate: %v", err)
		}
		if dup.Status != forum.Confirmed || dup.RegistrationID != first.ID {
			t.Errorf("duplicate carries %+v", dup)
		}
		if forum.ErrorKey(err) != "error.forum_already_registered" {
			t.Errorf("key %q", forum.ErrorKey(err))
		}
		_, _, err = register(t, db, s, f.ID, person(2))
		if !errors.As(err, &dup) || dup.Status != forum.Waitlisted || dup.WaitlistPosition != 1 || dup.RegistrationID != waiting.ID {
			t.Errorf("waiting duplicate: %v %+v", err, dup)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM forum_registrations WHERE forum_id = $1`, f.ID); n != 2 {
			t.Errorf("%d registrations", n)
		}
		// After a cancellation the address may register again.
		tx(t, db, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, first.ID, token); return err })
		if _, _, err := register(t, db, s, f.ID, person(1)); err != nil {
			t.Errorf("register again after cancelling: %v", err)
		}
		// Another forum is another matter.
		other := newForum(t, db, s, 1, nil)
		if _, _, err := register(t, db, s, other.ID, person(2)); err != nil {
			t.Errorf("same address, other forum: %v", err)
		}
	})
}

// Reserved seats go to civil society only; the others are open to all;
// promotion skips a waiting person whose college has no seat left.
func TestCivilSocietyShare(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		// 10 seats, 60% reserved: 6 for civil society, 4 open to all.
		f := newForum(t, db, s, 10, func(in *forum.ForumInput) { in.CivilSocietyShare = 60 })
		if f.ReservedSeats() != 6 {
			t.Fatalf("reserved %d", f.ReservedSeats())
		}
		tokens := map[string]string{}
		reg := func(in forum.RegistrationInput) *forum.Registration {
			r, tok := mustRegister(t, db, s, f.ID, in)
			tokens[r.ID] = tok
			return r
		}
		var admins []*forum.Registration
		for i := 1; i <= 5; i++ {
			admins = append(admins, reg(admin(i)))
		}
		for i, r := range admins {
			if (i < 4) != (r.Status == forum.Confirmed) {
				t.Errorf("administration %d: %s", i+1, r.Status)
			}
		}
		a, _ := forum.Seats(ctx, db, f)
		if a.SeatsLeft != 6 || a.OpenSeatsLeft != 0 {
			t.Errorf("after 4 administrations: %+v", a)
		}
		var civil []*forum.Registration
		for i := 1; i <= 7; i++ {
			civil = append(civil, reg(person(i)))
		}
		for i, r := range civil {
			if (i < 6) != (r.Status == forum.Confirmed) {
				t.Errorf("civil society %d: %s %d", i+1, r.Status, r.WaitlistPosition)
			}
		}
		if civil[6].WaitlistPosition != 2 {
			t.Errorf("7th civil society waits at %d, want 2 (behind the administration)", civil[6].WaitlistPosition)
		}
		// A civil-society seat frees: the administration first in line
		// cannot take it, the civil-society person behind does.
		tx(t, db, func(tx *sql.Tx) error {
			_, _, err := s.CancelRegistration(ctx, tx, civil[0].ID, tokens[civil[0].ID])
			return err
		})
		if r := get(t, db, admins[4].ID); r.Status != forum.Waitlisted || r.WaitlistPosition != 1 {
			t.Errorf("waiting administration: %s %d", r.Status, r.WaitlistPosition)
		}
		if r := get(t, db, civil[6].ID); r.Status != forum.Confirmed {
			t.Errorf("waiting civil society: %s", r.Status)
		}
		// An open seat frees: the administration gets it.
		tx(t, db, func(tx *sql.Tx) error {
			_, _, err := s.CancelRegistration(ctx, tx, admins[0].ID, tokens[admins[0].ID])
			return err
		})
		if r := get(t, db, admins[4].ID); r.Status != forum.Confirmed {
			t.Errorf("administration after an open seat freed: %s", r.Status)
		}
		// Civil society may fill the whole room.
		g := newForum(t, db, s, 4, func(in *forum.ForumInput) { in.CivilSocietyShare = 50 })
		for i := 1; i <= 4; i++ {
			if r, _ := mustRegister(t, db, s, g.ID, person(i)); r.Status != forum.Confirmed {
				t.Errorf("civil society %d in a room for 4: %s", i, r.Status)
			}
		}
	})
}

// The organisation cap refuses registrations at the organisation field
// (names compared without case or accents) and is respected when the
// waiting list is promoted.
func TestOrganisationCapUnderPromotion(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 3, func(in *forum.ForumInput) { in.MaxPerOrganisation = 3 })
		org := func(in forum.RegistrationInput, name string) forum.RegistrationInput {
			in.Organisation = name
			return in
		}
		a1, _ := mustRegister(t, db, s, f.ID, org(person(1), "Collectif Énergie"))
		a2, _ := mustRegister(t, db, s, f.ID, org(person(2), "collectif energie"))
		b1, b1token := mustRegister(t, db, s, f.ID, org(person(3), "Bureau"))
		a3, _ := mustRegister(t, db, s, f.ID, org(person(4), "COLLECTIF ÉNERGIE "))
		b2, _ := mustRegister(t, db, s, f.ID, org(person(5), "Bureau"))
		for _, r := range []*forum.Registration{a1, a2, b1} {
			if r.Status != forum.Confirmed {
				t.Fatalf("%s: %s", r.Email, r.Status)
			}
		}
		if a3.WaitlistPosition != 1 || b2.WaitlistPosition != 2 {
			t.Fatalf("waiting: %d %d", a3.WaitlistPosition, b2.WaitlistPosition)
		}
		// A fourth of the collective is refused: 3 active already.
		_, _, err := register(t, db, s, f.ID, org(person(6), "Collectif Energie"))
		var fe valid.Errors
		if !errors.As(err, &fe) || fe["organisation"] != "error.forum_organisation_full" {
			t.Errorf("fourth of the organisation: %v", err)
		}
		// The organiser lowers the cap to 2: the collective has its two
		// seats; when the bureau's seat frees, the collective's waiting
		// member is skipped and the bureau's is promoted.
		tx(t, db, func(tx *sql.Tx) error {
			in := f.Input()
			in.MaxPerOrganisation = 2
			_, err := s.UpdateForum(ctx, tx, f.ID, in)
			return err
		})
		var promoted []*forum.Registration
		tx(t, db, func(tx *sql.Tx) (err error) {
			_, promoted, err = s.CancelRegistration(ctx, tx, b1.ID, b1token)
			return err
		})
		if len(promoted) != 1 || promoted[0].ID != b2.ID {
			t.Fatalf("promoted %v, want the bureau's second", promoted)
		}
		if r := get(t, db, a3.ID); r.Status != forum.Waitlisted || r.WaitlistPosition != 1 {
			t.Errorf("collective's third: %s %d", r.Status, r.WaitlistPosition)
		}
		// A person without an organisation is never capped.
		for i := 10; i < 14; i++ {
			if _, _, err := register(t, db, s, f.ID, person(i)); err != nil {
				t.Errorf("no organisation: %v", err)
			}
		}
	})
}

// Names are stored as typed: escaping is the renderer's job.
func TestNamesStoredVerbatim(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		f := newForum(t, db, s, 5, nil)
		in := person(1)
		in.FirstName, in.LastName, in.Organisation = "<script>alert(1)</script>", "O'Brien & \"Fils\"", "<b>Asso</b>"
		r, _ := mustRegister(t, db, s, f.ID, in)
		got := get(t, db, r.ID)
		if got.FirstName != in.FirstName || got.LastName != in.LastName || got.Organisation != in.Organisation {
			t.Errorf("stored %q %q %q", got.FirstName, got.LastName, got.Organisation)
		}
		// A single name is split at its last space.
		in = person(2)
		in.FirstName, in.LastName, in.Name = "", "", "Marie-Claire de Vries"
		r, _ = mustRegister(t, db, s, f.ID, in)
		if r.FirstName != "Marie-Claire de" || r.LastName != "Vries" {
			t.Errorf("split %q / %q", r.FirstName, r.LastName)
		}
	})
}

// A registrant changes their details through their link; a change of
// college must still find a seat.
func TestChangeRegistration(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 2, func(in *forum.ForumInput) { in.CivilSocietyShare = 50 })
		a, _ := mustRegister(t, db, s, f.ID, admin(1))
		c, ctoken := mustRegister(t, db, s, f.ID, person(2))
		change := forum.ChangeInput{FirstName: "Camille", LastName: "Durand", College: "administration", Dietary: "vegetarian", Language: "en"}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := s.ChangeRegistration(ctx, tx, c.ID, ctoken, false, change)
			return err
		})
		var fe valid.Errors
		if !errors.As(err, &fe) || fe["college"] != "error.forum_college_full" {
			t.Errorf("college change without a seat: %v", err)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := s.ChangeRegistration(ctx, tx, c.ID, "bad", false, change)
			return err
		})
		if !errors.Is(err, forum.ErrInvalidToken) {
			t.Errorf("change with a wrong token: %v", err)
		}
		change.College = "civil_society"
		var got *forum.Registration
		tx(t, db, func(tx *sql.Tx) (err error) {
			got, err = s.ChangeRegistration(ctx, tx, c.ID, ctoken, false, change)
			return err
		})
		if got.FirstName != "Camille" || got.Dietary != "vegetarian" || got.Language != "en" || got.Email != c.Email {
			t.Errorf("changed: %+v", got)
		}
		if got := get(t, db, a.ID); got.Status != forum.Confirmed {
			t.Errorf("the administration's seat: %s", got.Status)
		}
	})
}
