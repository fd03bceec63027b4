package forum

import (
	"context"
	"errors"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// AgendaItem is one part of a forum's agenda.
type AgendaItem struct {
	ID              string `json:"id"`
	ForumID         string `json:"forum_id"`
	Position        int    `json:"position"`
	Title           string `json:"title"`
	Description     string `json:"description"`
	DurationMinutes int    `json:"duration_minutes"`
	// PresenterOrganisationID is the organisation (often an
	// administration) that presents or answers; Presenter is free text.
	PresenterOrganisationID string `json:"presenter_organisation_id,omitempty"`
	PresenterOrganisation   string `json:"presenter_organisation,omitempty"`
	Presenter               string `json:"presenter"`
	ThemeID                 string `json:"theme_id,omitempty"`
	// ActionItemID is the action item of an earlier forum this item
	// follows up (see PullActionItems); FollowUpForumID,
	// FollowUpForumTitle and FollowUpForumStartsAt tell the forum where it
	// was decided.
	ActionItemID          string     `json:"action_item_id,omitempty"`
	FollowUpForumID       string     `json:"follow_up_forum_id,omitempty"`
	FollowUpForumTitle    string     `json:"follow_up_forum_title,omitempty"`
	FollowUpForumStartsAt *time.Time `json:"follow_up_forum_starts_at,omitempty"`
	CreatedAt             time.Time  `json:"created_at"`
	UpdatedAt             time.Time  `json:"updated_at"`
}

// AgendaItemInput is the agenda item form.
type AgendaItemInput struct {
	Title                   string `json:"title"`
	Description             string `json:"description"`
	DurationMinutes         int    `json:"duration_minutes"`
	PresenterOrganisationID string `json:"presenter_organisation_id"`
	Presenter               string `json:"presenter"`
	ThemeID                 string `json:"theme_id"`
}

func (in *AgendaItemInput) validate(ctx context.Context, q store.Querier, forumID string) error {
	in.Title, in.Description, in.Presenter = line(in.Title), text(in.Description), line(in.Presenter)
	in.PresenterOrganisationID, in.ThemeID = line(in.PresenterOrganisationID), line(in.ThemeID)
	fe := valid.Errors{}
	requiredText(fe, "title", in.Title, 200)
	maxText(fe, "description", in.Description, 3000)
	maxText(fe, "presenter", in.Presenter, 200)
	if in.DurationMinutes < 0 || in.DurationMinutes > 600 {
		fe["duration_minutes"] = "error.forum_duration_range"
	}
	if in.PresenterOrganisationID != "" {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1`, in.PresenterOrganisationID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			fe["presenter_organisation_id"] = "error.organisation_unknown"
		}
	}
	if in.ThemeID != "" {
		t, err := GetTheme(ctx, q, in.ThemeID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && t.ForumID != forumID) {
			fe["theme_id"] = "error.forum_theme_unknown"
		} else if err != nil {
			return err
		}
	}
	return fe.Err()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// AddAgendaItem appends an item to a forum's agenda.
func AddAgendaItem(ctx context.Context, q store.Querier, forumID string, in AgendaItemInput) (*AgendaItem, error) {
	if _, err := GetForum(ctx, q, forumID); err != nil {
		return nil, err
	}
	if err := in.validate(ctx, q, forumID); err != nil {
		return nil, err
	}
	id := store.NewID()
	now := store.Now()
	_, err := q.ExecContext(ctx, `INSERT INTO forum_agenda_items (id, forum_id, position, title, description, duration_minutes,
		presenter_organisation_id, presenter, theme_id, created_at, updated_at)
		VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM forum_agenda_items WHERE forum_id = $2), $3, $4, $5, $6, $7, $8, $9, $9)`,
		id, forumID, in.Title, in.Description, in.DurationMinutes, nullString(in.PresenterOrganisationID), in.Presenter,
		nullString(in.ThemeID), now)
	if err != nil {
		return nil, store.Map(err)
	}
	return GetAgendaItem(ctx, q, id)
}

// UpdateAgendaItem replaces an item's values.
func UpdateAgendaItem(ctx context.Context, q store.Querier, id string, in AgendaItemInput) (*AgendaItem, error) {
	it, err := GetAgendaItem(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if err := in.validate(ctx, q, it.ForumID); err != nil {
		return nil, err
	}
	_, err = q.ExecContext(ctx, `UPDATE forum_agenda_items SET title = $1, description = $2, duration_minutes = $3,
		presenter_organisation_id = $4, presenter = $5, theme_id = $6, updated_at = $7 WHERE id = $8`,
		in.Title, in.Description, in.DurationMinutes, nullString(in.PresenterOrganisationID), in.Presenter, nullString(in.ThemeID),
		store.Now(), id)
	if err != nil {
		return nil, store.Map(err)
	}
	return GetAgendaItem(ctx, q, id)
}

// DeleteAgendaItem removes an item and closes the gap in the positions.
func DeleteAgendaItem(ctx context.Context, q store.Querier, id string) error {
	it, err := GetAgendaItem(ctx, q, id)
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM forum_agenda_items WHERE id = $1`, id); err != nil {
		return err
	}
	return renumberAgenda(ctx, q, it.ForumID, "", 0)
}

// MoveAgendaItem puts an item at another position (1 is the first).
func MoveAgendaItem(ctx context.Context, q store.Querier, id string, position int) error {
	it, err := GetAgendaItem(ctx, q, id)
	if err != nil {
		return err
	}
	return renumberAgenda(ctx, q, it.ForumID, id, position)
}

// renumberAgenda numbers a forum's items 1..n in their order, with the
// item moved (if any) at position.
func renumberAgenda(ctx context.Context, q store.Querier, forumID, moved string, position int) error {
	items, err := Agenda(ctx, q, forumID)
	if err != nil {
		return err
	}
	var order []*AgendaItem
	var m *AgendaItem
	for _, it := range items {
		if it.ID == moved {
			m = it
		} else {
			order = append(order, it)
		}
	}
	if m != nil {
		p := min(max(position, 1), len(order)+1) - 1
		order = append(order[:p], append([]*AgendaItem{m}, order[p:]...)...)
	}
	for i, it := range order {
		if it.Position == i+1 {
			continue
		}
		if _, err := q.ExecContext(ctx, `UPDATE forum_agenda_items SET position = $1 WHERE id = $2`, i+1, it.ID); err != nil {
			return err
		}
	}
	return nil
}

const agendaColumns = `a.id, a.forum_id, a.position, a.title, a.description, a.duration_minutes,
	COALESCE(a.presenter_organisation_id, ''), COALESCE(o.name, ''), a.presenter, COALESCE(a.theme_id, ''),
	COALESCE(a.action_item_id, ''), COALESCE(g.id, ''), COALESCE(g.title, ''), g.starts_at, a.created_at, a.updated_at`

// agendaFrom joins an item to its presenter organisation and, for a
// follow-up, to the action item and the forum where it was decided.
const agendaFrom = ` FROM forum_agenda_items a LEFT JOIN organisations o ON o.id = a.presenter_organisation_id
	LEFT JOIN forum_action_items x ON x.id = a.action_item_id LEFT JOIN forums g ON g.id = x.forum_id`

func scanAgendaItem(row interface{ Scan(...any) error }) (*AgendaItem, error) {
	it := &AgendaItem{}
	err := row.Scan(&it.ID, &it.ForumID, &it.Position, &it.Title, &it.Description, &it.DurationMinutes, &it.PresenterOrganisationID,
		&it.PresenterOrganisation, &it.Presenter, &it.ThemeID, &it.ActionItemID, &it.FollowUpForumID, &it.FollowUpForumTitle,
		&it.FollowUpForumStartsAt, &it.CreatedAt, &it.UpdatedAt)
	if err != nil {
		return nil, store.Map(err)
	}
	return it, nil
}

// GetAgendaItem loads an item.
func GetAgendaItem(ctx context.Context, q store.Querier, id string) (*AgendaItem, error) {
	return scanAgendaItem(q.QueryRowContext(ctx, `SELECT `+agendaColumns+agendaFrom+` WHERE a.id = $1`, id))
}

// Agenda returns a forum's items in order (published or not: the page
// shows it to the public only once Forum.AgendaPublishedAt is set).
func Agenda(ctx context.Context, q store.Querier, forumID string) ([]*AgendaItem, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+agendaColumns+agendaFrom+` WHERE a.forum_id = $1 ORDER BY a.position, a.created_at, a.id`, forumID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AgendaItem
	for rows.Next() {
		it, err := scanAgendaItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// PublishAgenda shows the agenda on the forum's public page
// (ErrAgendaEmpty without items); UnpublishAgenda hides it again.
func PublishAgenda(ctx context.Context, q store.Querier, forumID string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM forum_agenda_items WHERE forum_id = $1`, forumID).Scan(&n); err != nil {
		return err
	}
	if _, err := GetForum(ctx, q, forumID); err != nil {
		return err
	}
	if n == 0 {
		return ErrAgendaEmpty
	}
	now := store.Now()
	res, err := q.ExecContext(ctx, `UPDATE forums SET agenda_published_at = $1, updated_at = $1 WHERE id = $2`, now, forumID)
	return affected(res, err)
}

// UnpublishAgenda hides the agenda from the public page.
func UnpublishAgenda(ctx context.Context, q store.Querier, forumID string) error {
	res, err := q.ExecContext(ctx, `UPDATE forums SET agenda_published_at = NULL, updated_at = $1 WHERE id = $2`, store.Now(), forumID)
	return affected(res, err)
}
