package directory_test

import (
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func requestJoin(t *testing.T, db *store.DB, in directory.JoinInput) string {
	t.Helper()
	var secret string
	txDo(t, db, func(tx *sql.Tx) (err error) {
		secret, err = directory.RequestJoin(t.Context(), tx, in)
		return err
	})
	return secret
}

func confirmJoin(t *testing.T, db *store.DB, secret string) (*directory.Person, error) {
	t.Helper()
	var p *directory.Person
	err := db.Tx(t.Context(), func(tx *sql.Tx) (err error) {
		p, err = directory.ConfirmJoin(t.Context(), tx, secret)
		return err
	})
	return p, err
}

func TestJoinFormValidation(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		cases := []struct {
			in   directory.JoinInput
			want directory.FieldErrors
		}{
			{directory.JoinInput{}, directory.FieldErrors{"name": "error.name_required", "last_name": "error.required",
				"email": "error.required", "consent": "error.consent_required"}},
			{directory.JoinInput{Name: "Hélène Dubois", Email: "helene@example.org", Info: true},
				directory.FieldErrors{"consent": "error.consent_required"}},
			{directory.JoinInput{Name: "Hélène Dubois", Email: "helene@", Consent: true},
				directory.FieldErrors{"email": "error.email_invalid"}},
			{directory.JoinInput{Name: "Hélène Dubois", Email: "helene@example.org", Consent: true, Sectors: []string{"space"}, Language: "de",
				Organisation: strings.Repeat("é", 201)},
				directory.FieldErrors{"sectors": "error.sector_unknown", "language": "error.language_invalid", "organisation": "error.too_long"}},
		}
		for _, c := range cases {
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := directory.RequestJoin(ctx, tx, c.in)
				return err
			})
			if got := fieldErrs(t, err); !maps.Equal(got, c.want) {
				t.Errorf("%+v: errors %v, want %v", c.in, got, c.want)
			}
		}
		if txt := tableText(t, db, `SELECT email FROM join_requests`); txt != "" {
			t.Fatalf("invalid requests stored: %s", txt)
		}
	})
}

func TestJoinDoubleOptIn(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		regards := newOrganisation(t, db, directory.OrganisationInput{Name: "Regards Citoyens", Kind: "association"})
		secret := requestJoin(t, db, directory.JoinInput{Name: "Jean-Pierre de La Fontaine", Email: " JP.Fontaine@Example.org ",
			Organisation: "regards CITOYENS", Sectors: []string{"open-data"}, Language: "en", Consent: true, Info: true})
		if len(secret) < 32 {
			t.Fatalf("weak secret %q", secret)
		}
		// Only a hash of the secret is stored, and nobody exists yet.
		stored := tableText(t, db, `SELECT id, token_hash, email, payload FROM join_requests`)
		if strings.Contains(stored, secret) || !strings.Contains(stored, "jp.fontaine@example.org") {
			t.Fatalf("stored request: %s", stored)
		}
		if n := countPeople(t, db, directory.Filter{}); n != 0 {
			t.Fatalf("%d people before confirmation", n)
		}

		p, err := confirmJoin(t, db, secret)
		if err != nil {
			t.Fatal(err)
		}
		if p.FirstName != "Jean-Pierre de La" || p.LastName != "Fontaine" || p.Email != "jp.fontaine@example.org" || p.Language != "en" ||
			p.OrganisationID != regards.ID || !slices.Equal(p.Sectors, []string{"open-data"}) || p.Source != "join" {
			t.Fatalf("person from the join form: %+v", p)
		}
		if !p.Consent.Info || p.Consent.Invitations {
			t.Fatalf("consent %+v, want information only", p.Consent)
		}
		history, _ := directory.ConsentHistory(ctx, db, p.ID)
		if len(history) != 1 || history[0].Method != directory.MethodForm || history[0].Purpose != directory.PurposeInfo || history[0].At.IsZero() {
			t.Fatalf("consent history %+v", history)
		}
		if _, total, _ := directory.ListOrganisations(ctx, db, directory.OrganisationFilter{}); total != 1 {
			t.Fatalf("an organisation was created although one matched: %d", total)
		}

		// The link works once.
		if _, err := confirmJoin(t, db, secret); !errors.Is(err, directory.ErrJoinLinkInvalid) {
			t.Fatalf("second confirmation: %v, want ErrJoinLinkInvalid", err)
		}
		for _, bad := range []string{"", "nonsense", secret[:len(secret)-1]} {
			if _, err := confirmJoin(t, db, bad); !errors.Is(err, directory.ErrJoinLinkInvalid) {
				t.Fatalf("confirmation with %q: %v", bad, err)
			}
		}

		// An unknown organisation is created, in civil society.
		secret = requestJoin(t, db, directory.JoinInput{FirstName: "Zoé", LastName: "Garnier", Email: "zoe@example.org",
			Organisation: "Collectif Nouveau", Consent: true, Invitations: true})
		zoe, err := confirmJoin(t, db, secret)
		if err != nil {
			t.Fatal(err)
		}
		org, err := directory.OrganisationByName(ctx, db, "collectif nouveau")
		if err != nil || zoe.OrganisationID != org.ID || org.College != directory.CollegeCivilSociety {
			t.Fatalf("created organisation %+v for %+v: %v", org, zoe, err)
		}
		if zoe.Consent.Info || !zoe.Consent.Invitations || zoe.Language != "fr" {
			t.Fatalf("second joiner %+v", zoe)
		}
	})
}

func TestJoinLinkExpires(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		secret := requestJoin(t, db, directory.JoinInput{Name: "Paul Durand", Email: "paul@example.net", Consent: true, Info: true})
		if _, err := db.ExecContext(ctx, `UPDATE join_requests SET expires_at = $1`, store.Now().Add(-directory.JoinValidity/72)); err != nil {
			t.Fatal(err)
		}
		if _, err := confirmJoin(t, db, secret); !errors.Is(err, directory.ErrJoinLinkInvalid) {
			t.Fatalf("expired link: %v, want ErrJoinLinkInvalid", err)
		}
		if n := countPeople(t, db, directory.Filter{}); n != 0 {
			t.Fatalf("expired link created %d people", n)
		}
	})
}

func TestJoinAgainAfterOptingOut(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		abbe := newOrganisation(t, db, directory.OrganisationInput{Name: "Fondation Abbé Pierre", Kind: "foundation"})
		anne := newPerson(t, db, directory.PersonInput{Name: "Anne Petit", Email: "anne@example.net", OrganisationID: abbe.ID,
			Function: "Chargée de mission", Phone: "01 23 45 67 89", Sectors: []string{"housing"},
			ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodImport})
		txDo(t, db, func(tx *sql.Tx) error { return directory.Unsubscribe(ctx, tx, anne.ID, directory.MethodForm) })
		if s, _ := directory.Suppressed(ctx, db, anne.Email); !s {
			t.Fatal("not suppressed after opting out")
		}

		secret := requestJoin(t, db, directory.JoinInput{Name: "Anne Petit", Email: "ANNE@example.net", Consent: true, Info: true})
		p, err := confirmJoin(t, db, secret)
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != anne.ID {
			t.Fatalf("joining again made a second person %s (first %s)", p.ID, anne.ID)
		}
		if p.OptedOut || !p.Consent.Info {
			t.Fatalf("after joining again: opted out %v consent %+v", p.OptedOut, p.Consent)
		}
		if s, _ := directory.Suppressed(ctx, db, anne.Email); s {
			t.Fatal("still suppressed after joining again")
		}
		if ok, err := directory.MayMail(ctx, db, anne.Email, directory.PurposeInfo); err != nil || !ok {
			t.Fatalf("MayMail after joining again: %v %v", ok, err)
		}
		// What the form did not ask for is kept.
		if p.OrganisationID != abbe.ID || p.Function != "Chargée de mission" || p.Phone != "01 23 45 67 89" || !slices.Equal(p.Sectors, []string{"housing"}) {
			t.Fatalf("joining again lost what the directory knew: %+v", p)
		}
		if n := countPeople(t, db, directory.Filter{}); n != 1 {
			t.Fatalf("%d people, want 1", n)
		}
	})
}

func TestJoinLinkClickedTwiceAtOnce(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		secret := requestJoin(t, db, directory.JoinInput{Name: "Paul Durand", Email: "paul@example.net", Consent: true, Info: true})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range errs {
			wg.Go(func() {
				<-start
				_, errs[i] = confirmJoin(t, db, secret)
			})
		}
		close(start)
		wg.Wait()
		ok, invalid := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, directory.ErrJoinLinkInvalid):
				invalid++
			default:
				t.Fatalf("confirmation: %v", err)
			}
		}
		if ok != 1 || invalid != 1 {
			t.Fatalf("%d confirmations succeeded and %d were refused, want 1 and 1", ok, invalid)
		}
		if n := countPeople(t, db, directory.Filter{}); n != 1 {
			t.Fatalf("%d people, want 1", n)
		}
	})
}

func TestJoinAgainAfterErasureAndReimport(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		p := newPerson(t, db, directory.PersonInput{Name: "Louis Bernard", Email: "louis@example.org"})
		if err := erase(t, db, p.ID); err != nil {
			t.Fatal(err)
		}
		// An organiser imports an old sheet that still lists him: he is
		// back in the directory but his address stays suppressed.
		back := newPerson(t, db, directory.PersonInput{Name: "Louis Bernard", Email: "louis@example.org",
			ConsentInfo: boolPtr(true), ConsentMethod: directory.MethodImport})
		if ok, _ := directory.MayMail(ctx, db, back.Email, directory.PurposeInfo); ok {
			t.Fatal("re-imported erased address may be mailed")
		}
		// He then asks to join himself and confirms from his mailbox.
		secret := requestJoin(t, db, directory.JoinInput{Name: "Louis Bernard", Email: "louis@example.org", Consent: true, Info: true})
		if _, err := confirmJoin(t, db, secret); err != nil {
			t.Fatal(err)
		}
		if ok, err := directory.MayMail(ctx, db, back.Email, directory.PurposeInfo); err != nil || !ok {
			t.Fatalf("MayMail after he joined himself: %v %v", ok, err)
		}
	})
}

func TestJoinAgainAfterErasure(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		p := newPerson(t, db, directory.PersonInput{Name: "Louis Bernard", Email: "louis@example.org"})
		if err := erase(t, db, p.ID); err != nil {
			t.Fatal(err)
		}
		secret := requestJoin(t, db, directory.JoinInput{Name: "Louis Bernard", Email: "louis@example.org", Consent: true, Invitations: true})
		back, err := confirmJoin(t, db, secret)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := directory.MayMail(ctx, db, back.Email, directory.PurposeInvitations); err != nil || !ok {
			t.Fatalf("a person who asked to join again after erasure cannot be invited: %v %v", ok, err)
		}
	})
}
