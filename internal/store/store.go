// Package store opens the database (SQLite or PostgreSQL), applies the
// embedded migrations and offers the few helpers every domain shares:
// transactions with retry, identifiers and error mapping.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // pure-Go SQLite driver "sqlite"
)

// Dialect names the database engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB wraps *sql.DB with the engine it talks to.
type DB struct {
	*sql.DB
	Dialect Dialect
	// Path is the SQLite file, empty on PostgreSQL.
	Path string
}

// IsPostgresURL tells whether a database setting selects PostgreSQL.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database named by dsn: a postgres:// URL, or a path
// to an SQLite file (created if missing, with its directory).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgresURL(dsn) {
		sdb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sdb.SetMaxOpenConns(20)
		sdb.SetMaxIdleConns(10)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
		db := &DB{DB: sdb, Dialect: Postgres}
		if err := db.PingContext(ctx); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		return db, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	sdb, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// SQLite has one writer at a time; a few connections let readers work
	// beside it in WAL mode.
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	db := &DB{DB: sdb, Dialect: SQLite, Path: path}
	if err := db.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// sqliteDSN sets, for every pooled connection, WAL, a busy timeout, foreign
// keys, immediate (writer) transactions, the time format, a page cache
// of up to 32 MiB (filled only as pages are read; it keeps imports and
// searches of a large directory off the disk), and temporary tables,
// indexes and journals in memory rather than in files (SQLite writes
// each of their pages with a system call otherwise). The file is not
// mapped in memory (mmap_size): searches over 100,000 people were no
// faster for it, and every page read would count in the resident memory. Times are
// written as text in UTC ('2006-01-02 15:04:05.999999999+00:00'), which
// SQLite compares as text: that orders instants correctly only when every
// value has the same offset, hence _timezone=UTC for times that callers
// pass in another zone (it also reads times back in UTC).
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-32768)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	q.Set("_timezone", "UTC")
	return "file:" + path + "?" + q.Encode()
}

// Sentinel errors that domains return instead of driver errors.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrBusy     = errors.New("database busy")
)

// Map turns driver errors into the sentinel errors above where one applies.
func Map(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"), strings.Contains(msg, "SQLSTATE 23505"):
		return fmt.Errorf("%w: %v", ErrConflict, err)
	case isRetryable(err):
		return fmt.Errorf("%w: %v", ErrBusy, err)
	}
	return err
}

func isRetryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrBusy) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked") ||
		strings.Contains(msg, "SQLSTATE 40001") || strings.Contains(msg, "SQLSTATE 40P01")
}

// Tx runs fn in a transaction, committing when it returns nil. A transaction
// that fails because SQLite was busy or PostgreSQL found a serialization
// failure or deadlock is retried a few times with a growing pause.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = db.tx(ctx, fn)
		if !isRetryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 15 * time.Millisecond):
		}
	}
	return err
}

func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// ForUpdate is the row-lock suffix for a SELECT inside a transaction:
// "FOR UPDATE" on PostgreSQL; nothing on SQLite, whose immediate
// transactions already hold the single writer lock.
func (db *DB) ForUpdate() string {
	if db.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// SkipLocked is ForUpdate with SKIP LOCKED, for workers claiming queue rows.
func (db *DB) SkipLocked() string {
	if db.Dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// Lock takes the named lock name (a row of named_locks, see migration
// 0011) until the end of the transaction q: another transaction taking it
// waits until then on PostgreSQL; SQLite runs one writer at a time anyway.
// It works alike on both engines, where an advisory lock would not.
func Lock(ctx context.Context, q Querier, name string) error {
	res, err := q.ExecContext(ctx, `UPDATE named_locks SET taken = taken + 1 WHERE name = $1`, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("lock %q: no such lock", name)
	}
	return nil
}

// Querier is what *sql.DB, *sql.Tx and *DB have in common.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Now is the current time in UTC at microsecond precision, the precision
// both engines keep.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Backup writes a consistent copy of an SQLite database to path with
// VACUUM INTO; it works while other processes use the database.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return errors.New("backup: use pg_dump for PostgreSQL")
	}
	_, err := db.ExecContext(ctx, `VACUUM INTO $1`, path)
	return err
}

// IgnoreNotFound returns nil for ErrNotFound and err otherwise.
func IgnoreNotFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
