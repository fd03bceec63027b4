package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestMigrateIsIdempotentAndRefusesNewerSchema(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate: applied %d, err %v", n, err)
		}
		migs, _ := store.Migrations()
		v, err := db.SchemaVersion(ctx)
		if err != nil || v != len(migs) {
			t.Fatalf("version %d, want %d (%v)", v, len(migs), err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', $2)`, v+1, store.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("migrate on newer schema: %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestTxRollsBackAndMapsErrors(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := store.Now()
		insert := func(q store.Querier, id, name string) error {
			_, err := q.ExecContext(ctx, `INSERT INTO organisations (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)`, id, name, now)
			return store.Map(err)
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if err := insert(tx, "a", "Association A"); err != nil {
				return err
			}
			return insert(tx, "a", "duplicate")
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate key: %v, want ErrConflict", err)
		}
		var n int
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations`).Scan(&n)
		if n != 0 {
			t.Fatalf("rolled-back transaction left %d rows", n)
		}
		err = store.Map(db.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, "zz").Scan(new(string)))
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing row: %v, want ErrNotFound", err)
		}
	})
}

// Concurrent read-modify-write transactions must not lose an update.
func TestTxConcurrentCounter(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('n', '0', $1)`, store.Now()); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		const workers, each = 8, 10
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					err := db.Tx(ctx, func(tx *sql.Tx) error {
						var v int
						if err := tx.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'n'`+db.ForUpdate()).Scan(&v); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, `UPDATE settings SET value = $1 WHERE key = 'n'`, strconv.Itoa(v+1))
						return err
					})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		var v int
		db.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'n'`).Scan(&v)
		if v != workers*each {
			t.Fatalf("counter = %d, want %d", v, workers*each)
		}
	})
}

func TestNewIDUniqueAndValid(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := store.NewID()
		if !store.ValidID(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
	if store.ValidID("../etc/passwd") || store.ValidID("") {
		t.Fatal("ValidID accepts garbage")
	}
}

// SQLite stores times as text and compares them as text, which orders
// instants only when all share one offset: the driver writes them in UTC
// whatever zone the caller used. (PostgreSQL's TIMESTAMP drops the zone
// instead, so callers still pass UTC, as store.Now does.)
func TestSQLiteWritesTimesInUTC(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	utc := time.Date(2030, 6, 1, 12, 0, 0, 500_000_000, time.UTC)
	noumea := utc.Add(-time.Second).In(time.FixedZone("NCT", 11*3600))
	for key, at := range map[string]time.Time{"utc": utc, "noumea": noumea} {
		if _, err := db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, '', $2)`, key, at); err != nil {
			t.Fatal(err)
		}
	}
	var raw string
	var back time.Time
	if err := db.QueryRowContext(ctx, `SELECT CAST(updated_at AS TEXT), updated_at FROM settings WHERE key = 'noumea'`).Scan(&raw, &back); err != nil {
		t.Fatal(err)
	}
	if raw != "2030-06-01 11:59:59.5+00:00" || !back.Equal(noumea) || back.Location() != time.UTC {
		t.Fatalf("stored %q, read back %v; want the instant in UTC", raw, back)
	}
	var first string
	if err := db.QueryRowContext(ctx, `SELECT key FROM settings WHERE updated_at < $1 ORDER BY updated_at LIMIT 1`, utc).Scan(&first); err != nil || first != "noumea" {
		t.Fatalf("earliest before %v: %q, %v; want noumea", utc, first, err)
	}
}
