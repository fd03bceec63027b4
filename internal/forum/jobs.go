package forum

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/settings"
	"github.com/ogforum/ogforum/internal/store"
)

// PurgeJobKind is the daily job that anonymises the registrations of
// forums older than the retention period.
const PurgeJobKind = "forum.retention_purge"

// RegisterJobs registers the forum's job handlers on queue: the occupancy
// alert mails and the daily retention purge.
func RegisterJobs(queue *jobs.Queue, db *store.DB, cfg Config) {
	s := New(db, cfg)
	queue.Register(AlertJobKind, s.alertJob)
	queue.Register(PurgeJobKind, func(ctx context.Context, _ jobs.Job) error {
		_, err := s.PurgeExpired(ctx, store.Now())
		return err
	})
	queue.Every(PurgeJobKind, 24*time.Hour)
}

// PurgeExpired anonymises the registrations of forums that ended more
// than settings.RetentionMonths before now.
func (s *Service) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	st, err := settings.Load(ctx, s.db)
	if err != nil {
		return 0, err
	}
	months := max(st.RetentionMonths, 1)
	var n int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		n, err = PurgeRegistrations(ctx, tx, now.UTC().AddDate(0, -months, 0))
		return err
	})
	return n, err
}

// alertJob mails the organisers (or the configured address) that a
// forum's occupancy passed a threshold.
func (s *Service) alertJob(ctx context.Context, j jobs.Job) error {
	var p alertPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		f, err := GetForum(ctx, tx, p.ForumID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if f.Status == StatusCancelled {
			return nil
		}
		a, err := Seats(ctx, tx, f)
		if err != nil {
			return err
		}
		type recipient struct{ email, lang string }
		var to []recipient
		if s.cfg.AlertAddress != "" {
			to = append(to, recipient{s.cfg.AlertAddress, ""})
		} else {
			rows, err := tx.QueryContext(ctx, `SELECT email, language FROM users WHERE role IN ('admin', 'organiser') AND disabled = FALSE ORDER BY email`)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r recipient
				if err := rows.Scan(&r.email, &r.lang); err != nil {
					rows.Close()
					return err
				}
				to = append(to, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, r := range to {
			l := lang(r.lang)
			args := []any{"title", f.Title, "when", FormatWhen(l, f), "threshold", p.Threshold, "confirmed", a.Confirmed,
				"capacity", a.Capacity, "waitlisted", a.Waitlisted, "link", ForumURL(s.cfg.BaseURL, f.ID)}
			if _, err := mail.Queue(ctx, tx, mail.Message{
				To:      r.email,
				Subject: s.cfg.Catalog.T(l, "mail.forum.alert.subject", args...),
				Text:    s.cfg.Catalog.T(l, "mail.forum.alert.body", args...),
			}); err != nil {
				return err
			}
		}
		return nil
	})
}
