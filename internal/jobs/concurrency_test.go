package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// syncBuffer collects log output from concurrent workers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Four processes, each with its own connection pool, worker id and several
// workers, drain one queue: every job runs exactly once.
func TestConcurrentProcessesRunEachJobOnce(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, engine)
			const processes, workersEach, total = 4, 3, 300
			dbs := make([]*store.DB, processes)
			for i := range dbs {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			if _, err := dbs[0].Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for i := range total {
				enqueue(t, dbs[0], "test.count", fmt.Sprintf("job-%03d", i), jobs.Options{})
			}

			var (
				mu      sync.Mutex
				counts  = map[string]int{}
				byQueue = map[string]int{}
				allRan  = make(chan struct{})
			)
			var logs syncBuffer
			runCtx, stop := context.WithCancel(ctx)
			defer stop()
			var running sync.WaitGroup
			for i, db := range dbs {
				q := jobs.New(db, slog.New(slog.NewTextHandler(&logs, nil)), jobs.Hooks{})
				q.Poll = 5 * time.Millisecond
				name := fmt.Sprintf("process-%d", i)
				q.Register("test.count", func(_ context.Context, j jobs.Job) error {
					mu.Lock()
					defer mu.Unlock()
					counts[j.Payload]++
					byQueue[name]++
					if len(counts) == total && counts[j.Payload] == 1 {
						close(allRan)
					}
					return nil
				})
				running.Add(1)
				go func() { defer running.Done(); q.Run(runCtx, workersEach) }()
			}
			select {
			case <-allRan:
			case <-time.After(60 * time.Second):
				mu.Lock()
				n := len(counts)
				mu.Unlock()
				t.Fatalf("only %d of %d jobs ran within 60 s", n, total)
			}
			stop()
			running.Wait() // jobs under way finish before Run returns

			for i := range total {
				if n := counts[fmt.Sprintf("job-%03d", i)]; n != 1 {
					t.Errorf("job-%03d ran %d times", i, n)
				}
			}
			var done, attempts int
			if err := dbs[0].QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(attempts), 0) FROM jobs WHERE status = 'done'`).Scan(&done, &attempts); err != nil {
				t.Fatal(err)
			}
			if done != total || attempts != total {
				t.Errorf("%d jobs done with %d attempts in all, want %d and %d", done, attempts, total, total)
			}
			if out := logs.String(); out != "" {
				t.Errorf("workers logged:\n%s", out)
			}
			t.Logf("jobs per process: %v", byQueue)
		})
	}
}
