package mail_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// recorder is a Sender that keeps what it is given.
type recorder struct {
	mu   sync.Mutex
	sent []*mail.Stored
	err  error
}

func (r *recorder) Send(_ context.Context, m *mail.Stored) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.sent = append(r.sent, m)
	return nil
}

// queueMail commits one mail and returns its id.
func queueMail(t *testing.T, db *store.DB, m mail.Message) string {
	t.Helper()
	var id string
	err := db.Tx(context.Background(), func(tx *sql.Tx) (err error) {
		id, err = mail.Queue(context.Background(), tx, m)
		return err
	})
	if err != nil {
		t.Fatalf("queue mail: %v", err)
	}
	return id
}

// mailQueue is a job queue that sends mail with s.
func mailQueue(db *store.DB, s mail.Sender) *jobs.Queue {
	q := jobs.New(db, slog.New(slog.DiscardHandler), jobs.Hooks{})
	q.Register(mail.JobKind, mail.Handler(db, s))
	return q
}

func entry(t *testing.T, db *store.DB, id string) mail.Entry {
	t.Helper()
	list, err := mail.List(context.Background(), db, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("mail %s not in the outbox list %+v", id, list)
	return mail.Entry{}
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestQueueBelongsToTheTransaction(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		errRollback := errors.New("registration refused")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := mail.Queue(ctx, tx, mail.Message{
				To: "camille@example.org", Subject: "Inscription confirmée", Text: "Bienvenue",
				Attachments: []mail.Attachment{{Filename: "a.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR")}},
			})
			if err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		for _, table := range []string{"mails", "mail_attachments", "jobs"} {
			if n := count(t, db, table); n != 0 {
				t.Errorf("rolled-back mail left %d rows in %s", n, table)
			}
		}

		for _, to := range []string{"", "not an address", "camille@example.org\r\nBcc: all@example.org", "a@b.org, c@d.org"} {
			if _, err := mail.Queue(ctx, db, mail.Message{To: to, Subject: "x", Text: "x"}); !errors.Is(err, mail.ErrInvalidRecipient) {
				t.Errorf("recipient %q: %v, want ErrInvalidRecipient", to, err)
			}
		}
		if n := count(t, db, "jobs"); n != 0 {
			t.Errorf("refused recipients left %d jobs", n)
		}

		// A committed mail is listed as pending, with its recipient
		// address only and its subject on one line.
		id := queueMail(t, db, mail.Message{To: "Camille Martin <camille@example.org>", Subject: "Inscription\r\n  confirmée", Text: "Bienvenue"})
		e := entry(t, db, id)
		if e.Recipient != "camille@example.org" || e.Subject != "Inscription confirmée" || e.Status != "pending" || e.Attempts != 0 || e.SentAt != nil {
			t.Fatalf("queued mail: %+v", e)
		}
	})
}

func TestHandlerSendsOnceAndMarksSent(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := queueMail(t, db, mail.Message{To: "dominique@example.org", Subject: "Ordre du jour", Text: "Ci-joint."})
		rec := &recorder{}
		q := mailQueue(db, rec)
		if worked, err := q.RunOnce(ctx); !worked || err != nil {
			t.Fatalf("RunOnce: %v, %v", worked, err)
		}
		if len(rec.sent) != 1 || rec.sent[0].ID != id || rec.sent[0].Recipient != "dominique@example.org" || rec.sent[0].Text != "Ci-joint." {
			t.Fatalf("sent %+v", rec.sent)
		}
		e := entry(t, db, id)
		if e.Status != "done" || e.SentAt == nil || e.Attempts != 1 {
			t.Fatalf("after sending: %+v", e)
		}

		// A worker that stops after sending but before the job is marked
		// done leaves the job to be claimed again: the mail must not go
		// out twice.
		h := mail.Handler(db, rec)
		if err := h(ctx, jobs.Job{Kind: mail.JobKind, Payload: id}); err != nil {
			t.Fatal(err)
		}
		if len(rec.sent) != 1 {
			t.Fatalf("a mail already sent was sent again (%d sends)", len(rec.sent))
		}

		// A job whose mail is gone fails for good rather than retrying.
		jobID, err := jobs.Enqueue(ctx, db, mail.JobKind, "nosuchmail0000000000", jobs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if worked, err := q.RunOnce(ctx); !worked || err != nil {
			t.Fatalf("RunOnce: %v, %v", worked, err)
		}
		var status string
		var attempts int
		if err := db.QueryRowContext(ctx, `SELECT status, attempts FROM jobs WHERE id = $1`, jobID).Scan(&status, &attempts); err != nil {
			t.Fatal(err)
		}
		if status != "failed" || attempts != 1 {
			t.Fatalf("job of a missing mail: %s after %d attempts, want failed after 1", status, attempts)
		}
	})
}
