package directory

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/ogforum/ogforum/internal/store"
)

// siteKey returns the site's secret HMAC key, created on first use and
// shared by every process through the database.
func siteKey(ctx context.Context, q store.Querier) ([]byte, error) {
	fresh := make([]byte, 32)
	rand.Read(fresh)
	if _, err := q.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('secret.hmac', $1, $2) ON CONFLICT (key) DO NOTHING`,
		hex.EncodeToString(fresh), store.Now()); err != nil {
		return nil, err
	}
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'secret.hmac'`).Scan(&v); err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

func sign(key []byte, purpose, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + ":" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// PreferencesToken is the secret part of a person's preferences link,
// put in every mail they receive. It needs no storage: it is the person's
// id signed with the site key, and dies with the person.
func PreferencesToken(ctx context.Context, q store.Querier, personID string) (string, error) {
	key, err := siteKey(ctx, q)
	if err != nil {
		return "", err
	}
	return personID + "." + sign(key, "prefs", personID), nil
}

// PersonByPreferencesToken checks a preferences token and loads its person.
func PersonByPreferencesToken(ctx context.Context, q store.Querier, token string) (*Person, error) {
	id, sig, ok := strings.Cut(token, ".")
	if !ok || !store.ValidID(id) {
		return nil, store.ErrNotFound
	}
	key, err := siteKey(ctx, q)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal([]byte(sig), []byte(sign(key, "prefs", id))) {
		return nil, store.ErrNotFound
	}
	return GetPerson(ctx, q, id)
}
