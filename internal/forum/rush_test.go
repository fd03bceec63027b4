package forum_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// processes opens the database of engine e as separate handles, each with
// its own connection pool, as separate ogforum processes would: one on
// SQLite (one process), three on PostgreSQL.
func processes(t testing.TB, e store.Dialect) []*store.DB {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, e)
	n := 1
	if e == store.Postgres {
		n = 3
	}
	var dbs []*store.DB
	for range n {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if e == store.Postgres {
			// Keep the three pools within the server's connection limit
			// when other packages' tests run at the same time.
			db.SetMaxOpenConns(10)
		}
		dbs = append(dbs, db)
	}
	if _, err := dbs[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return dbs
}

type rushResult struct {
	id       string
	status   string
	position int
	err      error
}

// rush registers people persons from clients concurrent clients spread
// over the processes, and returns each registration's answer.
func rush(dbs []*store.DB, forumID string, people, clients, offset int) []rushResult {
	ctx := context.Background()
	services := make([]*forum.Service, len(dbs))
	for i, db := range dbs {
		services[i] = newService(db)
	}
	results := make([]rushResult, people)
	next := make(chan int)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, s := dbs[c%len(dbs)], services[c%len(dbs)]
			for i := range next {
				in := person(offset + i)
				in.Email = fmt.Sprintf("rush%06d@example.org", offset+i)
				var r *forum.Registration
				err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
					r, _, err = s.Register(ctx, tx, forumID, in)
					return err
				})
				if err != nil {
					results[i] = rushResult{err: err}
					continue
				}
				results[i] = rushResult{id: r.ID, status: r.Status, position: r.WaitlistPosition}
			}
		}()
	}
	for i := range people {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// 64 clients register 500 people for 100 seats at once, through one
// process on SQLite and three on PostgreSQL: exactly 100 are confirmed,
// 400 wait at positions 1..400 in the order their transactions committed,
// and nobody is registered twice.
func TestConcurrentRegistrationRush(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dbs := processes(t, e)
			db := dbs[0]
			f := newForum(t, db, newService(db), 100, nil)
			const people, clients = 500, 64
			results := rush(dbs, f.ID, people, clients, 0)

			answered := map[string]rushResult{}
			positions := map[int]bool{}
			confirmed := 0
			for i, r := range results {
				if r.err != nil {
					t.Fatalf("registration %d: %v", i, r.err)
				}
				answered[r.id] = r
				switch r.status {
				case forum.Confirmed:
					confirmed++
				case forum.Waitlisted:
					if positions[r.position] {
						t.Errorf("position %d given twice", r.position)
					}
					positions[r.position] = true
				}
			}
			if confirmed != 100 || len(positions) != 400 {
				t.Fatalf("%d confirmed and %d waiting, want 100 and 400", confirmed, len(positions))
			}
			for p := 1; p <= 400; p++ {
				if !positions[p] {
					t.Errorf("position %d missing", p)
				}
			}
			// The database agrees with the answers.
			stored, err := forum.ListRegistrations(ctx, db, f.ID, forum.RegistrationFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != people {
				t.Fatalf("%d registrations stored", len(stored))
			}
			emails := map[string]bool{}
			var lastConfirmed time.Time
			var waiting []*forum.Registration
			for _, r := range stored {
				a := answered[r.ID]
				if a.status != r.Status || a.position != r.WaitlistPosition {
					t.Errorf("%s: answered %s %d, stored %s %d", r.Email, a.status, a.position, r.Status, r.WaitlistPosition)
				}
				if emails[r.Email] {
					t.Errorf("%s registered twice", r.Email)
				}
				emails[r.Email] = true
				if r.Status == forum.Confirmed && r.CreatedAt.After(lastConfirmed) {
					lastConfirmed = r.CreatedAt
				}
				if r.Status == forum.Waitlisted {
					waiting = append(waiting, r)
				}
			}
			// Positions follow the order in which the transactions took
			// the forum's lock and committed (each registration's time is
			// taken under the lock), and every confirmed registration came
			// before every waiting one.
			sort.Slice(waiting, func(i, j int) bool { return waiting[i].WaitlistPosition < waiting[j].WaitlistPosition })
			if waiting[0].CreatedAt.Before(lastConfirmed) {
				t.Errorf("first waiting person registered at %v, before the last confirmed one at %v", waiting[0].CreatedAt, lastConfirmed)
			}
			for i := 1; i < len(waiting); i++ {
				if waiting[i].CreatedAt.Before(waiting[i-1].CreatedAt) {
					t.Errorf("position %d registered at %v, before position %d at %v",
						waiting[i].WaitlistPosition, waiting[i].CreatedAt, waiting[i-1].WaitlistPosition, waiting[i-1].CreatedAt)
				}
			}
			// One mail per registration, committed with it; calendar files
			// and check-in QR codes for the confirmed only.
			if n := count(t, db, `SELECT COUNT(*) FROM mails WHERE recipient LIKE 'rush%'`); n != people {
				t.Errorf("%d mails for %d registrations", n, people)
			}
			for _, ct := range []string{forum.ICSContentType, "image/png"} {
				if n := count(t, db, `SELECT COUNT(*) FROM mail_attachments a JOIN mails m ON m.id = a.mail_id
					WHERE m.recipient LIKE 'rush%' AND a.content_type = $1`, ct); n != 100 {
					t.Errorf("%d attachments of type %s for 100 confirmed", n, ct)
				}
			}
			if n := count(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, forum.AlertJobKind); n != 2 {
				t.Errorf("%d occupancy alerts, want 2 (80%% and 100%%)", n)
			}
		})
	}
}

// BenchmarkRegistrationRush: 5,000 registrations sent at once by 64
// clients for 100 seats, on SQLite (one process) and on PostgreSQL (three
// processes, when OGFORUM_TEST_DATABASE_URL is set). Reports
// registrations per second.
//
//	go test -run '^$' -bench RegistrationRush -benchtime 3x ./internal/forum/
func BenchmarkRegistrationRush(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			dbs := processes(b, e)
			const people, clients = 5000, 64
			var elapsed time.Duration
			for i := range b.N {
				b.StopTimer()
				f := newForum(b, dbs[0], newService(dbs[0]), 100, nil)
				b.StartTimer()
				start := time.Now()
				results := rush(dbs, f.ID, people, clients, i*people)
				elapsed += time.Since(start)
				b.StopTimer()
				confirmed := 0
				for _, r := range results {
					if r.err != nil {
						b.Fatal(r.err)
					}
					if r.status == forum.Confirmed {
						confirmed++
					}
				}
				if confirmed != 100 {
					b.Fatalf("%d confirmed", confirmed)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(people*b.N)/elapsed.Seconds(), "registrations/s")
		})
	}
}
