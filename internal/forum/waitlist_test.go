package forum_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/valid"
)

// Beyond capacity people wait in order of arrival; a cancellation promotes
// the first waiting person, a capacity increase as many as it frees, and
// each promoted person is mailed in the same transaction.
func TestWaitingListAndPromotion(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 3, nil)
		tokens := map[int]string{}
		regs := map[int]*forum.Registration{}
		for i := 1; i <= 7; i++ {
			regs[i], tokens[i] = mustRegister(t, db, s, f.ID, person(i))
		}
		for i := 1; i <= 7; i++ {
			r := regs[i]
			wantStatus, wantPos := forum.Confirmed, 0
			if i > 3 {
				wantStatus, wantPos = forum.Waitlisted, i-3
			}
			if r.Status != wantStatus || r.WaitlistPosition != wantPos {
				t.Errorf("person %d: %s %d, want %s %d", i, r.Status, r.WaitlistPosition, wantStatus, wantPos)
			}
			ms := mailsTo(t, db, r.Email)
			if len(ms) != 1 {
				t.Fatalf("person %d: %d mails", i, len(ms))
			}
			m := ms[0]
			if !strings.Contains(m.Text, forum.ManageURL(baseURL, r.ID, tokens[i])) {
				t.Errorf("person %d: the mail lacks the manage link:\n%s", i, m.Text)
			}
			if i <= 3 {
				var ics, qr bool
				for _, a := range m.Attach {
					ics = ics || (a.Filename == "forum.ics" && strings.Contains(string(a.Data), "BEGIN:VEVENT"))
					qr = qr || a.ContentType == "image/png"
				}
				if len(m.Attach) != 2 || !ics || !qr {
					t.Errorf("person %d: confirmation without its calendar file and QR code (%d attachments)", i, len(m.Attach))
				}
				if !strings.Contains(m.Text, r.CheckInToken) {
					t.Errorf("person %d: confirmation without the check-in code", i)
				}
			} else if len(m.Attach) != 0 || !strings.Contains(m.Subject, "position "+strconv.Itoa(i-3)) {
				t.Errorf("person %d: waiting mail %q with %d attachments", i, m.Subject, len(m.Attach))
			}
		}

		// Person 2 cancels: person 4, first in line, gets the seat.
		var promoted []*forum.Registration
		tx(t, db, func(tx *sql.Tx) (err error) {
			_, promoted, err = s.CancelRegistration(ctx, tx, regs[2].ID, tokens[2])
			return err
		})
		if len(promoted) != 1 || promoted[0].ID != regs[4].ID {
			t.Fatalf("promoted %v, want person 4", promoted)
		}
		if r := get(t, db, regs[2].ID); r.Status != forum.Cancelled || r.CancelledBy != forum.ByRegistrant {
			t.Errorf("cancelled registration: %s by %q", r.Status, r.CancelledBy)
		}
		if r := get(t, db, regs[4].ID); r.Status != forum.Confirmed || r.WaitlistPosition != 0 {
			t.Errorf("person 4 after promotion: %s %d", r.Status, r.WaitlistPosition)
		}
		ms := mailsTo(t, db, regs[4].Email)
		if len(ms) != 2 || len(ms[1].Attach) != 2 || !strings.Contains(ms[1].Subject, "place") {
			t.Fatalf("person 4's promotion mail: %+v", ms)
		}
		// The promotion mail's link works; the old one no longer does.
		newLink := ms[1].Text[strings.Index(ms[1].Text, "?token=")+len("?token="):]
		newLink = newLink[:strings.IndexAny(newLink, "\n ")]
		if _, err := forum.RegistrationByToken(ctx, db, regs[4].ID, newLink); err != nil {
			t.Errorf("the promotion mail's link: %v", err)
		}
		if _, err := forum.RegistrationByToken(ctx, db, regs[4].ID, tokens[4]); !errors.Is(err, forum.ErrInvalidToken) {
			t.Errorf("the old link still works: %v", err)
		}
		for i, want := range map[int]int{5: 1, 6: 2, 7: 3} {
			if r := get(t, db, regs[i].ID); r.Status != forum.Waitlisted || r.WaitlistPosition != want {
				t.Errorf("person %d after promotion: %s %d, want position %d", i, r.Status, r.WaitlistPosition, want)
			}
		}

		// A waiting person who cancels leaves no gap.
		tx(t, db, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, regs[5].ID, tokens[5]); return err })
		if r := get(t, db, regs[6].ID); r.WaitlistPosition != 1 {
			t.Errorf("person 6: position %d, want 1", r.WaitlistPosition)
		}

		// Two more seats: persons 6 and 7 are promoted and mailed.
		tx(t, db, func(tx *sql.Tx) error {
			in := f.Input()
			in.Capacity = 5
			_, err := s.UpdateForum(ctx, tx, f.ID, in)
			return err
		})
		for _, i := range []int{6, 7} {
			if r := get(t, db, regs[i].ID); r.Status != forum.Confirmed {
				t.Errorf("person %d after the capacity increase: %s", i, r.Status)
			}
			if ms := mailsTo(t, db, regs[i].Email); len(ms) != 2 {
				t.Errorf("person %d: %d mails after promotion", i, len(ms))
			}
		}
		a, err := forum.Seats(ctx, db, f)
		if err != nil {
			t.Fatal(err)
		}
		if a.Confirmed != 5 || a.Waitlisted != 0 {
			t.Errorf("seats: %+v", a)
		}
		// The capacity cannot go below the confirmed seats.
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			in := f.Input()
			in.Capacity = 4
			_, err := s.UpdateForum(ctx, tx, f.ID, in)
			return err
		})
		var fe valid.Errors
		if !errors.As(err, &fe) || fe["capacity"] != "error.forum_capacity_below_confirmed" {
			t.Errorf("capacity below confirmed: %v", err)
		}
	})
}

// A wrong token changes nothing: no cancellation, no promotion, no mail.
func TestCancelWithWrongToken(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 1, nil)
		r, token := mustRegister(t, db, s, f.ID, person(1))
		w, _ := mustRegister(t, db, s, f.ID, person(2))
		mails := count(t, db, `SELECT COUNT(*) FROM mails`)
		for _, bad := range []string{"", "wrong", token + "x", strings.ToUpper(token), token[:len(token)-1]} {
			err := db.Tx(ctx, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, r.ID, bad); return err })
			if !errors.Is(err, forum.ErrInvalidToken) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		// Another registration's id with this token fails too.
		err := db.Tx(ctx, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, w.ID, token); return err })
		if !errors.Is(err, forum.ErrInvalidToken) {
			t.Errorf("token of another registration: %v", err)
		}
		if got := get(t, db, r.ID); got.Status != forum.Confirmed {
			t.Errorf("status %s after wrong tokens", got.Status)
		}
		if got := get(t, db, w.ID); got.Status != forum.Waitlisted || got.WaitlistPosition != 1 {
			t.Errorf("waiting person: %s %d", got.Status, got.WaitlistPosition)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM mails`); n != mails {
			t.Errorf("%d mails queued by wrong tokens", n-mails)
		}
		// The right token works once.
		tx(t, db, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, r.ID, token); return err })
		err = db.Tx(ctx, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, r.ID, token); return err })
		if !errors.Is(err, forum.ErrNotActive) {
			t.Errorf("second cancellation: %v", err)
		}
	})
}

// Organisers promote (within the rules, or forcing), move and remove by
// hand.
func TestOrganiserWaitingListOperations(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 2, nil)
		var rs []*forum.Registration
		for i := 1; i <= 6; i++ {
			r, _ := mustRegister(t, db, s, f.ID, person(i))
			rs = append(rs, r)
		}
		// Waiting: 3, 4, 5, 6. Move 6 to the front, then 3 to the end.
		tx(t, db, func(tx *sql.Tx) error { _, err := s.MoveWaitlisted(ctx, tx, rs[5].ID, 1); return err })
		tx(t, db, func(tx *sql.Tx) error { _, err := s.MoveWaitlisted(ctx, tx, rs[2].ID, 99); return err })
		order := []int{5, 3, 4, 2}
		for pos, i := range order {
			if r := get(t, db, rs[i].ID); r.WaitlistPosition != pos+1 {
				t.Errorf("person %d at %d, want %d", i+1, r.WaitlistPosition, pos+1)
			}
		}
		// No seat is free: a promotion within the rules is refused...
		err := db.Tx(ctx, func(tx *sql.Tx) error { _, err := s.Promote(ctx, tx, rs[3].ID, false); return err })
		if !errors.Is(err, forum.ErrNoSeat) {
			t.Errorf("promotion without a seat: %v", err)
		}
		// ...a forced one goes beyond the capacity.
		tx(t, db, func(tx *sql.Tx) error { _, err := s.Promote(ctx, tx, rs[3].ID, true); return err })
		if r := get(t, db, rs[3].ID); r.Status != forum.Confirmed {
			t.Errorf("forced promotion: %s", r.Status)
		}
		if len(mailsTo(t, db, rs[3].Email)) != 2 {
			t.Error("no mail for the forced promotion")
		}
		// Removing a confirmed person leaves 2 confirmed out of 2 seats: no
		// promotion; removing another frees a seat for the head of line.
		tx(t, db, func(tx *sql.Tx) error { _, _, err := s.Remove(ctx, tx, rs[0].ID); return err })
		if r := get(t, db, rs[5].ID); r.Status != forum.Waitlisted {
			t.Errorf("promotion while at capacity: %s", r.Status)
		}
		var promoted []*forum.Registration
		tx(t, db, func(tx *sql.Tx) (err error) { _, promoted, err = s.Remove(ctx, tx, rs[1].ID); return err })
		if len(promoted) != 1 || promoted[0].ID != rs[5].ID {
			t.Errorf("promoted %v, want person 6", promoted)
		}
		if r := get(t, db, rs[0].ID); r.Status != forum.Cancelled || r.CancelledBy != forum.ByOrganiser {
			t.Errorf("removed: %s by %s", r.Status, r.CancelledBy)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error { _, err := s.MoveWaitlisted(ctx, tx, rs[0].ID, 1); return err })
		if !errors.Is(err, forum.ErrNotWaitlisted) {
			t.Errorf("moving a cancelled registration: %v", err)
		}
	})
}

// Occupancy alerts: one job per threshold, ever.
func TestOccupancyAlerts(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(db)
		f := newForum(t, db, s, 5, nil)
		alerts := func() int {
			return count(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND payload LIKE $2`, forum.AlertJobKind, "%"+f.ID+"%")
		}
		var tokens []string
		var ids []string
		for i := 1; i <= 3; i++ {
			r, tok := mustRegister(t, db, s, f.ID, person(i))
			ids, tokens = append(ids, r.ID), append(tokens, tok)
		}
		if n := alerts(); n != 0 {
			t.Fatalf("%d alerts at 60%%", n)
		}
		mustRegister(t, db, s, f.ID, person(4))
		if n := alerts(); n != 1 {
			t.Fatalf("%d alerts at 80%%", n)
		}
		mustRegister(t, db, s, f.ID, person(5))
		mustRegister(t, db, s, f.ID, person(6)) // waits
		if n := alerts(); n != 2 {
			t.Fatalf("%d alerts at 100%%", n)
		}
		// Going down and up again alerts no more.
		tx(t, db, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, ids[0], tokens[0]); return err })
		tx(t, db, func(tx *sql.Tx) error { _, _, err := s.CancelRegistration(ctx, tx, ids[1], tokens[1]); return err })
		mustRegister(t, db, s, f.ID, person(7))
		if n := alerts(); n != 2 {
			t.Errorf("%d alerts after going down and up", n)
		}
	})
}
