package plan

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

// PersonHooks gives the directory what the plan holds about a person —
// through the account with the person's address: the commitments it
// follows, the progress updates and changes it made — for their data
// export and their erasure. Program wiring registers it:
// directory.RegisterPersonHooks(plan.PersonHooks()).
func PersonHooks() directory.PersonHooks {
	return directory.PersonHooks{Export: exportPerson, Erase: erasePerson}
}

func userOf(ctx context.Context, q store.Querier, email string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE email = $1`, email).Scan(&id)
	return id, store.Map(err)
}

func exportPerson(ctx context.Context, q store.Querier, p *directory.Person) (string, any, error) {
	type followed struct {
		CommitmentID string    `json:"commitment_id"`
		Title        string    `json:"title"`
		Since        time.Time `json:"since"`
	}
	type update struct {
		CommitmentID string    `json:"commitment_id"`
		Body         string    `json:"body"`
		At           time.Time `json:"at"`
	}
	out := struct {
		Followed []followed `json:"followed_commitments"`
		Updates  []update   `json:"progress_updates"`
	}{[]followed{}, []update{}}
	userID, err := userOf(ctx, q, p.Email)
	if errors.Is(err, store.ErrNotFound) {
		return "plan", out, nil
	} else if err != nil {
		return "", nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.title, f.created_at FROM commitment_followers f JOIN commitments c ON c.id = f.commitment_id
		WHERE f.user_id = $1 ORDER BY f.created_at`, userID)
	if err != nil {
		return "", nil, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var f followed
		if err := rows.Scan(&f.CommitmentID, &f.Title, &f.Since); err != nil {
			return err
		}
		out.Followed = append(out.Followed, f)
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT commitment_id, body, created_at FROM commitment_updates WHERE author_id = $1 ORDER BY created_at`, userID)
	if err != nil {
		return "", nil, err
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var u update
		if err := rows.Scan(&u.CommitmentID, &u.Body, &u.At); err != nil {
			return err
		}
		out.Updates = append(out.Updates, u)
		return nil
	})
	return "plan", out, err
}

// erasePerson removes the account's follows and its name from the
// updates and the history, which stay attributed to its organisation:
// they are the administration's public account, not personal data.
func erasePerson(ctx context.Context, tx *sql.Tx, p *directory.Person) error {
	userID, err := userOf(ctx, tx, p.Email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	for _, stmt := range []string{
		`DELETE FROM commitment_followers WHERE user_id = $1`,
		`UPDATE commitment_updates SET author_label = '' WHERE author_id = $1`,
		`UPDATE commitment_history SET actor_label = '' WHERE actor_id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, stmt, userID); err != nil {
			return err
		}
	}
	return nil
}
