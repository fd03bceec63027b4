package directory

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"sync"

	"github.com/ogforum/ogforum/internal/store"
)

// PersonHooks let later domains (forums, questions) take part in what
// happens to a person, inside the same transaction.
type PersonHooks struct {
	// Export adds a section to a person's data export.
	Export func(ctx context.Context, q store.Querier, p *Person) (section string, data any, err error)
	// Erase removes or anonymises what the domain holds about p.
	Erase func(ctx context.Context, tx *sql.Tx, p *Person) error
	// Merge moves what the domain holds about person from onto person into.
	Merge func(ctx context.Context, tx *sql.Tx, from, into *Person) error
}

var (
	hooksMu sync.RWMutex
	hooks   []PersonHooks
)

// RegisterPersonHooks adds a domain's hooks. Call it from program wiring.
func RegisterPersonHooks(h PersonHooks) {
	hooksMu.Lock()
	defer hooksMu.Unlock()
	hooks = append(hooks, h)
}

func personHooks() []PersonHooks {
	hooksMu.RLock()
	defer hooksMu.RUnlock()
	return append([]PersonHooks(nil), hooks...)
}

// DataExport is everything held about a person (RGPD right of access).
func DataExport(ctx context.Context, q store.Querier, id string) (map[string]any, error) {
	p, err := GetPerson(ctx, q, id)
	if err != nil {
		return nil, err
	}
	history, err := ConsentHistory(ctx, q, id)
	if err != nil {
		return nil, err
	}
	suppressed, err := Suppressed(ctx, q, p.Email)
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"person":          p,
		"consent_history": history,
		"suppressed":      suppressed,
	}
	// The outbox keeps the address as it was written, in any case.
	rows, err := q.QueryContext(ctx, `SELECT recipient, subject, created_at, sent_at FROM mails WHERE LOWER(recipient) = $1 ORDER BY created_at`, p.Email)
	if err != nil {
		return nil, err
	}
	mails := []map[string]any{}
	for rows.Next() {
		var to, subject string
		var created any
		var sent any
		if err := rows.Scan(&to, &subject, &created, &sent); err != nil {
			rows.Close()
			return nil, err
		}
		mails = append(mails, map[string]any{"to": to, "subject": subject, "created_at": created, "sent_at": sent})
	}
	rows.Close()
	out["mails"] = mails
	for _, h := range personHooks() {
		if h.Export == nil {
			continue
		}
		name, data, err := h.Export(ctx, q, p)
		if err != nil {
			return nil, err
		}
		out[name] = data
	}
	return out, nil
}

// Erase removes a person everywhere (RGPD right to erasure): the person
// and their consent history, their address and name from the outbox and
// the audit log, their account if they have one, and, through the hooks,
// what other domains hold (which keep only anonymous counts). The address
// stays on the suppression list as a hash so that it is never mailed again.
func Erase(ctx context.Context, tx *sql.Tx, id string) (*Person, error) {
	p, err := GetPerson(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	for _, h := range personHooks() {
		if h.Erase != nil {
			if err := h.Erase(ctx, tx, p); err != nil {
				return nil, err
			}
		}
	}
	if err := Suppress(ctx, tx, p.Email, "erased"); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM people WHERE id = $1`, id); err != nil {
		return nil, err
	}
	erased := "[effacé]"
	// The outbox keeps the address as it was written, in any case (p.Email
	// is lower case). Mails not sent yet are not sent at all.
	stmts := []struct {
		sql  string
		args []any
	}{
		{`UPDATE jobs SET status = 'failed', last_error = 'recipient erased', updated_at = $1
			WHERE status = 'pending' AND id IN (SELECT job_id FROM mails WHERE LOWER(recipient) = $2 AND sent_at IS NULL)`, []any{store.Now(), p.Email}},
		{`UPDATE mails SET recipient = $1, subject = $1, body_text = '', body_html = '' WHERE LOWER(recipient) = $2`, []any{erased, p.Email}},
		{`DELETE FROM mail_attachments WHERE mail_id IN (SELECT id FROM mails WHERE recipient = $1 AND body_text = '')`, []any{erased}},
		{`DELETE FROM jobs WHERE kind = 'auth.sign_in_link' AND payload LIKE $1 ESCAPE '\'`, []any{likePattern(`"` + p.Email + `"`)}},
		{`UPDATE audit_log SET actor_label = $1 WHERE actor_label = $2`, []any{erased, p.Email}},
		{`DELETE FROM join_requests WHERE email = $1`, []any{p.Email}},
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.sql, s.args...); err != nil {
			return nil, err
		}
	}
	if err := scrubAuditDetails(ctx, tx, erased, p.Email, p.Name); err != nil {
		return nil, err
	}
	// An account with the same address is anonymised and disabled.
	var userID string
	err = tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = $1`, p.Email).Scan(&userID)
	if err == nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, userID); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email = $1, name = $2, disabled = TRUE, updated_at = $3 WHERE id = $4`,
			"erased-"+strings.ToLower(userID)+"@invalid", erased, store.Now(), userID); err != nil {
			return nil, err
		}
	} else if store.IgnoreNotFound(store.Map(err)) != nil {
		return nil, err
	}
	return p, nil
}

// scrubAuditDetails replaces the given words (an address, a name) in the
// details of the audit log, whatever their case: a search or a filter is
// logged as it was typed ("Lea.Fontaine@Exemple.org"), and SQL's REPLACE
// matches case exactly. Rows are picked in SQL (LOWER folds ASCII on both
// engines) and rewritten here.
func scrubAuditDetails(ctx context.Context, tx *sql.Tx, erased string, words ...string) error {
	var conds, pats []string
	var args []any
	for _, w := range words {
		if w = strings.TrimSpace(w); w != "" {
			args = append(args, likePattern(strings.ToLower(w)))
			conds = append(conds, `LOWER(details) LIKE $`+itoa(len(args))+` ESCAPE '\'`)
			pats = append(pats, regexp.QuoteMeta(w))
		}
	}
	if len(conds) == 0 {
		return nil
	}
	re := regexp.MustCompile(`(?i)` + strings.Join(pats, "|"))
	rows, err := tx.QueryContext(ctx, `SELECT id, details FROM audit_log WHERE `+strings.Join(conds, " OR "), args...)
	if err != nil {
		return err
	}
	changed := map[string]string{}
	for rows.Next() {
		var id, details string
		if err := rows.Scan(&id, &details); err != nil {
			rows.Close()
			return err
		}
		if d := re.ReplaceAllLiteralString(details, erased); d != details {
			changed[id] = d
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, d := range changed {
		if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET details = $1 WHERE id = $2`, d, id); err != nil {
			return err
		}
	}
	return nil
}
