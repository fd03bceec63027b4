package jobs

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Run claims and runs jobs until ctx is cancelled, with n concurrent
// workers. A job running when ctx ends finishes before Run returns, and
// claimed jobs that did not start go back to the queue.
//
// The workers share the claims: a worker with nothing to do takes the
// next job claimed already, or claims a batch (one statement) and keeps
// the rest for the others. Jobs that succeed are marked done in batches
// too, by one goroutine, within a few milliseconds. A crash in between
// leaves them running until their lease runs out, then they run again, as
// after a crash during a job.
func (q *Queue) Run(ctx context.Context, n int) {
	f := &feed{q: q, workers: n}
	done := make(chan Job, 4*q.batch())
	var workers, finisher, periodic sync.WaitGroup
	for range n {
		workers.Go(func() {
			for {
				j, ok := f.next(ctx)
				if !ok {
					return
				}
				start := time.Now()
				final, err := q.run(context.WithoutCancel(ctx), j)
				f.ran(time.Since(start))
				if err == nil {
					done <- j
				} else if err := q.fail(context.WithoutCancel(ctx), j, err, final); err != nil {
					q.log.Error("job queue", "err", err)
				}
			}
		})
	}
	finisher.Go(func() { q.finishDone(done) })
	periodic.Go(func() {
		for {
			if err := q.SchedulePeriodic(ctx); err != nil && ctx.Err() == nil {
				q.log.Error("schedule periodic jobs", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Minute):
			}
		}
	})
	workers.Wait()
	if err := q.release(context.WithoutCancel(ctx), f.held); err != nil {
		q.log.Error("job queue", "err", err)
	}
	close(done)
	finisher.Wait()
	periodic.Wait()
}

func (q *Queue) batch() int { return max(q.Batch, 1) }

// finishLinger is how long the finisher waits for more jobs to finish
// in the same statement.
const finishLinger = 5 * time.Millisecond

// finishDone marks the jobs received on done as done, a batch at a time,
// until done is closed.
func (q *Queue) finishDone(done <-chan Job) {
	for j := range done {
		batch := []Job{j}
		linger := time.NewTimer(finishLinger)
	collect:
		for len(batch) < q.batch() {
			select {
			case j, ok := <-done:
				if !ok {
					break collect
				}
				batch = append(batch, j)
			case <-linger.C:
				break collect
			}
		}
		linger.Stop()
		if err := q.finish(context.Background(), batch); err != nil {
			q.log.Error("job queue", "err", err)
		}
	}
}

// feed hands claimed jobs to the workers of one Run.
type feed struct {
	q       *Queue
	workers int
	mu      sync.Mutex // held while claiming: one claim at a time
	held    []Job      // claimed, not started, oldest first
	avg     atomic.Int64
}

// feedHorizon is about how much work one claim takes for the workers:
// claims stay small while jobs are slow, so that jobs wait in no
// process while workers elsewhere are free.
const feedHorizon = 100 * time.Millisecond

// ran records the time a job took to run.
func (f *feed) ran(d time.Duration) {
	for {
		old := f.avg.Load()
		next := int64(d)
		if old > 0 {
			next = old - old/8 + int64(d)/8
		}
		if f.avg.CompareAndSwap(old, next) {
			return
		}
	}
}

// size is how many jobs to claim: one per worker until a job has ended,
// then what the workers would finish within feedHorizon.
func (f *feed) size() int {
	avg := time.Duration(f.avg.Load())
	if avg <= 0 {
		return min(f.workers, f.q.batch())
	}
	return max(1, min(f.q.batch(), int(int64(f.workers)*int64(feedHorizon)/int64(avg))))
}

// maxHold is how long a claimed job may wait for a worker; after that it
// goes back to the queue, where other processes may take it.
func (f *feed) maxHold() time.Duration { return f.q.Lease / 20 }

// next returns the next job to run, claiming when none is held, or false
// once ctx is done.
func (f *feed) next(ctx context.Context) (Job, bool) {
	q := f.q
	for ctx.Err() == nil {
		f.mu.Lock()
		if len(f.held) > 0 && time.Since(f.held[0].claimed) > f.maxHold() {
			if err := q.release(context.WithoutCancel(ctx), f.held); err != nil {
				q.log.Error("job queue", "err", err)
			}
			f.held = nil
		}
		if len(f.held) == 0 {
			claimed, err := q.claim(context.WithoutCancel(ctx), f.size())
			if err != nil {
				q.log.Error("job queue", "err", err)
			}
			f.held = claimed
		}
		if len(f.held) > 0 {
			j := f.held[0]
			f.held = f.held[1:]
			f.mu.Unlock()
			return j, true
		}
		f.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(q.Poll):
		}
	}
	return Job{}, false
}
