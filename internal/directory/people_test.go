package directory_test

import (
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// Helpers shared by the directory tests.

func txDo(t *testing.T, db *store.DB, fn func(tx *sql.Tx) error) {
	t.Helper()
	if err := db.Tx(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

func newOrganisation(t *testing.T, db *store.DB, in directory.OrganisationInput) *directory.Organisation {
	t.Helper()
	var o *directory.Organisation
	txDo(t, db, func(tx *sql.Tx) (err error) {
		o, err = directory.CreateOrganisation(t.Context(), tx, in)
		return err
	})
	return o
}

func newPerson(t *testing.T, db *store.DB, in directory.PersonInput) *directory.Person {
	t.Helper()
	var p *directory.Person
	txDo(t, db, func(tx *sql.Tx) (err error) {
		p, err = directory.CreatePerson(t.Context(), tx, in)
		return err
	})
	return p
}

func getPerson(t *testing.T, db *store.DB, id string) *directory.Person {
	t.Helper()
	p, err := directory.GetPerson(t.Context(), db, id)
	if err != nil {
		t.Fatalf("GetPerson(%s): %v", id, err)
	}
	return p
}

func fieldErrs(t *testing.T, err error) directory.FieldErrors {
	t.Helper()
	var fe directory.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	return fe
}

func boolPtr(b bool) *bool { return &b }

// personNames lists the full names of people, sorted.
func personNames(people []*directory.Person) []string {
	out := []string{}
	for _, p := range people {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return out
}

func countPeople(t *testing.T, db *store.DB, f directory.Filter) int {
	t.Helper()
	n, err := directory.CountPeople(t.Context(), db, f)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPersonValidationReportsEachField(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		base := func() directory.PersonInput {
			return directory.PersonInput{Name: "Hélène Dubois", Email: "helene.dubois@example.org"}
		}
		cases := []struct {
			name string
			edit func(*directory.PersonInput)
			want directory.FieldErrors
		}{
			{"no name at all", func(in *directory.PersonInput) { in.Name = "  " },
				directory.FieldErrors{"name": "error.name_required", "last_name": "error.required"}},
			{"first name only", func(in *directory.PersonInput) { in.Name, in.FirstName = "", "Hélène" },
				directory.FieldErrors{"last_name": "error.required"}},
			{"first name too long", func(in *directory.PersonInput) {
				in.Name, in.FirstName, in.LastName = "", strings.Repeat("é", 101), "Dubois"
			},
				directory.FieldErrors{"first_name": "error.too_long"}},
			{"no e-mail", func(in *directory.PersonInput) { in.Email = " " },
				directory.FieldErrors{"email": "error.required"}},
			{"bad e-mail", func(in *directory.PersonInput) { in.Email = "helene@" },
				directory.FieldErrors{"email": "error.email_invalid"}},
			{"e-mail with a display name", func(in *directory.PersonInput) { in.Email = "Hélène <helene@example.org>" },
				directory.FieldErrors{"email": "error.email_invalid"}},
			{"phone with letters", func(in *directory.PersonInput) { in.Phone = "call me" },
				directory.FieldErrors{"phone": "error.phone_invalid"}},
			{"phone too short", func(in *directory.PersonInput) { in.Phone = "12 34" },
				directory.FieldErrors{"phone": "error.phone_invalid"}},
			{"function too long", func(in *directory.PersonInput) { in.Function = strings.Repeat("x", 201) },
				directory.FieldErrors{"function": "error.too_long"}},
			{"unsupported language", func(in *directory.PersonInput) { in.Language = "de" },
				directory.FieldErrors{"language": "error.language_invalid"}},
			{"unknown sector", func(in *directory.PersonInput) { in.Sectors = []string{"housing", "space"} },
				directory.FieldErrors{"sectors": "error.sector_unknown"}},
			{"unknown organisation", func(in *directory.PersonInput) { in.OrganisationID = "missing" },
				directory.FieldErrors{"organisation_id": "error.organisation_unknown"}},
			{"consent without method", func(in *directory.PersonInput) { in.ConsentInfo = boolPtr(true) },
				directory.FieldErrors{"consent_method": "error.consent_method_invalid"}},
			{"consent with unknown method", func(in *directory.PersonInput) {
				in.ConsentInvitations, in.ConsentMethod = boolPtr(true), "telepathy"
			}, directory.FieldErrors{"consent_method": "error.consent_method_invalid"}},
		}
		for _, c := range cases {
			in := base()
			c.edit(&in)
			err := db.Tx(t.Context(), func(tx *sql.Tx) error {
				_, err := directory.CreatePerson(t.Context(), tx, in)
				return err
			})
			if got := fieldErrs(t, err); !maps.Equal(got, c.want) {
				t.Errorf("%s: errors %v, want %v", c.name, got, c.want)
			}
		}
		if n := countPeople(t, db, directory.Filter{}); n != 0 {
			t.Fatalf("%d people stored from invalid input", n)
		}
	})
}

func TestCreatePersonNormalisesInput(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		p := newPerson(t, db, directory.PersonInput{
			Name: "  Jean-Pierre de La Fontaine ", Email: " Jean-Pierre.Fontaine@Example.ORG ",
			Phone: "+33 (0)1 23-45.67/89", Language: " Français ", Function: " Chargé\tde mission ",
			Sectors: []string{"housing", "housing", " health "},
		})
		got := getPerson(t, db, p.ID)
		if got.FirstName != "Jean-Pierre de La" || got.LastName != "Fontaine" || got.Name != "Jean-Pierre de La Fontaine" {
			t.Errorf("name split as %q / %q (%q)", got.FirstName, got.LastName, got.Name)
		}
		if got.Email != "jean-pierre.fontaine@example.org" {
			t.Errorf("e-mail stored as %q", got.Email)
		}
		if got.Language != "fr" || got.Function != "Chargé de mission" || got.Phone != "+33 (0)1 23-45.67/89" {
			t.Errorf("language %q, function %q, phone %q", got.Language, got.Function, got.Phone)
		}
		if !slices.Equal(got.Sectors, []string{"health", "housing"}) {
			t.Errorf("sectors %v", got.Sectors)
		}
		if got.College != directory.CollegeCivilSociety || got.OrganisationID != "" || got.Consent.Info || got.Consent.Invitations || got.OptedOut {
			t.Errorf("defaults: %+v", got)
		}

		languages := map[string]string{"english": "en", "Anglais": "en", "EN": "en", "FR": "fr", "francais": "fr", "French": "fr", "": "fr"}
		i := 0
		for in, want := range languages {
			i++
			p := newPerson(t, db, directory.PersonInput{Name: "Lang " + in, Email: "lang" + strconv.Itoa(i) + "@example.org", Language: in})
			if p.Language != want {
				t.Errorf("language %q stored as %q, want %q", in, p.Language, want)
			}
		}
	})
}

func TestEmailIsUniqueWhateverItsCase(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		helene := newPerson(t, db, directory.PersonInput{Name: "Hélène Dubois", Email: "helene.dubois@example.org"})
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.CreatePerson(ctx, tx, directory.PersonInput{Name: "H. Dubois", Email: " Helene.Dubois@EXAMPLE.org"})
			return err
		})
		if !errors.Is(err, directory.ErrEmailTaken) {
			t.Fatalf("second person with the same address in another case: %v, want ErrEmailTaken", err)
		}
		marc := newPerson(t, db, directory.PersonInput{Name: "Marc Lefèvre", Email: "marc@example.org"})
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.UpdatePerson(ctx, tx, marc.ID, directory.PersonInput{Name: "Marc Lefèvre", Email: "HELENE.dubois@example.org"})
			return err
		})
		if !errors.Is(err, directory.ErrEmailTaken) {
			t.Fatalf("update to a taken address: %v, want ErrEmailTaken", err)
		}
		if got := getPerson(t, db, marc.ID); got.Email != "marc@example.org" {
			t.Fatalf("failed update changed the address to %q", got.Email)
		}
		found, err := directory.PersonByEmail(ctx, db, " HELENE.DUBOIS@example.org ")
		if err != nil || found.ID != helene.ID {
			t.Fatalf("PersonByEmail in capitals: %v %v", found, err)
		}
		if _, err := directory.PersonByEmail(ctx, db, "nobody@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("PersonByEmail(unknown) = %v, want ErrNotFound", err)
		}
		if n := countPeople(t, db, directory.Filter{}); n != 2 {
			t.Fatalf("%d people, want 2", n)
		}
	})
}

func TestUpdatePersonReplacesFieldsAndKeepsConsent(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		org := newOrganisation(t, db, directory.OrganisationInput{Name: "Regards Citoyens"})
		p := newPerson(t, db, directory.PersonInput{Name: "Marc Lefèvre", Email: "marc@example.org", Phone: "0123456789",
			Sectors: []string{"digital"}, ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodImport})
		var got *directory.Person
		txDo(t, db, func(tx *sql.Tx) (err error) {
			got, err = directory.UpdatePerson(ctx, tx, p.ID, directory.PersonInput{FirstName: "Marc", LastName: "Lefebvre",
				Email: "Marc.Lefebvre@Example.org", OrganisationID: org.ID, Function: "Président", Sectors: []string{"open-data"}, Language: "en"})
			return err
		})
		if got.Name != "Marc Lefebvre" || got.Email != "marc.lefebvre@example.org" || got.OrganisationName != "Regards Citoyens" ||
			got.Function != "Président" || got.Phone != "" || got.Language != "en" || !slices.Equal(got.Sectors, []string{"open-data"}) {
			t.Fatalf("after update: %+v", got)
		}
		if !got.Consent.Info {
			t.Fatal("an update that does not mention consent withdrew it")
		}
		res, err := directory.SearchPeople(ctx, db, directory.Filter{Q: "lefebvre"}, 10, 0)
		if err != nil || len(res) != 1 {
			t.Fatalf("search by the new name: %v %v", personNames(res), err)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := directory.UpdatePerson(ctx, tx, "00000000000000000000", directory.PersonInput{Name: "X Y", Email: "x@example.org"})
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of an unknown person: %v", err)
		}
		txDo(t, db, func(tx *sql.Tx) error { return directory.DeletePerson(ctx, tx, p.ID) })
		if _, err := directory.GetPerson(ctx, db, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted person: %v", err)
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return directory.DeletePerson(ctx, tx, p.ID) }); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func TestConsentHistoryIsKept(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		p := newPerson(t, db, directory.PersonInput{Name: "Hélène Dubois", Email: "helene@example.org",
			ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodImport})
		txDo(t, db, func(tx *sql.Tx) error {
			return directory.SetConsent(ctx, tx, p.ID, directory.PurposeInvitations, true, directory.MethodInPerson)
		})
		txDo(t, db, func(tx *sql.Tx) error {
			return directory.SetConsent(ctx, tx, p.ID, directory.PurposeInfo, false, directory.MethodForm)
		})
		history, err := directory.ConsentHistory(ctx, db, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []directory.ConsentEvent{
			{Purpose: "info", Granted: true, Method: "import"},
			{Purpose: "invitations", Granted: true, Method: "in_person"},
			{Purpose: "info", Granted: false, Method: "form"},
		}
		if len(history) != len(want) {
			t.Fatalf("history %+v", history)
		}
		for i, e := range history {
			if e.Purpose != want[i].Purpose || e.Granted != want[i].Granted || e.Method != want[i].Method || e.At.IsZero() {
				t.Errorf("event %d = %+v, want %+v", i, e, want[i])
			}
		}
		before := getPerson(t, db, p.ID)
		if before.Consent.Info || !before.Consent.Invitations {
			t.Fatalf("current consent %+v", before.Consent)
		}

		// Setting the state it already has writes nothing.
		txDo(t, db, func(tx *sql.Tx) error {
			if err := directory.SetConsent(ctx, tx, p.ID, directory.PurposeInfo, false, directory.MethodForm); err != nil {
				return err
			}
			return directory.SetConsent(ctx, tx, p.ID, directory.PurposeInvitations, true, directory.MethodImport)
		})
		again, _ := directory.ConsentHistory(ctx, db, p.ID)
		after := getPerson(t, db, p.ID)
		if len(again) != 3 || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatalf("unchanged consent wrote: %d events, updated %v → %v", len(again), before.UpdatedAt, after.UpdatedAt)
		}

		// A person who never consented and refuses: nothing to record.
		q := newPerson(t, db, directory.PersonInput{Name: "Paul Durand", Email: "paul@example.org"})
		txDo(t, db, func(tx *sql.Tx) error {
			return directory.SetConsent(ctx, tx, q.ID, directory.PurposeInfo, false, directory.MethodForm)
		})
		if h, _ := directory.ConsentHistory(ctx, db, q.ID); len(h) != 0 {
			t.Fatalf("refusal without prior consent recorded %+v", h)
		}

		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			return directory.SetConsent(ctx, tx, p.ID, "newsletter", true, directory.MethodForm)
		}); err == nil {
			t.Fatal("unknown purpose accepted")
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			return directory.SetConsent(ctx, tx, "00000000000000000000", directory.PurposeInfo, true, directory.MethodForm)
		}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("consent of an unknown person: %v", err)
		}
	})
}

func TestUnsubscribeSuppressesTheAddress(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		p := newPerson(t, db, directory.PersonInput{Name: "Anne Petit", Email: "anne.petit@example.org",
			ConsentInfo: boolPtr(true), ConsentInvitations: boolPtr(true), ConsentMethod: directory.MethodForm})
		if ok, err := directory.MayMail(ctx, db, p.Email, directory.PurposeInvitations); err != nil || !ok {
			t.Fatalf("before opting out MayMail = %v, %v", ok, err)
		}
		txDo(t, db, func(tx *sql.Tx) error { return directory.Unsubscribe(ctx, tx, p.ID, directory.MethodForm) })
		got := getPerson(t, db, p.ID)
		if !got.OptedOut || got.Consent.Info || got.Consent.Invitations {
			t.Fatalf("after unsubscribe: opted out %v, consent %+v", got.OptedOut, got.Consent)
		}
		if s, err := directory.Suppressed(ctx, db, "Anne.Petit@EXAMPLE.org"); err != nil || !s {
			t.Fatalf("address not suppressed: %v %v", s, err)
		}
		history, _ := directory.ConsentHistory(ctx, db, p.ID)
		if len(history) != 4 || history[2].Granted || history[3].Granted || history[3].Method != directory.MethodForm {
			t.Fatalf("history after unsubscribe %+v", history)
		}
		for _, purpose := range []string{directory.PurposeInfo, directory.PurposeInvitations} {
			if ok, err := directory.MayMail(ctx, db, p.Email, purpose); err != nil || ok {
				t.Fatalf("MayMail(%s) after opting out = %v, %v", purpose, ok, err)
			}
		}
		// Unsubscribing twice is harmless and records nothing more.
		txDo(t, db, func(tx *sql.Tx) error { return directory.Unsubscribe(ctx, tx, p.ID, directory.MethodForm) })
		if h, _ := directory.ConsentHistory(ctx, db, p.ID); len(h) != 4 {
			t.Fatalf("second unsubscribe added events: %+v", h)
		}
	})
}

func TestMayMail(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		marc := newPerson(t, db, directory.PersonInput{Name: "Marc Lefèvre", Email: "marc@example.org",
			ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodForm})
		bounced := newPerson(t, db, directory.PersonInput{Name: "Zoé Garnier", Email: "zoe@example.org",
			ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodForm})
		flagged := newPerson(t, db, directory.PersonInput{Name: "Louis Bernard", Email: "louis@example.org",
			ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodForm})
		if err := directory.Suppress(ctx, db, "ZOE@example.org", "bounce"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE people SET opted_out = TRUE WHERE id = $1`, flagged.ID); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			email, purpose string
			want           bool
		}{
			{marc.Email, directory.PurposeInfo, true},
			{" MARC@Example.org ", directory.PurposeInfo, true},
			{marc.Email, directory.PurposeInvitations, false}, // no consent to invitations
			{marc.Email, "newsletter", false},
			{bounced.Email, directory.PurposeInfo, false}, // suppressed
			{flagged.Email, directory.PurposeInfo, false}, // opted out
			{"stranger@example.org", directory.PurposeInfo, false},
		}
		for _, c := range cases {
			ok, err := directory.MayMail(ctx, db, c.email, c.purpose)
			if err != nil || ok != c.want {
				t.Errorf("MayMail(%q, %s) = %v, %v; want %v", c.email, c.purpose, ok, err, c.want)
			}
		}
	})
}
