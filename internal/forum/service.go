package forum

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // forums are scheduled in named zones even where the system has no zoneinfo
	"unicode"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/store"
)

// Config is what the mailing operations need.
type Config struct {
	// Catalog holds the mails' texts in both languages.
	Catalog *i18n.Catalog
	// BaseURL is the site's public address, without a trailing slash, for
	// the links in mails and calendars.
	BaseURL string
	// AlertAddress, when set, receives the occupancy alerts instead of
	// every enabled admin and organiser.
	AlertAddress string
}

// Service runs the operations that lock a forum and queue mail. The
// transactions given to its methods must be transactions of its database.
type Service struct {
	db  *store.DB
	cfg Config
	// prepared holds the registration's statements on SQLite, whose
	// driver would parse them again at every call (PostgreSQL's driver
	// caches statements by itself).
	prepared map[string]*sql.Stmt
}

// New makes a Service on db (migrated). A nil Catalog loads the embedded
// one.
func New(db *store.DB, cfg Config) *Service {
	if cfg.Catalog == nil {
		cfg.Catalog = i18n.MustLoad()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Service{db: db, cfg: cfg, prepared: map[string]*sql.Stmt{}}
	if db.Dialect == store.SQLite {
		// Prepared now, while the pool is free: preparing later, inside
		// transactions that hold every connection, could wait forever.
		for _, q := range hotStatements {
			if st, err := db.PrepareContext(context.Background(), s.lockQuery(q)); err == nil {
				s.prepared[q] = st
			}
		}
	}
	return s
}

// hotStatements are the statements of a registration, prepared once.
var hotStatements = []string{lockStatement, duplicateStatement, seatStatsStatement, insertStatement}

// lockQuery completes the lock statement with the engine's row lock.
func (s *Service) lockQuery(q string) string {
	if q == lockStatement {
		return q + s.db.ForUpdate()
	}
	return q
}

// stmt returns q for tx: its prepared statement when there is one.
func (s *Service) stmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, bool) {
	st, ok := s.prepared[q]
	if !ok {
		return nil, false
	}
	return tx.StmtContext(ctx, st), true
}

func (s *Service) queryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if st, ok := s.stmt(ctx, tx, q); ok {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, s.lockQuery(q), args...)
}

func (s *Service) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st, ok := s.stmt(ctx, tx, q); ok {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

const lockStatement = `SELECT ` + forumColumns + ` FROM forums WHERE id = $1`

// DB is the database the service was made with.
func (s *Service) DB() *store.DB { return s.db }

// lockForum reads a forum and holds its row until the transaction ends:
// FOR UPDATE on PostgreSQL; on SQLite the immediate transaction already
// holds the database's writer lock.
func (s *Service) lockForum(ctx context.Context, tx *sql.Tx, id string) (*Forum, error) {
	return scanForum(s.queryRow(ctx, tx, lockStatement, id))
}

// newSecret is a random URL-safe secret of n bytes.
func newSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkInAlphabet avoids letters read alike (Crockford's base 32).
const checkInAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newCheckInToken is a 10-character code (50 random bits), short enough to
// type at the desk when the QR code cannot be read.
func newCheckInToken() string {
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = checkInAlphabet[b[i]%32]
	}
	return string(b)
}

// line trims s and turns control characters (newlines included) into
// spaces: single-line fields.
func line(s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)), " ")
}

// text trims s, keeps its newlines (as \n) and tabs and drops other
// control characters: multi-line fields.
func text(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// nullTime is a nullable timestamp parameter, in UTC.
func nullTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UTC()
}

// validWebURL tells whether s is an absolute http(s) address.
func validWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func itoa(i int) string { return strconv.Itoa(i) }
