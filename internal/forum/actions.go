package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Action item statuses: open until it is done or dropped.
const (
	ActionOpen    = "open"
	ActionDone    = "done"
	ActionDropped = "dropped"
)

// ActionStatuses lists the statuses of an action item.
var ActionStatuses = []string{ActionOpen, ActionDone, ActionDropped}

// ErrAlreadyPulled: an action item is already on the forum's agenda. The
// refusal also carries the field error "action_item_ids" (it matches
// valid.Errors with errors.As), so that forms show it at the field.
var ErrAlreadyPulled = errors.New("this action item is already on the forum's agenda")

// ActionItem is a follow-up decided at a forum: what is to be done, who
// owns it and by when. Open action items come back on the agenda of the
// next forums of the series (see OpenActionItemsBefore, PullActionItems).
//
// RGPD: an action item holds no personal data. Its owner is an
// organisation of the directory or free text naming an organisation or an
// administration ("Ministère de la Transition écologique"), never a
// person; action items are public once the forum is held, and they are
// neither exported nor erased with a person's data.
type ActionItem struct {
	ID          string `json:"id"`
	ForumID     string `json:"forum_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Owner is free text; OwnerOrganisationID, when set, an organisation
	// of the directory (OwnerOrganisation is its name).
	Owner               string `json:"owner"`
	OwnerOrganisationID string `json:"owner_organisation_id,omitempty"`
	OwnerOrganisation   string `json:"owner_organisation,omitempty"`
	// DueOn is the due day, "2006-01-02", or "" for none.
	DueOn     string     `json:"due_on"`
	Status    string     `json:"status"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// ForumTitle and ForumStartsAt describe the forum where it was decided.
	ForumTitle    string    `json:"forum_title"`
	ForumStartsAt time.Time `json:"forum_starts_at"`
	// Pulled tells, in OpenActionItemsBefore, whether the item is already
	// on the agenda of the forum asked about.
	Pulled bool `json:"pulled,omitempty"`
}

// OwnerLabel is who owns the item, in one line: the organisation and the
// free text, as far as they are set.
func (a *ActionItem) OwnerLabel() string {
	switch {
	case a.OwnerOrganisation == "":
		return a.Owner
	case a.Owner == "" || a.Owner == a.OwnerOrganisation:
		return a.OwnerOrganisation
	}
	return a.OwnerOrganisation + ", " + a.Owner
}

// ActionItemInput is the action item form.
type ActionItemInput struct {
	Title               string `json:"title"`
	Description         string `json:"description"`
	Owner               string `json:"owner"`
	OwnerOrganisationID string `json:"owner_organisation_id"`
	// DueOn is "2006-01-02" or, as French users type it, "02/01/2006";
	// "" for no due day.
	DueOn string `json:"due_on"`
}

// Input returns the item's current values, to edit them.
func (a *ActionItem) Input() ActionItemInput {
	return ActionItemInput{Title: a.Title, Description: a.Description, Owner: a.Owner,
		OwnerOrganisationID: a.OwnerOrganisationID, DueOn: a.DueOn}
}

func (in *ActionItemInput) validate(ctx context.Context, q store.Querier) error {
	in.Title, in.Description, in.Owner = line(in.Title), text(in.Description), line(in.Owner)
	in.OwnerOrganisationID = line(in.OwnerOrganisationID)
	fe := valid.Errors{}
	requiredText(fe, "title", in.Title, 200)
	maxText(fe, "description", in.Description, 3000)
	maxText(fe, "owner", in.Owner, 200)
	if d, ok := parseDay(in.DueOn); ok {
		in.DueOn = d
	} else {
		fe["due_on"] = "error.forum_action_due_invalid"
	}
	if in.OwnerOrganisationID != "" {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1`, in.OwnerOrganisationID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			fe["owner_organisation_id"] = "error.organisation_unknown"
		}
	}
	return fe.Err()
}

// parseDay reads a calendar day written "2006-01-02" or "02/01/2006"
// (years 2000 to 2100) and writes it "2006-01-02"; "" is no day.
func parseDay(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 2000 || t.Year() > 2100 {
				return "", false
			}
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// AddActionItem records an open action item decided at a forum (not at a
// cancelled one: ErrCancelled).
func AddActionItem(ctx context.Context, q store.Querier, forumID string, in ActionItemInput) (*ActionItem, error) {
	f, err := GetForum(ctx, q, forumID)
	if err != nil {
		return nil, err
	}
	if err := in.validate(ctx, q); err != nil {
		return nil, err
	}
	if f.Status == StatusCancelled {
		return nil, ErrCancelled
	}
	id, now := store.NewID(), store.Now()
	_, err = q.ExecContext(ctx, `INSERT INTO forum_action_items (id, forum_id, title, description, owner, owner_organisation_id,
		due_on, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $8)`,
		id, forumID, in.Title, in.Description, in.Owner, nullString(in.OwnerOrganisationID), in.DueOn, now)
	if err != nil {
		return nil, store.Map(err)
	}
	return GetActionItem(ctx, q, id)
}

// UpdateActionItem replaces an item's values (its status apart).
func UpdateActionItem(ctx context.Context, q store.Querier, id string, in ActionItemInput) (*ActionItem, error) {
	if _, err := GetActionItem(ctx, q, id); err != nil {
		return nil, err
	}
	if err := in.validate(ctx, q); err != nil {
		return nil, err
	}
	_, err := q.ExecContext(ctx, `UPDATE forum_action_items SET title = $1, description = $2, owner = $3, owner_organisation_id = $4,
		due_on = $5, updated_at = $6 WHERE id = $7`,
		in.Title, in.Description, in.Owner, nullString(in.OwnerOrganisationID), in.DueOn, store.Now(), id)
	if err != nil {
		return nil, store.Map(err)
	}
	return GetActionItem(ctx, q, id)
}

// SetActionItemStatus marks an item open, done or dropped ("status":
// "error.forum_action_status_invalid" otherwise). Closing records when;
// reopening clears it. Setting the status it has changes nothing.
func SetActionItemStatus(ctx context.Context, q store.Querier, id, status string) (*ActionItem, error) {
	a, err := GetActionItem(ctx, q, id)
	if err != nil {
		return nil, err
	}
	status = strings.TrimSpace(status)
	known := false
	for _, s := range ActionStatuses {
		known = known || s == status
	}
	if !known {
		return nil, valid.Errors{"status": "error.forum_action_status_invalid"}
	}
	if status == a.Status {
		return a, nil
	}
	now := store.Now()
	var closed any
	if status != ActionOpen {
		closed = now
	}
	_, err = q.ExecContext(ctx, `UPDATE forum_action_items SET status = $1, closed_at = $2, updated_at = $3 WHERE id = $4`,
		status, closed, now, id)
	if err != nil {
		return nil, store.Map(err)
	}
	return GetActionItem(ctx, q, id)
}

// DeleteActionItem removes an item; agenda items pulled from it stay, no
// longer marked as a follow-up.
func DeleteActionItem(ctx context.Context, q store.Querier, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM forum_action_items WHERE id = $1`, id)
	return affected(res, err)
}

// actionColumns and actionFrom read an item with the name of its owner
// organisation and the title and start of its forum.
const actionColumns = `a.id, a.forum_id, a.title, a.description, a.owner, COALESCE(a.owner_organisation_id, ''),
	COALESCE(o.name, ''), a.due_on, a.status, a.closed_at, a.created_at, a.updated_at, g.title, g.starts_at`

const actionFrom = ` FROM forum_action_items a JOIN forums g ON g.id = a.forum_id
	LEFT JOIN organisations o ON o.id = a.owner_organisation_id`

func scanActionItem(row interface{ Scan(...any) error }, extra ...any) (*ActionItem, error) {
	a := &ActionItem{}
	dst := append([]any{&a.ID, &a.ForumID, &a.Title, &a.Description, &a.Owner, &a.OwnerOrganisationID, &a.OwnerOrganisation,
		&a.DueOn, &a.Status, &a.ClosedAt, &a.CreatedAt, &a.UpdatedAt, &a.ForumTitle, &a.ForumStartsAt}, extra...)
	if err := row.Scan(dst...); err != nil {
		return nil, store.Map(err)
	}
	return a, nil
}

// GetActionItem loads an item.
func GetActionItem(ctx context.Context, q store.Querier, id string) (*ActionItem, error) {
	return scanActionItem(q.QueryRowContext(ctx, `SELECT `+actionColumns+actionFrom+` WHERE a.id = $1`, id))
}

// ActionItems returns a forum's action items in the order they were
// recorded.
func ActionItems(ctx context.Context, q store.Querier, forumID string) ([]*ActionItem, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+actionColumns+actionFrom+` WHERE a.forum_id = $1 ORDER BY a.created_at, a.id`, forumID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ActionItem
	for rows.Next() {
		a, err := scanActionItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// OpenActionItemsBefore returns the open action items of the forums before
// forumID: the forums of its series that start before it (or, for a forum
// outside any series, every forum that starts before it), cancelled ones
// left out. They come soonest due first (those without a due day last),
// then in the order they were recorded; Pulled tells those already on
// forumID's agenda.
func OpenActionItemsBefore(ctx context.Context, q store.Querier, forumID string) ([]*ActionItem, error) {
	f, err := GetForum(ctx, q, forumID)
	if err != nil {
		return nil, err
	}
	query := `SELECT ` + actionColumns + `,
		(SELECT COUNT(*) FROM forum_agenda_items ai WHERE ai.forum_id = $1 AND ai.action_item_id = a.id)` + actionFrom + `
		WHERE a.status = 'open' AND g.id <> $1 AND g.status <> 'cancelled' AND g.starts_at < $2`
	args := []any{f.ID, f.StartsAt}
	if f.SeriesID != "" {
		query += ` AND g.series_id = $3`
		args = append(args, f.SeriesID)
	}
	query += ` ORDER BY CASE WHEN a.due_on = '' THEN 1 ELSE 0 END, a.due_on, a.created_at, a.id`
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ActionItem
	for rows.Next() {
		var pulls int
		a, err := scanActionItem(rows, &pulls)
		if err != nil {
			return nil, err
		}
		a.Pulled = pulls > 0
		out = append(out, a)
	}
	return out, rows.Err()
}

// PullActionItems puts open action items of earlier forums (those
// OpenActionItemsBefore lists) on forumID's agenda, in the order given:
// each becomes an agenda item with its title, its description and its
// owner as presenter, linked to it. An item already on the agenda is
// refused (ErrAlreadyPulled, with the field "action_item_ids"), so is an
// item that is not an open action item of an earlier forum ("error.
// forum_action_not_eligible"). All or nothing: run it in the transaction
// that is rolled back on error.
func PullActionItems(ctx context.Context, tx *sql.Tx, forumID string, ids []string) ([]*AgendaItem, error) {
	ids, ok := cleanIDs(ids)
	if !ok {
		return nil, valid.Errors{"action_item_ids": "error.forum_action_not_eligible"}
	}
	if len(ids) == 0 {
		return nil, valid.Errors{"action_item_ids": "error.forum_action_none_selected"}
	}
	open, err := OpenActionItemsBefore(ctx, tx, forumID)
	if err != nil {
		return nil, err
	}
	byID := map[string]*ActionItem{}
	for _, a := range open {
		byID[a.ID] = a
	}
	for _, id := range ids {
		a := byID[id]
		if a == nil {
			return nil, valid.Errors{"action_item_ids": "error.forum_action_not_eligible"}
		}
		if a.Pulled {
			return nil, alreadyPulled()
		}
	}
	var out []*AgendaItem
	for _, id := range ids {
		a := byID[id]
		it, err := AddAgendaItem(ctx, tx, forumID, AgendaItemInput{Title: a.Title, Description: a.Description,
			PresenterOrganisationID: a.OwnerOrganisationID, Presenter: a.Owner})
		if err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, `UPDATE forum_agenda_items SET action_item_id = $1 WHERE id = $2`, a.ID, it.ID)
		if err = store.Map(err); errors.Is(err, store.ErrConflict) {
			return nil, alreadyPulled() // pulled by someone else meanwhile
		} else if err != nil {
			return nil, err
		}
		if it, err = GetAgendaItem(ctx, tx, it.ID); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// alreadyPulled is ErrAlreadyPulled with its field error.
func alreadyPulled() error {
	return fmt.Errorf("%w: %w", ErrAlreadyPulled, valid.Errors{"action_item_ids": "error.forum_action_already_pulled"})
}
