package plan_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// Every change is kept, attributed, with the changed fields before and
// after; the public JSON names the organisation, not the person.
func TestEveryChangeIsAttributedAndKept(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		c := w.commitment(t, "FR0001")
		m := w.milestone(t, c.ID, plan.MilestoneInput{Title: "Publier", DueOn: "2022-06-30"})
		in := m.Input()
		in.Status, in.CompletedOn = plan.MilestoneDone, "2022-06-20"
		txDo(t, db, func(tx *sql.Tx) error {
			_, err := plan.UpdateMilestone(ctx, tx, w.change(w.agent), m.ID, in)
			return err
		})
		// Saving without a change records nothing.
		txDo(t, db, func(tx *sql.Tx) error {
			_, err := plan.UpdateMilestone(ctx, tx, w.change(w.agent), m.ID, in)
			return err
		})
		txDo(t, db, func(tx *sql.Tx) error {
			_, err := plan.PostUpdate(ctx, tx, w.change(w.agent), c.ID, plan.UpdateInput{Body: "Données publiées.", Status: plan.UpdateOnTrack})
			return err
		})
		h, err := plan.History(ctx, db, c.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		actions := []string{}
		for _, e := range h {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, " ") != "update.post milestone.update milestone.create commitment.create" {
			t.Fatalf("history %v", actions)
		}
		mu := h[1]
		if mu.ActorID != w.agent.UserID || mu.ActorLabel != "agent@economie.example.org" || mu.Organisation != w.lead.Name ||
			strings.Join(mu.Fields, ",") != "completed_on,status" || mu.TargetID != m.ID {
			t.Errorf("milestone change %+v", mu)
		}
		var before, after map[string]any
		if err := json.Unmarshal(mu.Before, &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(mu.After, &after); err != nil {
			t.Fatal(err)
		}
		if before["status"] != "not_started" || before["completed_on"] != "" || after["status"] != "done" || after["completed_on"] != "2022-06-20" ||
			len(before) != 2 || len(after) != 2 {
			t.Errorf("before %v, after %v", before, after)
		}
		if h[3].Before != nil || h[3].After == nil || h[3].ActorLabel != "organiser@example.org" {
			t.Errorf("creation %+v", h[3])
		}
		public, _ := json.Marshal(h)
		if strings.Contains(string(public), "@") || strings.Contains(string(public), w.agent.UserID) {
			t.Errorf("the public history names a person: %s", public)
		}
		// The update took its status; the audit log has the changes too.
		got, _ := plan.GetCommitment(ctx, db, c.ID, "")
		if got.Status != plan.UpdateOnTrack || got.LastUpdateAt == nil {
			t.Errorf("after the update: status %s, last update %v", got.Status, got.LastUpdateAt)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE target_id IN ($1, $2)`, c.ID, m.ID); n != 3 {
			t.Errorf("%d audit entries for the commitment and milestone, want 3", n)
		}
		updates, err := plan.Updates(ctx, db, c.ID)
		if err != nil || len(updates) != 1 || updates[0].Organisation != w.lead.Name || updates[0].AuthorLabel != "agent@economie.example.org" {
			t.Fatalf("updates %v %+v", err, updates)
		}
		if raw, _ := json.Marshal(updates); strings.Contains(string(raw), "@") {
			t.Errorf("an update's JSON names its author: %s", raw)
		}
	})
}

func TestUpdateValidationAndEvidence(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		c := w.commitment(t, "FR0001")
		cases := []struct {
			name       string
			in         plan.UpdateInput
			field, key string
		}{
			{"body missing", plan.UpdateInput{Status: "on_track"}, "body", "error.required"},
			{"body too long", plan.UpdateInput{Body: strings.Repeat("x", 10001), Status: "on_track"}, "body", "error.too_long"},
			{"status missing", plan.UpdateInput{Body: "B"}, "status", "error.required"},
			{"status unknown", plan.UpdateInput{Body: "B", Status: "blocked"}, "status", "error.status_invalid"},
			{"evidence empty", plan.UpdateInput{Body: "B", Status: "done", Evidence: []plan.EvidenceInput{{Title: "rien"}}},
				"evidence.0.url", "error.plan_evidence_required"},
			{"evidence link bad", plan.UpdateInput{Body: "B", Status: "done", Evidence: []plan.EvidenceInput{{URL: "https://ok.example.org"}, {URL: "javascript:alert(1)"}}},
				"evidence.1.url", "error.url_invalid"},
			{"too much evidence", plan.UpdateInput{Body: "B", Status: "done", Evidence: manyLinks(11)}, "evidence", "error.plan_too_much_evidence"},
		}
		for _, tc := range cases {
			err := inTx(t, db, func(tx *sql.Tx) error {
				_, err := plan.PostUpdate(ctx, tx, w.change(w.agent), c.ID, tc.in)
				return err
			})
			if fe := fieldErrs(t, err); len(fe) != 1 || fe[tc.field] != tc.key {
				t.Errorf("%s: errors %v, want %s=%s", tc.name, fe, tc.field, tc.key)
			}
		}
		var u *plan.Update
		txDo(t, db, func(tx *sql.Tx) (err error) {
			u, err = plan.PostUpdate(ctx, tx, w.change(w.agent), c.ID, plan.UpdateInput{Body: "Rapport publié.\r\n\r\nÀ suivre.", Status: "at_risk",
				Evidence: []plan.EvidenceInput{{URL: "www.economie.gouv.fr/rapport"}, {Filename: `C:\Users\n\rapport.pdf`, Data: []byte("%PDF-1.7 ...")}}})
			return err
		})
		if u.Body != "Rapport publié.\n\nÀ suivre." || len(u.Evidence) != 2 || u.Evidence[0].URL != "https://www.economie.gouv.fr/rapport" ||
			u.Evidence[1].Filename != "rapport.pdf" || u.Evidence[1].ContentType != "application/pdf" || u.Evidence[1].Title != "rapport.pdf" {
			t.Errorf("update %+v, evidence %+v %+v", u, u.Evidence[0], u.Evidence[len(u.Evidence)-1])
		}
		e, data, err := plan.Document(ctx, db, u.Evidence[1].ID)
		if err != nil || string(data) != "%PDF-1.7 ..." || e.Size != len(data) {
			t.Errorf("document: %v %q %+v", err, data, e)
		}
		if _, _, err := plan.Document(ctx, db, u.Evidence[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a link as a document: %v", err)
		}
	})
}

func manyLinks(n int) []plan.EvidenceInput {
	out := make([]plan.EvidenceInput, n)
	for i := range out {
		out[i].URL = "https://example.org"
	}
	return out
}

func TestMilestoneEvidence(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		c := w.commitment(t, "FR0001")
		m := w.milestone(t, c.ID, plan.MilestoneInput{Title: "Publier", DueOn: "2022-06-30"})
		big := make([]byte, plan.MaxDocumentSize+1)
		copy(big, "%PDF-")
		cases := []struct {
			name       string
			in         plan.EvidenceInput
			field, key string
		}{
			{"nothing", plan.EvidenceInput{}, "url", "error.plan_evidence_required"},
			{"not a web address", plan.EvidenceInput{URL: "ftp://files.example.org/x"}, "url", "error.url_invalid"},
			{"both", plan.EvidenceInput{URL: "https://example.org", Filename: "a.pdf", Data: []byte("%PDF-")}, "url", "error.plan_evidence_both"},
			{"empty document", plan.EvidenceInput{Filename: "a.pdf", Data: []byte{}}, "file", "error.plan_document_empty"},
			{"too large", plan.EvidenceInput{Filename: "a.pdf", Data: big}, "file", "error.plan_document_too_large"},
			{"HTML", plan.EvidenceInput{Filename: "page.html", Data: []byte("<script>")}, "file", "error.plan_document_type"},
			{"HTML named PDF", plan.EvidenceInput{Filename: "rapport.pdf", Data: []byte("<html>")}, "file", "error.plan_document_type"},
			{"binary named text", plan.EvidenceInput{Filename: "notes.txt", Data: []byte("a\x00b")}, "file", "error.plan_document_type"},
			{"title too long", plan.EvidenceInput{URL: "https://example.org", Title: strings.Repeat("x", 301)}, "title", "error.too_long"},
		}
		for _, tc := range cases {
			err := inTx(t, db, func(tx *sql.Tx) error {
				_, err := plan.AddEvidence(ctx, tx, w.change(w.agent), m.ID, tc.in)
				return err
			})
			if fe := fieldErrs(t, err); len(fe) != 1 || fe[tc.field] != tc.key {
				t.Errorf("%s: errors %v, want %s=%s", tc.name, fe, tc.field, tc.key)
			}
		}
		var png *plan.Evidence
		txDo(t, db, func(tx *sql.Tx) (err error) {
			png, err = plan.AddEvidence(ctx, tx, w.change(w.agent), m.ID, plan.EvidenceInput{Title: "Capture", Filename: "capture.PNG",
				Data: []byte("\x89PNG\r\n\x1a\nrest")})
			return err
		})
		if png.ContentType != "image/png" || png.MilestoneID != m.ID {
			t.Errorf("png %+v", png)
		}
		page, err := plan.CommitmentView(ctx, db, c.ID, "")
		if err != nil || len(page.Commitment.Milestones[0].Evidence) != 1 || page.Commitment.Milestones[0].Evidence[0].Title != "Capture" {
			t.Fatalf("page: %v %+v", err, page)
		}
		if err := inTx(t, db, func(tx *sql.Tx) error { return plan.DeleteEvidence(ctx, tx, w.change(w.otherAgent), png.ID) }); !errors.Is(err, plan.ErrForbidden) {
			t.Errorf("other agent deletes evidence: %v", err)
		}
		txDo(t, db, func(tx *sql.Tx) error { return plan.DeleteEvidence(ctx, tx, w.change(w.agent), png.ID) })
		if n := count(t, db, `SELECT COUNT(*) FROM commitment_evidence`); n != 0 {
			t.Errorf("%d evidence left", n)
		}
	})
}

// Followers are mailed, in their language, in the transaction of the
// change; the editor, a disabled account and those who stopped following
// are not.
func TestFollowersAreMailedWhenTheCommitmentChanges(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		c := w.commitment(t, "FR0001")
		for _, u := range []string{w.follower.ID, w.follower2.ID, w.agentUser.ID, w.follower.ID} {
			if err := plan.Follow(ctx, db, c.ID, u); err != nil {
				t.Fatal(err)
			}
		}
		if err := plan.Follow(ctx, db, "nope", w.follower.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("following an unknown commitment: %v", err)
		}
		followers, err := plan.Followers(ctx, db, c.ID)
		if err != nil || len(followers) != 3 {
			t.Fatalf("followers %v %v", err, followers)
		}
		// A failed change mails nobody.
		_ = inTx(t, db, func(tx *sql.Tx) error {
			_, err := plan.PostUpdate(ctx, tx, w.change(w.agent), c.ID, plan.UpdateInput{Body: "", Status: "on_track"})
			return err
		})
		if n := count(t, db, `SELECT COUNT(*) FROM mails`); n != 0 {
			t.Fatalf("%d mails after a refused change", n)
		}
		txDo(t, db, func(tx *sql.Tx) error {
			_, err := plan.PostUpdate(ctx, tx, w.change(w.agent), c.ID, plan.UpdateInput{Body: "Les données sont en ligne.", Status: "on_track"})
			return err
		})
		type sent struct{ to, subject, body string }
		mails := func() []sent {
			rows, err := db.QueryContext(ctx, `SELECT recipient, subject, body_text FROM mails ORDER BY recipient, created_at`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []sent
			for rows.Next() {
				var s sent
				if err := rows.Scan(&s.to, &s.subject, &s.body); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			return out
		}
		got := mails()
		if len(got) != 2 || got[0].to != "follower2@example.org" || got[1].to != "follower@example.org" {
			t.Fatalf("mails %+v", got)
		}
		link := "https://forum.example.org/commitments/" + c.ID
		if !strings.Contains(got[0].subject, "FR0001") || !strings.Contains(got[0].body, "progress update posted") ||
			!strings.Contains(got[0].body, link) || !strings.Contains(got[0].body, "Les données sont en ligne.") {
			t.Errorf("English mail %+v", got[0])
		}
		if !strings.Contains(got[1].body, "point d'avancement publié") || !strings.Contains(got[1].body, "Zoé Follower") {
			t.Errorf("French mail %+v", got[1])
		}
		// Unfollowing and disabled accounts stop the mails; an organiser's
		// change mails the lead's agent who follows.
		if err := plan.Unfollow(ctx, db, c.ID, w.follower.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE users SET disabled = TRUE WHERE id = $1`, w.follower2.ID); err != nil {
			t.Fatal(err)
		}
		txDo(t, db, func(tx *sql.Tx) error {
			in := c.Input()
			in.Description = "Nouveau texte"
			_, err := plan.UpdateCommitment(ctx, tx, w.change(w.organiser), c.ID, in)
			return err
		})
		if got := mails(); len(got) != 3 || got[0].to != "agent@economie.example.org" || !strings.Contains(got[0].body, "engagement modifié") {
			t.Errorf("after unfollow: %+v", got)
		}
		if ok, _ := plan.Following(ctx, db, c.ID, w.follower.ID); ok {
			t.Error("still following")
		}
		if ids, _ := plan.FollowedBy(ctx, db, w.agentUser.ID); len(ids) != 1 || ids[0] != c.ID {
			t.Errorf("followed by the agent: %v", ids)
		}
		// Without a mailer, a change with followers is refused rather than
		// silently unannounced.
		err = inTx(t, db, func(tx *sql.Tx) error {
			_, err := plan.PostUpdate(ctx, tx, plan.Change{Editor: w.organiser}, c.ID, plan.UpdateInput{Body: "x", Status: "done"})
			return err
		})
		if err == nil {
			t.Error("a change with followers and no mailer went through")
		}
	})
}
