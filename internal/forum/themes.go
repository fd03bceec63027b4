package forum

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Voter is who proposes or votes: a signed-in user, or a registrant of the
// forum identified by their manage link (the web layer checks either).
type Voter struct {
	UserID         string
	RegistrationID string
}

// voterKey identifies a person for "one vote per person and theme": their
// address, so that a member who also registered votes once.
func voterKey(ctx context.Context, q store.Querier, forumID string, v Voter) (string, error) {
	switch {
	case v.UserID != "":
		u, err := auth.UserByID(ctx, q, v.UserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
			return "", ErrNotVoter
		}
		if err != nil {
			return "", err
		}
		return u.Email, nil
	case v.RegistrationID != "":
		r, err := GetRegistration(ctx, q, v.RegistrationID)
		if errors.Is(err, store.ErrNotFound) {
			return "", ErrNotVoter
		}
		if err != nil {
			return "", err
		}
		if r.ForumID != forumID || !r.Active() {
			return "", ErrNotVoter
		}
		if r.Email == "" {
			return "registration:" + r.ID, nil
		}
		return r.Email, nil
	}
	return "", ErrNotVoter
}

// Theme is a subject proposed for a forum's agenda.
type Theme struct {
	ID          string    `json:"id"`
	ForumID     string    `json:"forum_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Votes       int       `json:"votes"`
	Selected    bool      `json:"selected"`
	CreatedAt   time.Time `json:"created_at"`
}

// ThemeInput is the proposal form.
type ThemeInput struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Past tells whether the forum is behind us: held, reported or cancelled.
// Its seats no longer matter, and themes are no longer proposed or voted
// for.
func (f *Forum) Past() bool {
	switch f.Status {
	case StatusHeld, StatusReported, StatusCancelled:
		return true
	}
	return false
}

// themesOpen refuses proposals and votes once a forum is held, reported or
// cancelled.
func themesOpen(ctx context.Context, q store.Querier, forumID string) error {
	f, err := GetForum(ctx, q, forumID)
	if err != nil {
		return err
	}
	if f.Past() {
		return ErrThemesClosed
	}
	return nil
}

// ProposeTheme records a theme proposed by v for a forum.
func ProposeTheme(ctx context.Context, q store.Querier, forumID string, v Voter, in ThemeInput) (*Theme, error) {
	in.Title, in.Description = line(in.Title), text(in.Description)
	fe := valid.Errors{}
	requiredText(fe, "title", in.Title, 200)
	maxText(fe, "description", in.Description, 3000)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if err := themesOpen(ctx, q, forumID); err != nil {
		return nil, err
	}
	if _, err := voterKey(ctx, q, forumID, v); err != nil {
		return nil, err
	}
	var user, reg any
	if v.UserID != "" {
		user = v.UserID
	} else {
		reg = v.RegistrationID
	}
	t := &Theme{ID: store.NewID(), ForumID: forumID, Title: in.Title, Description: in.Description, CreatedAt: store.Now()}
	_, err := q.ExecContext(ctx, `INSERT INTO forum_themes (id, forum_id, title, description, proposed_by_user, proposed_by_registration, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, forumID, t.Title, t.Description, user, reg, t.CreatedAt)
	if err != nil {
		return nil, store.Map(err)
	}
	return t, nil
}

// Vote records v's vote for a theme: ErrAlreadyVoted the second time.
func Vote(ctx context.Context, q store.Querier, themeID string, v Voter) error {
	t, err := GetTheme(ctx, q, themeID)
	if err != nil {
		return err
	}
	if err := themesOpen(ctx, q, t.ForumID); err != nil {
		return err
	}
	key, err := voterKey(ctx, q, t.ForumID, v)
	if err != nil {
		return err
	}
	var user, reg any
	if v.UserID != "" {
		user = v.UserID
	} else {
		reg = v.RegistrationID
	}
	res, err := q.ExecContext(ctx, `INSERT INTO forum_theme_votes (id, theme_id, voter_key, user_id, registration_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (theme_id, voter_key) DO NOTHING`, store.NewID(), themeID, key, user, reg, store.Now())
	if err != nil {
		return store.Map(err)
	}
	// ON CONFLICT keeps a PostgreSQL transaction usable after a second vote.
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrAlreadyVoted
	}
	return nil
}

// Unvote withdraws v's vote for a theme (ErrNotFound if there was none).
func Unvote(ctx context.Context, q store.Querier, themeID string, v Voter) error {
	t, err := GetTheme(ctx, q, themeID)
	if err != nil {
		return err
	}
	if err := themesOpen(ctx, q, t.ForumID); err != nil {
		return err
	}
	key, err := voterKey(ctx, q, t.ForumID, v)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `DELETE FROM forum_theme_votes WHERE theme_id = $1 AND voter_key = $2`, themeID, key)
	return affected(res, err)
}

const themeColumns = `t.id, t.forum_id, t.title, t.description, t.selected, t.created_at,
	(SELECT COUNT(*) FROM forum_theme_votes v WHERE v.theme_id = t.id)`

func scanTheme(row interface{ Scan(...any) error }) (*Theme, error) {
	t := &Theme{}
	if err := row.Scan(&t.ID, &t.ForumID, &t.Title, &t.Description, &t.Selected, &t.CreatedAt, &t.Votes); err != nil {
		return nil, store.Map(err)
	}
	return t, nil
}

// GetTheme loads a theme with its vote count.
func GetTheme(ctx context.Context, q store.Querier, id string) (*Theme, error) {
	return scanTheme(q.QueryRowContext(ctx, `SELECT `+themeColumns+` FROM forum_themes t WHERE t.id = $1`, id))
}

// ListThemes returns a forum's themes, most voted first (then oldest).
// The proposer is not shown: it is personal data.
func ListThemes(ctx context.Context, q store.Querier, forumID string) ([]*Theme, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+themeColumns+` FROM forum_themes t WHERE t.forum_id = $1`, forumID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Theme
	for rows.Next() {
		t, err := scanTheme(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Votes != out[j].Votes {
			return out[i].Votes > out[j].Votes
		}
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// VotedThemes returns the ids of the forum's themes v voted for.
func VotedThemes(ctx context.Context, q store.Querier, forumID string, v Voter) (map[string]bool, error) {
	key, err := voterKey(ctx, q, forumID, v)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT v.theme_id FROM forum_theme_votes v JOIN forum_themes t ON t.id = v.theme_id
		WHERE t.forum_id = $1 AND v.voter_key = $2`, forumID, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// MaxSelectedThemes is how many themes the agenda is fixed on.
const MaxSelectedThemes = 2

// SelectThemes fixes the themes the forum's agenda is built on (one or
// two of its themes; none clears the choice).
func SelectThemes(ctx context.Context, q store.Querier, forumID string, themeIDs []string) error {
	ids, _ := cleanIDs(themeIDs)
	if len(ids) > MaxSelectedThemes {
		return valid.Errors{"themes": "error.forum_themes_too_many"}
	}
	for _, id := range ids {
		t, err := GetTheme(ctx, q, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && t.ForumID != forumID) {
			return valid.Errors{"themes": "error.forum_theme_unknown"}
		}
		if err != nil {
			return err
		}
	}
	if _, err := GetForum(ctx, q, forumID); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `UPDATE forum_themes SET selected = FALSE WHERE forum_id = $1`, forumID); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := q.ExecContext(ctx, `UPDATE forum_themes SET selected = TRUE WHERE id = $1`, id); err != nil {
			return err
		}
	}
	return nil
}
