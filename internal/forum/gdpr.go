package forum

import (
	"context"
	"database/sql"
	"time"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

// PersonHooks are the forum's part in a person's data export, erasure and
// merge (directory.RegisterPersonHooks); they run in the directory's
// transaction.
func (s *Service) PersonHooks() directory.PersonHooks {
	return directory.PersonHooks{Export: exportPerson, Erase: s.erasePerson, Merge: s.mergePeople}
}

// RegisterPersonHooks registers the forum's person hooks with the
// directory. Call it once from program wiring.
func RegisterPersonHooks(db *store.DB, cfg Config) {
	directory.RegisterPersonHooks(New(db, cfg).PersonHooks())
}

// ExportedRegistration is a registration in a person's data export.
type ExportedRegistration struct {
	Forum         string     `json:"forum"`
	StartsAt      time.Time  `json:"starts_at"`
	Registration  string     `json:"registration_id"`
	FirstName     string     `json:"first_name"`
	LastName      string     `json:"last_name"`
	Email         string     `json:"email"`
	Organisation  string     `json:"organisation"`
	College       string     `json:"college"`
	Function      string     `json:"function"`
	Accessibility string     `json:"accessibility"`
	Dietary       string     `json:"dietary"`
	ConsentAt     *time.Time `json:"consent_at,omitempty"`
	PublicListing bool       `json:"public_listing"`
	Status        string     `json:"status"`
	CheckedInAt   *time.Time `json:"checked_in_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// PersonExport is the forum section of a person's data export.
type PersonExport struct {
	Registrations []ExportedRegistration `json:"registrations"`
	// Votes lists the themes the person voted for.
	Votes []string `json:"votes"`
	// Invitations lists the forums the person was invited to by mail.
	Invitations []ExportedInvitation `json:"invitations"`
}

// ExportedInvitation is an invitation mailed to the person.
type ExportedInvitation struct {
	Forum    string     `json:"forum"`
	MailedAt *time.Time `json:"mailed_at,omitempty"`
	Language string     `json:"language"`
}

func exportPerson(ctx context.Context, q store.Querier, p *directory.Person) (string, any, error) {
	out := PersonExport{Registrations: []ExportedRegistration{}, Votes: []string{}, Invitations: []ExportedInvitation{}}
	if p.Email == "" {
		return "forums", out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT f.title, f.starts_at, r.id, r.first_name, r.last_name, r.email, r.organisation,
		r.college, r.function, r.accessibility, r.dietary, r.consent_privacy_at, r.public_listing, r.status, r.checked_in_at, r.created_at
		FROM forum_registrations r JOIN forums f ON f.id = r.forum_id WHERE r.email = $1 ORDER BY f.starts_at, r.created_at`, p.Email)
	if err != nil {
		return "", nil, err
	}
	for rows.Next() {
		var e ExportedRegistration
		if err := rows.Scan(&e.Forum, &e.StartsAt, &e.Registration, &e.FirstName, &e.LastName, &e.Email, &e.Organisation,
			&e.College, &e.Function, &e.Accessibility, &e.Dietary, &e.ConsentAt, &e.PublicListing, &e.Status, &e.CheckedInAt,
			&e.CreatedAt); err != nil {
			rows.Close()
			return "", nil, err
		}
		out.Registrations = append(out.Registrations, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT t.title FROM forum_theme_votes v JOIN forum_themes t ON t.id = v.theme_id
		WHERE v.voter_key = $1 ORDER BY v.created_at`, p.Email)
	if err != nil {
		return "", nil, err
	}
	for rows.Next() {
		var title string
		if err := rows.Scan(&title); err != nil {
			rows.Close()
			return "", nil, err
		}
		out.Votes = append(out.Votes, title)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT f.title, i.mailed_at, i.language FROM forum_invitations i JOIN forums f ON f.id = i.forum_id
		WHERE i.email = $1 OR i.person_id = $2 ORDER BY i.created_at`, p.Email, p.ID)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e ExportedInvitation
		if err := rows.Scan(&e.Forum, &e.MailedAt, &e.Language); err != nil {
			return "", nil, err
		}
		out.Invitations = append(out.Invitations, e)
	}
	return "forums", out, rows.Err()
}

// anonymiseSet is what anonymising a registration changes: names,
// address, function, needs and tokens go; the status, college, check-in
// and walk-in flags stay as anonymous counts, and so does the
// organisation of those who agreed to appear in the public list.
const anonymiseSet = `first_name = '', last_name = '', email = '', function = '', accessibility = '', dietary = '',
	organisation = CASE WHEN public_listing THEN organisation ELSE '' END,
	organisation_key = CASE WHEN public_listing THEN organisation_key ELSE '' END,
	manage_token_hash = '', checkin_token = '', sort_key = '', search_text = '', anonymised_at = $1, updated_at = $1`

// erasePerson cancels the person's active registrations of forums still
// to come (their seats go to the waiting list), then anonymises every
// registration and vote of their address.
func (s *Service) erasePerson(ctx context.Context, tx *sql.Tx, p *directory.Person) error {
	if p.Email == "" {
		return nil
	}
	if err := s.cancelUpcoming(ctx, tx, p.Email, ByErasure, nil); err != nil {
		return err
	}
	now := store.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE forum_registrations SET `+anonymiseSet+` WHERE email = $2`, now, p.Email); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_theme_votes SET voter_key = 'erased:' || id WHERE voter_key = $1`, p.Email); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE forum_invitations SET email = '', person_id = NULL WHERE email = $1 OR person_id = $2`, p.Email, p.ID)
	return err
}

// cancelUpcoming cancels the active registrations of email to forums that
// are open or closed, but not those keep says to keep.
func (s *Service) cancelUpcoming(ctx context.Context, tx *sql.Tx, email, by string, keep func(id, forumID, status string) bool) error {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.forum_id, r.status FROM forum_registrations r JOIN forums f ON f.id = r.forum_id
		WHERE r.email = $1 AND r.status IN ('confirmed', 'waitlisted') AND f.status IN ('open', 'closed') ORDER BY r.forum_id`, email)
	if err != nil {
		return err
	}
	type reg struct{ id, forum, status string }
	var regs []reg
	for rows.Next() {
		var r reg
		if err := rows.Scan(&r.id, &r.forum, &r.status); err != nil {
			rows.Close()
			return err
		}
		regs = append(regs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range regs {
		if keep != nil && keep(r.id, r.forum, r.status) {
			continue
		}
		if _, _, err := s.cancel(ctx, tx, r.id, by); err != nil {
			return err
		}
	}
	return nil
}

// mergePeople moves the registrations and votes of from's address to
// into's. Where both hold an active registration for the same forum, the
// better one stays (confirmed before waiting, then into's) and the other
// is cancelled, its seat going to the waiting list.
func (s *Service) mergePeople(ctx context.Context, tx *sql.Tx, from, into *directory.Person) error {
	if from.Email == "" || into.Email == "" || from.Email == into.Email {
		return nil
	}
	type active struct{ id, status string }
	load := func(email string) (map[string]active, error) {
		rows, err := tx.QueryContext(ctx, `SELECT id, forum_id, status FROM forum_registrations
			WHERE email = $1 AND status IN ('confirmed', 'waitlisted')`, email)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]active{}
		for rows.Next() {
			var a active
			var forum string
			if err := rows.Scan(&a.id, &forum, &a.status); err != nil {
				return nil, err
			}
			out[forum] = a
		}
		return out, rows.Err()
	}
	fromRegs, err := load(from.Email)
	if err != nil {
		return err
	}
	intoRegs, err := load(into.Email)
	if err != nil {
		return err
	}
	for forum, fr := range fromRegs {
		ir, both := intoRegs[forum]
		if !both {
			continue
		}
		drop := fr.id
		if fr.status == Confirmed && ir.status == Waitlisted {
			drop = ir.id
		}
		if _, _, err := s.cancel(ctx, tx, drop, ByMerge); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, first_name, last_name, organisation FROM forum_registrations WHERE email = $1`, from.Email)
	if err != nil {
		return err
	}
	type moved struct{ id, first, last, org string }
	var ms []moved
	for rows.Next() {
		var m moved
		if err := rows.Scan(&m.id, &m.first, &m.last, &m.org); err != nil {
			rows.Close()
			return err
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := store.Now()
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_registrations SET email = $1, search_text = $2, updated_at = $3 WHERE id = $4`,
			into.Email, searchText(m.first, m.last, into.Email, m.org), now, m.id); err != nil {
			return store.Map(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM forum_theme_votes WHERE voter_key = $1
		AND theme_id IN (SELECT theme_id FROM forum_theme_votes WHERE voter_key = $2)`, from.Email, into.Email); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE forum_theme_votes SET voter_key = $1 WHERE voter_key = $2`, into.Email, from.Email); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE forum_invitations SET email = $1, person_id = $2 WHERE email = $3 OR person_id = $4`,
		into.Email, into.ID, from.Email, from.ID)
	return err
}

// PurgeRegistrations anonymises, within q, the registrations (and the
// votes and invitation addresses) of every forum that ended before
// before, whatever its status, and returns how many registrations it
// anonymised. The retention job calls it with now minus the retention
// period of the site settings.
func PurgeRegistrations(ctx context.Context, q store.Querier, before time.Time) (int64, error) {
	now := store.Now()
	res, err := q.ExecContext(ctx, `UPDATE forum_registrations SET `+anonymiseSet+`
		WHERE anonymised_at IS NULL AND forum_id IN (SELECT id FROM forums WHERE ends_at < $2)`, now, before.UTC())
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if _, err := q.ExecContext(ctx, `UPDATE forum_theme_votes SET voter_key = 'erased:' || id WHERE voter_key NOT LIKE 'erased:%'
		AND theme_id IN (SELECT t.id FROM forum_themes t JOIN forums f ON f.id = t.forum_id WHERE f.ends_at < $1)`, before.UTC()); err != nil {
		return 0, err
	}
	_, err = q.ExecContext(ctx, `UPDATE forum_invitations SET email = '', person_id = NULL WHERE (email <> '' OR person_id IS NOT NULL)
		AND forum_id IN (SELECT id FROM forums WHERE ends_at < $1)`, before.UTC())
	return n, err
}
