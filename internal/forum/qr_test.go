package forum_test

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// A confirmation mail carries the check-in QR code as a PNG image beside
// the calendar file; a waiting-list mail carries neither.
func TestConfirmationMailCarriesTheCheckInQRCode(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		f := newForum(t, db, s, 1, nil)
		first, second := person(1), person(2)
		mustRegister(t, db, s, f.ID, first)
		mustRegister(t, db, s, f.ID, second)
		var qr []byte
		for _, m := range mailsTo(t, db, first.Email) {
			for _, a := range m.Attach {
				if a.ContentType == "image/png" {
					qr = a.Data
				}
			}
		}
		if qr == nil {
			t.Fatal("the confirmation mail has no QR code image")
		}
		img, err := png.Decode(bytes.NewReader(qr))
		if err != nil || img.Bounds().Dx() < 100 {
			t.Fatalf("QR code is not a usable PNG: %v", err)
		}
		for _, m := range mailsTo(t, db, second.Email) {
			for _, a := range m.Attach {
				if a.ContentType == "image/png" {
					t.Error("a waiting-list mail carries a check-in code")
				}
			}
		}
		if _, err := forum.CheckInQR("http://127.0.0.1:8080", f.ID, "token"); err != nil {
			t.Fatal(err)
		}
	})
}
