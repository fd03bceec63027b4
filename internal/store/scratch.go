package store

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
)

// CreateScratchDatabase creates a new, empty database named prefix and a
// fresh id on the PostgreSQL server of base (a postgres:// URL) and
// returns its URL. Tests and benchmarks use one each and drop it with
// DropScratchDatabase.
func CreateScratchDatabase(ctx context.Context, base, prefix string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	name := prefix + strings.ToLower(NewID())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// DropScratchDatabase drops the database of dsn, made by
// CreateScratchDatabase on the server of base, closing its connections.
func DropScratchDatabase(ctx context.Context, base, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+strings.TrimPrefix(u.Path, "/")+" WITH (FORCE)")
	return err
}
