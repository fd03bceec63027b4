package jobs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// enqueueInOrder enqueues jobs job-00, job-01... of kind, due one
// microsecond apart (in that order) a minute before now.
func enqueueInOrder(t *testing.T, db *store.DB, kind string, n int) []string {
	t.Helper()
	base := store.Now().Add(-time.Minute)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = enqueue(t, db, kind, fmt.Sprintf("job-%02d", i), jobs.Options{RunAt: base.Add(time.Duration(i) * time.Microsecond)})
	}
	return ids
}

// claimOf is the lock a job was claimed with last.
func claimOf(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	var lock string
	if err := db.QueryRowContext(context.Background(), `SELECT locked_by FROM jobs WHERE id = $1`, id).Scan(&lock); err != nil {
		t.Fatal(err)
	}
	return lock
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting, after 20 s, for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runQueue runs q with workers until the returned stop is called; stop
// returns once Run has.
func runQueue(q *jobs.Queue, workers int) (stop func()) {
	cancel, wait := startQueue(q, workers)
	return func() { cancel(); wait() }
}

// startQueue runs q with workers: cancel asks Run to stop, wait returns
// once it has.
func startQueue(q *jobs.Queue, workers int) (cancel, wait func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { q.Run(ctx, workers) })
	return cancel, wg.Wait
}

// Quick jobs are claimed many at a time, and each runs once and is marked
// done once.
func TestRunClaimsQuickJobsInBatches(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		const total = 200
		ids := enqueueInOrder(t, db, "test.quick", total)
		q := newQueue(db, newClock())
		var mu sync.Mutex
		runs := map[string]int{}
		q.Register("test.quick", func(_ context.Context, j jobs.Job) error {
			mu.Lock()
			defer mu.Unlock()
			runs[j.Payload]++
			return nil
		})
		stop := runQueue(q, 2)
		waitFor(t, "every job to run", func() bool { mu.Lock(); defer mu.Unlock(); return len(runs) == total })
		stop()

		claims := map[string]bool{}
		for i, id := range ids {
			if n := runs[fmt.Sprintf("job-%02d", i)]; n != 1 {
				t.Errorf("job-%02d ran %d times", i, n)
			}
			if r := readJob(t, db, id); r.Status != "done" || r.Attempts != 1 || r.DoneAt == nil {
				t.Errorf("job-%02d after Run: %+v", i, r)
			}
			claims[claimOf(t, db, id)] = true
		}
		if len(claims) > total/4 {
			t.Errorf("%d jobs took %d claims, want batches", total, len(claims))
		}
	})
}

// startBlockedBatch runs q with one worker and a batch of 8 over jobs
// job-00... (enqueued in that order): job-00 runs at once, so that the
// next claim takes a batch, and job-01 blocks in b. It returns once job-01
// runs and job-00 is marked done, while job-02 to job-08 wait in the
// worker's batch.
func startBlockedBatch(t *testing.T, db *store.DB, ids []string, q *jobs.Queue, b *blocker) (cancel, wait func()) {
	t.Helper()
	q.Batch = 8
	q.Register("test.batch", func(ctx context.Context, j jobs.Job) error {
		if j.Payload == "job-01" {
			return b.handle(ctx, j)
		}
		return nil
	})
	cancel, wait = startQueue(q, 1)
	select {
	case j := <-b.claimed:
		if j.Payload != "job-01" {
			t.Fatalf("blocked on %s", j.Payload)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("job-01 did not start within 20 s")
	}
	waitFor(t, "job-00 to be marked done", func() bool { return readJob(t, db, ids[0]).Status == "done" })
	return cancel, wait
}

// Jobs claimed in a batch that had not started when Run stopped go back
// to the queue at once, without the attempt: another process takes them
// without waiting for their lease.
func TestStoppedRunGivesBackUnstartedJobs(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ids := enqueueInOrder(t, db, "test.batch", 12)
		clk := newClock()
		q := newQueue(db, clk)
		b := newBlocker()
		cancel, wait := startBlockedBatch(t, db, ids, q, b)
		if r := readJob(t, db, ids[2]); r.Status != "running" {
			t.Fatalf("job-02, claimed with job-01: %+v", r)
		}
		// Run is asked to stop while job-01 runs; then job-01 ends.
		cancel()
		b.release <- nil
		wait()

		for i, id := range ids {
			r := readJob(t, db, id)
			switch {
			case i < 2 && (r.Status != "done" || r.Attempts != 1):
				t.Errorf("job-%02d, which ran: %+v", i, r)
			case i >= 2 && (r.Status != "pending" || r.Attempts != 0):
				t.Errorf("job-%02d, which did not start: %+v, want pending with no attempt", i, r)
			}
		}
		other := newQueue(db, clk)
		var ran []string
		other.Register("test.batch", func(_ context.Context, j jobs.Job) error {
			ran = append(ran, j.Payload)
			return nil
		})
		runOnce(t, other)
		if len(ran) != 1 || ran[0] != "job-02" {
			t.Fatalf("the next process ran %v, want job-02 at once", ran)
		}
	})
}

// A process dies holding a batch. Once the leases run out, another
// process takes those jobs back one claim each (one of them may be what
// killed the first process, and must not use up the attempts of the
// others), runs each once, and the late outcome of the first process
// changes nothing.
func TestExpiredJobsAreClaimedOneByOne(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ids := enqueueInOrder(t, db, "test.batch", 20)
		clk := newClock()
		dead := newQueue(db, clk)
		b := newBlocker()
		cancelDead, waitDead := startBlockedBatch(t, db, ids, dead, b)
		heldByDead := map[string]bool{}
		for _, id := range ids {
			if r := readJob(t, db, id); r.Status == "running" {
				heldByDead[id] = true
			}
		}
		if len(heldByDead) < 2 {
			t.Fatalf("the first process holds %d jobs, want a batch", len(heldByDead))
		}

		clk.Set(clk.Now().Add(dead.Lease + time.Second))
		other := newQueue(db, clk)
		var mu sync.Mutex
		runs := map[string]int{}
		other.Register("test.batch", func(_ context.Context, j jobs.Job) error {
			mu.Lock()
			defer mu.Unlock()
			runs[j.ID]++
			if heldByDead[j.ID] && j.Attempts != 2 {
				t.Errorf("%s taken back with attempt %d, want 2", j.Payload, j.Attempts)
			}
			return nil
		})
		stopOther := runQueue(other, 2)
		waitFor(t, "the second process to run the jobs", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(runs) == len(ids)-1 // all but job-00, done by the first
		})
		stopOther()

		claims := map[string]bool{}
		for id := range heldByDead {
			claims[claimOf(t, db, id)] = true
		}
		if len(claims) != len(heldByDead) {
			t.Errorf("%d expired jobs taken back in %d claims, want one each", len(heldByDead), len(claims))
		}
		// The first process wakes up: its outcome and its giving back of
		// the rest of its batch are dropped.
		b.release <- nil
		cancelDead()
		waitDead()
		for i, id := range ids {
			if r := readJob(t, db, id); r.Status != "done" || (i > 0 && runs[id] != 1) {
				t.Errorf("job-%02d: ran %d times in the second process, %+v", i, runs[id], r)
			}
		}
	})
}
