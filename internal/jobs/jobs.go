// Package jobs is the durable work queue shared by every process: mail to
// send and work to run at a time (reminders, promotions, purges). Rows live
// in the jobs table; a worker claims one by taking a lease (Run claims
// several at once when they are quick), runs it, and marks it done, or
// schedules a retry with backoff. A lease that runs out (the worker
// crashed) makes the job claimable again, so nothing is lost.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ogforum/ogforum/internal/store"
)

// Job is a claimed unit of work.
type Job struct {
	ID          string
	Kind        string
	Payload     string
	Attempts    int // including this one
	MaxAttempts int

	lock    string    // the claim's locked_by, which finish and fail check
	claimed time.Time // when the lease was taken, on the process's clock
}

// Handler runs one job. Returning an error schedules a retry, unless the
// error is Permanent or attempts are exhausted.
type Handler func(ctx context.Context, j Job) error

type permanent struct{ error }

// Permanent marks an error that retrying cannot fix.
func Permanent(err error) error { return permanent{err} }

// Options for Enqueue.
type Options struct {
	RunAt       time.Time // zero: now
	UniqueKey   string    // when set, a second job with the same key is not created
	MaxAttempts int       // zero: 8
}

// Enqueue writes a job in the caller's transaction (or directly on the
// database), so that the job exists if and only if the change that caused
// it commits. It returns the new job's id, or "" when a job with the same
// UniqueKey exists already.
func Enqueue(ctx context.Context, q store.Querier, kind, payload string, o Options) (string, error) {
	now := store.Now()
	runAt := o.RunAt.UTC()
	if o.RunAt.IsZero() {
		runAt = now
	}
	maxAttempts := o.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 8
	}
	var key any
	if o.UniqueKey != "" {
		key = o.UniqueKey
	}
	id := store.NewID()
	res, err := q.ExecContext(ctx, `INSERT INTO jobs (id, kind, payload, unique_key, status, run_at, max_attempts, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $7) ON CONFLICT (unique_key) DO NOTHING`,
		id, kind, payload, key, runAt, maxAttempts, now)
	if err != nil {
		return "", fmt.Errorf("enqueue %s: %w", kind, store.Map(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", nil
	}
	return id, nil
}

// Hooks lets the caller observe the queue (metrics) without this package
// depending on a metrics library.
type Hooks struct {
	Done   func(kind string, d time.Duration)
	Failed func(kind string, final bool)
}

// Queue runs registered handlers over the jobs table.
type Queue struct {
	db       *store.DB
	log      *slog.Logger
	worker   string
	handlers map[string]Handler
	periodic []periodic
	hooks    Hooks
	claims   atomic.Uint64

	// Lease is how long a claimed job stays invisible to other workers.
	Lease time.Duration
	// Poll is the pause between looks at an empty queue.
	Poll time.Duration
	// Batch is the most jobs one claim of Run takes. Run claims as many
	// as its workers would finish in about a tenth of a second, within
	// this bound: one job at a time while jobs are slow.
	Batch int
	// Now is the clock; tests replace it.
	Now func() time.Time
}

type periodic struct {
	kind  string
	every time.Duration
}

// New makes a queue with no handlers.
func New(db *store.DB, log *slog.Logger, hooks Hooks) *Queue {
	host, _ := os.Hostname()
	return &Queue{
		db:       db,
		log:      log,
		worker:   fmt.Sprintf("%s/%d/%s", host, os.Getpid(), store.NewID()[12:]),
		handlers: map[string]Handler{},
		hooks:    hooks,
		Lease:    5 * time.Minute,
		Poll:     500 * time.Millisecond,
		Batch:    32,
		Now:      store.Now,
	}
}

// Register sets the handler of a kind of job.
func (q *Queue) Register(kind string, h Handler) { q.handlers[kind] = h }

// Every schedules a job of kind once per period (on the wall clock, so that
// several processes agree on one job per period). Register its handler too.
func (q *Queue) Every(kind string, every time.Duration) {
	q.periodic = append(q.periodic, periodic{kind, every})
}

// now reads the clock in UTC: SQLite compares timestamps as text and
// PostgreSQL's TIMESTAMP keeps the wall clock, so every time written or
// compared must be in UTC.
func (q *Queue) now() time.Time { return q.Now().UTC() }

// SchedulePeriodic makes sure each periodic kind has its job for the
// current period.
func (q *Queue) SchedulePeriodic(ctx context.Context) error {
	now := q.now()
	for _, p := range q.periodic {
		slot := now.Truncate(p.every)
		key := fmt.Sprintf("%s@%s", p.kind, slot.Format(time.RFC3339))
		if _, err := Enqueue(ctx, q.db, p.kind, "", Options{RunAt: slot, UniqueKey: key, MaxAttempts: 3}); err != nil {
			return err
		}
	}
	return nil
}

// RunOnce claims one ready job, runs it and records its outcome. It
// reports whether there was one.
func (q *Queue) RunOnce(ctx context.Context) (bool, error) {
	claimed, err := q.claim(ctx, 1)
	if err != nil || len(claimed) == 0 {
		return false, err
	}
	j := claimed[0]
	final, err := q.run(ctx, j)
	if err == nil {
		return true, q.finish(ctx, claimed)
	}
	return true, q.fail(ctx, j, err, final)
}

// run runs a claimed job. It returns nil when the job succeeded, or the
// error to record and whether it is final.
func (q *Queue) run(ctx context.Context, j Job) (final bool, err error) {
	h, ok := q.handlers[j.Kind]
	start := time.Now()
	switch {
	case j.Attempts > j.MaxAttempts:
		// The last attempt's lease ran out: its worker died, maybe because
		// of this very job. Do not run it forever.
		err = Permanent(errors.New("the worker running the last attempt stopped before finishing"))
	case !ok:
		err = Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	default:
		err = q.safeRun(ctx, h, j)
	}
	if err == nil {
		if q.hooks.Done != nil {
			q.hooks.Done(j.Kind, time.Since(start))
		}
		return false, nil
	}
	var p permanent
	final = errors.As(err, &p) || j.Attempts >= j.MaxAttempts
	q.log.Warn("job failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "final", final, "err", err)
	if q.hooks.Failed != nil {
		q.hooks.Failed(j.Kind, final)
	}
	return final, err
}

// safeRun runs h, turning a panic into an error. The handler must end a
// fifth of the lease before the lease does, counted from the claim (Run
// may hold a claimed job a little before a worker is free).
func (q *Queue) safeRun(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, q.Lease-q.Lease/5-time.Since(j.claimed))
	defer cancel()
	return h(ctx, j)
}

// claim takes the leases of up to n ready jobs in one statement and
// returns them oldest first. Ready is pending and due, or running with an
// expired lease. A job whose lease expired comes first, and alone: its
// worker may have died of it, and if it kills this worker too, the
// attempts it uses up must not be charged to other jobs. On PostgreSQL,
// SKIP LOCKED lets several processes claim different rows at once; on
// SQLite the immediate transaction holds the writer lock.
func (q *Queue) claim(ctx context.Context, n int) ([]Job, error) {
	now := q.now()
	// Each claim has its own lock, even within one process, so that a
	// worker whose lease ran out cannot finish or fail the next claim.
	lock := q.worker + "#" + strconv.FormatUint(q.claims.Add(1), 10)
	type due struct {
		Job
		runAt time.Time
	}
	var got []due
	err := q.db.Tx(ctx, func(tx *sql.Tx) error {
		got = got[:0]
		rows, err := tx.QueryContext(ctx, `WITH expired AS (
				SELECT id FROM jobs WHERE status = 'running' AND locked_until < $3
				ORDER BY run_at LIMIT 1`+q.db.SkipLocked()+`),
			due AS (
				SELECT id FROM jobs WHERE status = 'pending' AND run_at <= $3 AND NOT EXISTS (SELECT 1 FROM expired)
				ORDER BY run_at LIMIT $4`+q.db.SkipLocked()+`)
			UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3
			WHERE id IN (SELECT id FROM expired UNION ALL SELECT id FROM due)
			RETURNING id, kind, payload, attempts, max_attempts, run_at`,
			lock, now.Add(q.Lease), now, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d := due{Job: Job{lock: lock}}
			if err := rows.Scan(&d.ID, &d.Kind, &d.Payload, &d.Attempts, &d.MaxAttempts, &d.runAt); err != nil {
				return err
			}
			got = append(got, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, store.Map(err)
	}
	slices.SortStableFunc(got, func(a, b due) int { return a.runAt.Compare(b.runAt) })
	claimed := time.Now()
	out := make([]Job, len(got))
	for i, d := range got {
		out[i] = d.Job
		out[i].claimed = claimed
	}
	return out, nil
}

// errLeaseLost means a job ran past its lease and another worker claimed it
// again; this worker's outcome is dropped.
var errLeaseLost = errors.New("lease lost: the job ran past its lease and was claimed again")

// finish marks jobs done, those of each claim in one statement, all in
// one transaction. A job whose lease was lost (another worker claimed it
// again) is left alone, and reported.
func (q *Queue) finish(ctx context.Context, done []Job) error {
	now := q.now()
	return q.byClaim(ctx, done, func(ids string) string {
		return `UPDATE jobs SET status = 'done', done_at = $1, updated_at = $1, last_error = '', locked_until = NULL
			WHERE locked_by = $2 AND status = 'running' AND id IN (` + ids + `) RETURNING id`
	}, now)
}

// release gives claimed jobs that did not start back to the queue, as
// they were: due at once for any worker, without the attempt.
func (q *Queue) release(ctx context.Context, unstarted []Job) error {
	now := q.now()
	return q.byClaim(ctx, unstarted, func(ids string) string {
		return `UPDATE jobs SET status = 'pending', attempts = attempts - 1, locked_by = '', locked_until = NULL, updated_at = $1
			WHERE locked_by = $2 AND status = 'running' AND id IN (` + ids + `) RETURNING id`
	}, now)
}

// maxIDs bounds the ids of one statement (SQLite allows 32,766
// parameters, PostgreSQL 65,535).
const maxIDs = 500

// groupByLock splits jobs by claim, keeping their order.
func groupByLock(list []Job) [][]Job {
	var out [][]Job
	at := map[string]int{}
	for _, j := range list {
		i, ok := at[j.lock]
		if !ok {
			i = len(out)
			at[j.lock] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], j)
	}
	return out
}

// byClaim runs, in one transaction, the statement made by query for the
// jobs of each claim: its parameters are now ($1), the claim's lock ($2)
// and the jobs' ids (from $3). Each statement returns the ids it changed;
// the other jobs lost their lease, which the error reports.
func (q *Queue) byClaim(ctx context.Context, list []Job, query func(ids string) string, now time.Time) error {
	if len(list) == 0 {
		return nil
	}
	var lost []error
	err := q.db.Tx(ctx, func(tx *sql.Tx) error {
		lost = lost[:0]
		for _, claim := range groupByLock(list) {
			for chunk := range slices.Chunk(claim, maxIDs) {
				args := []any{now, chunk[0].lock}
				marks := make([]string, len(chunk))
				for i, j := range chunk {
					args = append(args, j.ID)
					marks[i] = "$" + strconv.Itoa(i+3)
				}
				changed, err := returnedIDs(ctx, tx, query(strings.Join(marks, ", ")), args...)
				if err != nil {
					return err
				}
				for _, j := range chunk {
					if !changed[j.ID] {
						lost = append(lost, fmt.Errorf("job %s (%s): %w", j.ID, j.Kind, errLeaseLost))
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	return errors.Join(lost...)
}

// returnedIDs runs a statement that returns ids.
func returnedIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	return ids, rows.Err()
}

func (q *Queue) fail(ctx context.Context, j Job, cause error, final bool) error {
	now := q.now()
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	// PostgreSQL refuses invalid UTF-8 and NUL in text.
	msg = strings.ReplaceAll(strings.ToValidUTF8(msg, "?"), "\x00", "")
	status, runAt := "pending", now.Add(Backoff(j.Attempts))
	if final {
		status, runAt = "failed", now
	}
	res, err := q.db.ExecContext(ctx, `UPDATE jobs SET status = $1, run_at = $2, last_error = $3, updated_at = $4, locked_until = NULL
		WHERE id = $5 AND locked_by = $6 AND status = 'running'`, status, runAt, msg, now, j.ID, j.lock)
	if err != nil {
		return fmt.Errorf("job %s: %w", j.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("job %s (%s): %w", j.ID, j.Kind, errLeaseLost)
	}
	return nil
}

// Backoff is the pause before attempt n+1: 30 s doubling each time, at most
// 2 hours, with up to 20% jitter so that retries do not arrive together.
func Backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < 2*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 2*time.Hour)
	return d + time.Duration(rand.Int64N(int64(d/5)+1))
}

// Retry puts a failed job back in the queue now (an admin's action).
func Retry(ctx context.Context, db store.Querier, id string) error {
	now := store.Now()
	res, err := db.ExecContext(ctx, `UPDATE jobs SET status = 'pending', run_at = $1, attempts = 0, updated_at = $1
		WHERE id = $2 AND status = 'failed'`, now, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// Depth counts jobs waiting to run (pending or running), by kind.
func Depth(ctx context.Context, db store.Querier) (map[string]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT kind, COUNT(*) FROM jobs WHERE status IN ('pending', 'running') GROUP BY kind`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}
