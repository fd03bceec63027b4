package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// clock is a settable clock for Queue.Now, safe to read from workers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts a minute ahead of the wall clock, so that jobs enqueued
// during the test (run_at = wall clock) are due.
func newClock() *clock { return &clock{t: store.Now().Add(time.Minute)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func newQueue(db *store.DB, c *clock) *jobs.Queue {
	q := jobs.New(db, slog.New(slog.DiscardHandler), jobs.Hooks{})
	if c != nil {
		q.Now = c.Now
	}
	return q
}

type jobRow struct {
	Status    string
	Attempts  int
	LastError string
	RunAt     time.Time
	DoneAt    *time.Time
}

func readJob(t *testing.T, db *store.DB, id string) jobRow {
	t.Helper()
	var r jobRow
	err := db.QueryRowContext(context.Background(), `SELECT status, attempts, last_error, run_at, done_at FROM jobs WHERE id = $1`, id).
		Scan(&r.Status, &r.Attempts, &r.LastError, &r.RunAt, &r.DoneAt)
	if err != nil {
		t.Fatalf("read job %s: %v", id, err)
	}
	return r
}

func countJobs(t *testing.T, db *store.DB, kind string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM jobs WHERE kind = $1`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func enqueue(t *testing.T, db *store.DB, kind, payload string, o jobs.Options) string {
	t.Helper()
	id, err := jobs.Enqueue(context.Background(), db, kind, payload, o)
	if err != nil || id == "" {
		t.Fatalf("enqueue %s: %q, %v", kind, id, err)
	}
	return id
}

// runOnce runs one job and fails the test unless there was one to run.
func runOnce(t *testing.T, q *jobs.Queue) {
	t.Helper()
	worked, err := q.RunOnce(context.Background())
	if err != nil || !worked {
		t.Fatalf("RunOnce: worked %v, err %v; want a job run", worked, err)
	}
}

func assertIdle(t *testing.T, q *jobs.Queue) {
	t.Helper()
	worked, err := q.RunOnce(context.Background())
	if err != nil || worked {
		t.Fatalf("RunOnce: worked %v, err %v; want no job ready", worked, err)
	}
}

func TestEnqueueBelongsToTheTransaction(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(db, newClock())
		runs := map[string]int{}
		q.Register("test.tx", func(_ context.Context, j jobs.Job) error {
			runs[j.Payload]++
			return nil
		})

		errRollback := errors.New("rollback")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := jobs.Enqueue(ctx, tx, "test.tx", "rolled back", jobs.Options{}); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		if n := countJobs(t, db, "test.tx"); n != 0 {
			t.Fatalf("rolled-back enqueue left %d jobs", n)
		}

		var id string
		err = db.Tx(ctx, func(tx *sql.Tx) (err error) {
			id, err = jobs.Enqueue(ctx, tx, "test.tx", "committed", jobs.Options{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		runOnce(t, q)
		assertIdle(t, q)
		if runs["committed"] != 1 || runs["rolled back"] != 0 {
			t.Fatalf("runs = %v, want the committed job once", runs)
		}
		r := readJob(t, db, id)
		if r.Status != "done" || r.Attempts != 1 || r.DoneAt == nil || r.LastError != "" {
			t.Fatalf("job after success: %+v", r)
		}
	})
}

func TestFailingJobBacksOffThenFails(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		var finals []bool
		q := jobs.New(db, slog.New(slog.DiscardHandler), jobs.Hooks{Failed: func(_ string, final bool) { finals = append(finals, final) }})
		q.Now = clk.Now
		succeed := false
		runs := 0
		q.Register("test.flaky", func(context.Context, jobs.Job) error {
			runs++
			if succeed {
				return nil
			}
			return errors.New("relay said 451 try later")
		})
		id := enqueue(t, db, "test.flaky", "", jobs.Options{MaxAttempts: 3})

		for attempt := 1; attempt <= 2; attempt++ {
			claimedAt := clk.Now()
			runOnce(t, q)
			r := readJob(t, db, id)
			if r.Status != "pending" || r.Attempts != attempt || r.LastError != "relay said 451 try later" {
				t.Fatalf("after attempt %d: %+v", attempt, r)
			}
			// Backoff(n) is 30 s doubling, plus up to 20% jitter.
			base := 30 * time.Second << (attempt - 1)
			if d := r.RunAt.Sub(claimedAt); d < base || d > base+base/5 {
				t.Fatalf("after attempt %d: run_at moved by %v, want %v to %v", attempt, d, base, base+base/5)
			}
			clk.Set(r.RunAt.Add(-time.Microsecond))
			assertIdle(t, q)
			clk.Set(r.RunAt)
		}
		runOnce(t, q)
		r := readJob(t, db, id)
		if r.Status != "failed" || r.Attempts != 3 || r.LastError != "relay said 451 try later" {
			t.Fatalf("after the last attempt: %+v", r)
		}
		clk.Set(clk.Now().Add(24 * time.Hour))
		assertIdle(t, q)
		if runs != 3 || len(finals) != 3 || finals[0] || finals[1] || !finals[2] {
			t.Fatalf("runs %d, final flags %v; want 3 runs, only the last final", runs, finals)
		}

		// An admin retries the failed job; it runs now and succeeds.
		if err := jobs.Retry(ctx, db, id); err != nil {
			t.Fatal(err)
		}
		if r := readJob(t, db, id); r.Status != "pending" || r.Attempts != 0 {
			t.Fatalf("after Retry: %+v", r)
		}
		succeed = true
		runOnce(t, q)
		if r := readJob(t, db, id); r.Status != "done" || r.Attempts != 1 || r.LastError != "" {
			t.Fatalf("after a retried success: %+v", r)
		}
		if err := jobs.Retry(ctx, db, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Retry of a done job: %v, want ErrNotFound", err)
		}
	})
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		q := newQueue(db, newClock())
		q.Register("test.permanent", func(context.Context, jobs.Job) error {
			return jobs.Permanent(errors.New("recipient does not exist"))
		})
		id := enqueue(t, db, "test.permanent", "", jobs.Options{})
		runOnce(t, q)
		r := readJob(t, db, id)
		if r.Status != "failed" || r.Attempts != 1 || r.LastError != "recipient does not exist" {
			t.Fatalf("after a permanent error: %+v", r)
		}
		// A kind nobody handles fails the same way instead of looping.
		id = enqueue(t, db, "test.unknown", "", jobs.Options{})
		runOnce(t, q)
		if r := readJob(t, db, id); r.Status != "failed" || !strings.Contains(r.LastError, "no handler") {
			t.Fatalf("job of an unknown kind: %+v", r)
		}
	})
}

func TestPanicIsRecordedAsFailure(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		q := newQueue(db, newClock())
		q.Register("test.panic", func(_ context.Context, j jobs.Job) error {
			var seats []string
			_ = seats[len(j.Payload)] // a real runtime panic: index out of range
			return nil
		})
		q.Register("test.panic-text", func(context.Context, jobs.Job) error {
			panic("bad byte \x00 and \xff in the message")
		})
		id := enqueue(t, db, "test.panic", "", jobs.Options{})
		runOnce(t, q)
		r := readJob(t, db, id)
		if r.Status != "pending" || r.Attempts != 1 || !strings.Contains(r.LastError, "panic: runtime error: index out of range") {
			t.Fatalf("after a panic: %+v", r)
		}
		// PostgreSQL refuses NUL and invalid UTF-8 in text; the failure
		// must be recorded all the same.
		id = enqueue(t, db, "test.panic-text", "", jobs.Options{})
		runOnce(t, q)
		if r := readJob(t, db, id); r.Status != "pending" || !strings.HasPrefix(r.LastError, "panic: bad byte") {
			t.Fatalf("after a panic with NUL in its message: %+v", r)
		}
	})
}

// blocker is a handler that reports each claim and then waits to be told
// how the job ends, standing for a worker that is still busy or has died.
type blocker struct {
	claimed chan jobs.Job
	release chan error
}

func newBlocker() *blocker {
	return &blocker{claimed: make(chan jobs.Job, 1), release: make(chan error)}
}

func (b *blocker) handle(_ context.Context, j jobs.Job) error {
	b.claimed <- j
	return <-b.release
}

// start runs q.RunOnce in the background and waits until its handler holds
// a job; the returned channel yields RunOnce's error once released.
func (b *blocker) start(t *testing.T, q *jobs.Queue) (jobs.Job, <-chan error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		worked, err := q.RunOnce(context.Background())
		if !worked && err == nil {
			err = errors.New("no job claimed")
		}
		done <- err
	}()
	select {
	case j := <-b.claimed:
		return j, done
	case err := <-done:
		t.Fatalf("blocked worker ended without claiming: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("blocked worker claimed nothing within 10 s")
	}
	return jobs.Job{}, nil
}

func TestExpiredLeaseIsClaimedByAnotherProcess(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		dead := newQueue(db, clk)
		b := newBlocker()
		dead.Register("test.crash", b.handle)
		id := enqueue(t, db, "test.crash", "payload", jobs.Options{})
		j, deadDone := b.start(t, dead)
		if j.ID != id || j.Attempts != 1 {
			t.Fatalf("claimed %+v", j)
		}

		// Another process: the job stays invisible while the lease runs.
		other := newQueue(db, clk)
		var ran []jobs.Job
		other.Register("test.crash", func(_ context.Context, j jobs.Job) error {
			ran = append(ran, j)
			return nil
		})
		clk.Set(clk.Now().Add(dead.Lease - time.Second))
		assertIdle(t, other)
		if r := readJob(t, db, id); r.Status != "running" {
			t.Fatalf("job held by a live lease: %+v", r)
		}
		// The first worker is gone; once its lease runs out the job is
		// claimed again and completed.
		clk.Set(clk.Now().Add(2 * time.Second))
		runOnce(t, other)
		if len(ran) != 1 || ran[0].ID != id || ran[0].Payload != "payload" || ran[0].Attempts != 2 {
			t.Fatalf("second process ran %+v", ran)
		}
		if r := readJob(t, db, id); r.Status != "done" || r.Attempts != 2 {
			t.Fatalf("after recovery: %+v", r)
		}

		// The first worker wakes up late and fails: it no longer holds
		// the job and must not reopen it.
		b.release <- errors.New("woke up too late")
		if err := <-deadDone; err == nil || !strings.Contains(err.Error(), "lease lost") {
			t.Fatalf("late worker: %v, want a lease-lost error", err)
		}
		if r := readJob(t, db, id); r.Status != "done" || r.LastError != "" {
			t.Fatalf("late failure overwrote the completed job: %+v", r)
		}
	})
}

// Within one process, several goroutines share the worker id: a claim
// must still only be finished by the goroutine that made it.
func TestLateWorkerInSameProcessCannotReopenJob(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		q := newQueue(db, clk)
		b := newBlocker()
		calls := 0
		var mu sync.Mutex
		q.Register("test.slow", func(ctx context.Context, j jobs.Job) error {
			mu.Lock()
			calls++
			first := calls == 1
			mu.Unlock()
			if first {
				return b.handle(ctx, j)
			}
			return nil
		})
		id := enqueue(t, db, "test.slow", "", jobs.Options{})
		_, slowDone := b.start(t, q)
		clk.Set(clk.Now().Add(q.Lease + time.Second))
		runOnce(t, q)
		if r := readJob(t, db, id); r.Status != "done" || r.Attempts != 2 {
			t.Fatalf("after the second claim: %+v", r)
		}
		b.release <- errors.New("timed out")
		if err := <-slowDone; err == nil {
			t.Fatal("late worker reported success on a job it no longer held")
		}
		if r := readJob(t, db, id); r.Status != "done" {
			t.Fatalf("late worker of the same process reopened the job: %+v", r)
		}
		clk.Set(clk.Now().Add(24 * time.Hour))
		assertIdle(t, q)
	})
}

// A job whose worker keeps dying (say it runs out of memory) must not be
// claimed forever: once its attempts are used up it fails.
func TestJobThatKillsItsWorkerEndsFailed(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		dead := newQueue(db, clk)
		b := newBlocker()
		dead.Register("test.poison", b.handle)
		id := enqueue(t, db, "test.poison", "", jobs.Options{MaxAttempts: 1})
		_, deadDone := b.start(t, dead)

		other := newQueue(db, clk)
		ran := 0
		other.Register("test.poison", func(context.Context, jobs.Job) error { ran++; return nil })
		clk.Set(clk.Now().Add(dead.Lease + time.Second))
		runOnce(t, other)
		r := readJob(t, db, id)
		if ran != 0 || r.Status != "failed" || !strings.Contains(r.LastError, "stopped before finishing") {
			t.Fatalf("ran %d times; job %+v; want failed without running", ran, r)
		}
		b.release <- nil
		<-deadDone
		if r := readJob(t, db, id); r.Status != "failed" {
			t.Fatalf("late worker changed the failed job: %+v", r)
		}
	})
}

func TestUniqueKeyAndPeriodicJobs(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first, err := jobs.Enqueue(ctx, db, "test.unique", "", jobs.Options{UniqueKey: "reminder:forum-42"})
		if err != nil || first == "" {
			t.Fatalf("first enqueue: %q, %v", first, err)
		}
		second, err := jobs.Enqueue(ctx, db, "test.unique", "", jobs.Options{UniqueKey: "reminder:forum-42"})
		if err != nil || second != "" {
			t.Fatalf("second enqueue with the same key: %q, %v; want \"\", nil", second, err)
		}
		if n := countJobs(t, db, "test.unique"); n != 1 {
			t.Fatalf("%d jobs with one unique key", n)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM jobs`); err != nil {
			t.Fatal(err)
		}

		// Two processes schedule the same hourly job, each twice.
		clk := newClock()
		clk.Set(time.Date(2031, 5, 6, 10, 17, 3, 250_000_000, time.UTC))
		a, b := newQueue(db, clk), newQueue(db, clk)
		for _, q := range []*jobs.Queue{a, b} {
			q.Every("test.hourly", time.Hour)
			q.Register("test.hourly", func(context.Context, jobs.Job) error { return nil })
		}
		for _, q := range []*jobs.Queue{a, b, a, b} {
			if err := q.SchedulePeriodic(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := countJobs(t, db, "test.hourly"); n != 1 {
			t.Fatalf("%d hourly jobs in one hour, want 1", n)
		}
		// The period's job is due at once, and only once.
		runOnce(t, a)
		if err := b.SchedulePeriodic(ctx); err != nil {
			t.Fatal(err)
		}
		assertIdle(t, b)
		clk.Set(clk.Now().Add(time.Hour))
		if err := a.SchedulePeriodic(ctx); err != nil {
			t.Fatal(err)
		}
		if n := countJobs(t, db, "test.hourly"); n != 2 {
			t.Fatalf("%d hourly jobs after the next hour began, want 2", n)
		}
	})
}

// run_at and locked_until are compared in SQL. The comparison must follow
// the instants, whatever the length of their fractional seconds and
// whatever zone the caller's clock is in.
func TestDueTimeComparisons(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		paris := time.FixedZone("CET", 3600)
		noumea := time.FixedZone("NCT", 11*3600)
		cases := []struct {
			runAt, now time.Duration
			runLoc     *time.Location
			nowLoc     *time.Location
			due        bool
		}{
			{0, -time.Microsecond, time.UTC, time.UTC, false},
			{0, 0, time.UTC, time.UTC, true},
			{0, 100 * time.Millisecond, time.UTC, time.UTC, true},
			{500 * time.Millisecond, 499_999 * time.Microsecond, time.UTC, time.UTC, false},
			{500 * time.Millisecond, 500 * time.Millisecond, time.UTC, time.UTC, true},
			{500 * time.Millisecond, 500_001 * time.Microsecond, time.UTC, time.UTC, true},
			{123_450 * time.Microsecond, 123_456 * time.Microsecond, time.UTC, time.UTC, true},
			{123_456 * time.Microsecond, 123_450 * time.Microsecond, time.UTC, time.UTC, false},
			{time.Second, 999_999 * time.Microsecond, time.UTC, time.UTC, false},
			{0, 0, paris, noumea, true},
			{0, -time.Microsecond, noumea, paris, false},
			{0, -time.Second, time.UTC, paris, false},
			{0, time.Millisecond, paris, time.UTC, true},
		}
		for i, c := range cases {
			if _, err := db.ExecContext(ctx, `DELETE FROM jobs`); err != nil {
				t.Fatal(err)
			}
			enqueue(t, db, "test.due", "", jobs.Options{RunAt: base.Add(c.runAt).In(c.runLoc)})
			q := newQueue(db, nil)
			q.Now = func() time.Time { return base.Add(c.now).In(c.nowLoc) }
			q.Register("test.due", func(context.Context, jobs.Job) error { return nil })
			worked, err := q.RunOnce(ctx)
			if err != nil || worked != c.due {
				t.Errorf("case %d: run_at %v (%v), now %v (%v): ran %v, err %v; want ran %v",
					i, c.runAt, c.runLoc, c.now, c.nowLoc, worked, err, c.due)
			}
		}
	})
}
