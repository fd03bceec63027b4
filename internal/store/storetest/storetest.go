// Package storetest gives each test a fresh, migrated database on every
// engine: a temporary SQLite file, and a new PostgreSQL database at
// OGFORUM_TEST_DATABASE_URL that is dropped when the test ends.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ogforum/ogforum/internal/store"
)

// Engines lists the engine names tests run on.
var Engines = []store.Dialect{store.SQLite, store.Postgres}

// ForEach runs fn as a subtest on a fresh migrated database of each engine.
func ForEach(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh migrated database of the given engine.
func Open(t testing.TB, e store.Dialect) *store.DB {
	t.Helper()
	dsn := DSN(t, e)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return db
}

// DSN returns the connection string of a new empty database of engine e,
// removed when the test ends. On PostgreSQL it skips the test when no server
// is configured, unless CI=true, where it fails instead.
func DSN(t testing.TB, e store.Dialect) string {
	t.Helper()
	if e == store.SQLite {
		return filepath.Join(t.TempDir(), "ogforum.db")
	}
	base := os.Getenv("OGFORUM_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("OGFORUM_TEST_DATABASE_URL is not set; PostgreSQL tests cannot be skipped under CI")
		}
		t.Skip("PostgreSQL tests skipped: set OGFORUM_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)")
	}
	dsn, err := store.CreateScratchDatabase(context.Background(), base, "ogf_test_")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at OGFORUM_TEST_DATABASE_URL cannot be reached: %v", err)
		}
		t.Skipf("PostgreSQL tests skipped: %v", err)
	}
	t.Cleanup(func() {
		if err := store.DropScratchDatabase(context.Background(), base, dsn); err != nil {
			t.Logf("drop %s: %v", dsn, err)
		}
	})
	return dsn
}

// Name is a readable label for an engine in benchmark and test names.
func Name(e store.Dialect) string { return fmt.Sprint(e) }
