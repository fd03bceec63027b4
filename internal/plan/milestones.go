package plan

import (
	"context"
	"database/sql"
	"time"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Milestone statuses as stored. "late" is not one: a milestone is late
// when it is not done and its due day has passed (see Milestone.Late).
const (
	MilestoneNotStarted = "not_started"
	MilestoneInProgress = "in_progress"
	MilestoneDone       = "done"
	// MilestoneLate is the status shown for a late milestone.
	MilestoneLate = "late"
)

// MilestoneStatuses lists the statuses a milestone is given.
var MilestoneStatuses = []string{MilestoneNotStarted, MilestoneInProgress, MilestoneDone}

// Milestone is a dated step of a commitment.
type Milestone struct {
	ID           string `json:"id"`
	CommitmentID string `json:"commitment_id"`
	Position     int    `json:"position"`
	Title        string `json:"title"`
	DueOn        Date   `json:"due_on"`
	// DueLabel is the period as the plan wrote it ("Fin 2018"), DueOn its
	// last day.
	DueLabel    string `json:"due_label"`
	Status      string `json:"status"`
	CompletedOn Date   `json:"completed_on"`
	Weight      int    `json:"weight"`
	// Late is computed when the milestone is loaded, for the day asked.
	Late      bool        `json:"late"`
	Evidence  []*Evidence `json:"evidence,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// IsLate tells whether the milestone is late on that day: not done, and
// due before it.
func (m *Milestone) IsLate(today Date) bool {
	return m.Status != MilestoneDone && !m.DueOn.IsZero() && m.DueOn < today
}

// Shown is the status to show: the stored one, or "late".
func (m *Milestone) Shown() string {
	if m.Late {
		return MilestoneLate
	}
	return m.Status
}

// MilestoneInput is what a form, the API or an import gives.
type MilestoneInput struct {
	Title string `json:"title"`
	DueOn Date   `json:"due_on"`
	// DueLabel may be given alone ("End 2018"): DueOn is then its last day.
	DueLabel    string `json:"due_label"`
	Status      string `json:"status"`
	CompletedOn Date   `json:"completed_on"`
	// Weight counts the milestone in the commitment's progress: 1 to 100;
	// 0 means 1.
	Weight int `json:"weight"`
}

// Input is the milestone as an input, for a PATCH to start from.
func (m *Milestone) Input() MilestoneInput {
	return MilestoneInput{Title: m.Title, DueOn: m.DueOn, DueLabel: m.DueLabel, Status: m.Status, CompletedOn: m.CompletedOn, Weight: m.Weight}
}

// check validates and normalises the input.
func (in *MilestoneInput) check(today Date) valid.Errors {
	fe := valid.Errors{}
	in.Title, in.DueLabel = line(in.Title), line(in.DueLabel)
	checkText(fe, "title", in.Title, true, 500)
	checkText(fe, "due_label", in.DueLabel, false, 60)
	if key := checkDate(&in.DueOn); key != "" {
		fe["due_on"] = key
	} else if in.DueOn.IsZero() && in.DueLabel != "" {
		d, ok := ParsePeriod(in.DueLabel)
		if !ok {
			fe["due_label"] = "error.plan_period_invalid"
		}
		in.DueOn = d
	}
	switch {
	case in.Status == "":
		in.Status = MilestoneNotStarted
	case in.Status == MilestoneLate:
		fe["status"] = "error.plan_status_late_computed"
	case !contains(MilestoneStatuses, in.Status):
		fe["status"] = "error.status_invalid"
	}
	if key := checkDate(&in.CompletedOn); key != "" {
		fe["completed_on"] = key
	}
	switch {
	case in.Status != MilestoneDone:
		in.CompletedOn = ""
	case in.CompletedOn.IsZero():
		in.CompletedOn = today
	case in.CompletedOn > today && fe["completed_on"] == "":
		fe["completed_on"] = "error.plan_date_in_future"
	}
	if in.Weight == 0 {
		in.Weight = 1
	}
	if in.Weight < 1 || in.Weight > 100 {
		fe["weight"] = "error.plan_weight_invalid"
	}
	return fe
}

// CreateMilestone adds a milestone at the end of a commitment's.
func CreateMilestone(ctx context.Context, tx *sql.Tx, ch Change, commitmentID string, in MilestoneInput) (*Milestone, error) {
	if _, err := lockCommitment(ctx, tx, ch, commitmentID); err != nil {
		return nil, err
	}
	if err := in.check(Today()).Err(); err != nil {
		return nil, err
	}
	id, err := insertMilestone(ctx, tx, commitmentID, in)
	if err != nil {
		return nil, err
	}
	if _, err := ch.apply(ctx, tx, event{commitmentID: commitmentID, action: ActionMilestoneCreate, targetType: "milestone", targetID: id,
		after: in}); err != nil {
		return nil, err
	}
	return GetMilestone(ctx, tx, id)
}

func insertMilestone(ctx context.Context, tx *sql.Tx, commitmentID string, in MilestoneInput) (string, error) {
	var pos int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM milestones WHERE commitment_id = $1`, commitmentID).Scan(&pos); err != nil {
		return "", err
	}
	id, now := store.NewID(), store.Now()
	_, err := tx.ExecContext(ctx, `INSERT INTO milestones (id, commitment_id, position, title, due_on, due_label, status, completed_on, weight,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
		id, commitmentID, pos+1, in.Title, in.DueOn, in.DueLabel, in.Status, in.CompletedOn, in.Weight, now)
	return id, store.Map(err)
}

// UpdateMilestone replaces the fields of a milestone. Marking it done, or
// moving its due day to today or later, closes its "late" alert.
func UpdateMilestone(ctx context.Context, tx *sql.Tx, ch Change, id string, in MilestoneInput) (*Milestone, error) {
	old, err := GetMilestone(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := lockCommitment(ctx, tx, ch, old.CommitmentID); err != nil {
		return nil, err
	}
	today := Today()
	if err := in.check(today).Err(); err != nil {
		return nil, err
	}
	if _, err := updateMilestone(ctx, tx, ch, old, in, today); err != nil {
		return nil, err
	}
	return GetMilestone(ctx, tx, id)
}

func updateMilestone(ctx context.Context, tx *sql.Tx, ch Change, old *Milestone, in MilestoneInput, today Date) (bool, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE milestones SET title = $1, due_on = $2, due_label = $3, status = $4, completed_on = $5,
		weight = $6, updated_at = $7 WHERE id = $8`,
		in.Title, in.DueOn, in.DueLabel, in.Status, in.CompletedOn, in.Weight, store.Now(), old.ID); err != nil {
		return false, store.Map(err)
	}
	if in.Status == MilestoneDone || in.DueOn.IsZero() || in.DueOn >= today {
		if err := resolveAlerts(ctx, tx, ch, `milestone_id = $1`, old.ID); err != nil {
			return false, err
		}
	}
	return ch.apply(ctx, tx, event{commitmentID: old.CommitmentID, action: ActionMilestoneUpdate, targetType: "milestone", targetID: old.ID,
		before: old.Input(), after: in})
}

// DeleteMilestone removes a milestone and its evidence (organisers: the
// agents of the lead cannot make a late milestone disappear). The
// history keeps what it was.
func DeleteMilestone(ctx context.Context, tx *sql.Tx, ch Change, id string) error {
	if err := ch.mustManage(); err != nil {
		return err
	}
	old, err := GetMilestone(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := lockCommitment(ctx, tx, ch, old.CommitmentID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM milestones WHERE id = $1`, id); err != nil {
		return store.Map(err)
	}
	_, err = ch.apply(ctx, tx, event{commitmentID: old.CommitmentID, action: ActionMilestoneDelete, targetType: "milestone", targetID: id,
		before: old.Input()})
	return err
}

const milestoneColumns = `m.id, m.commitment_id, m.position, m.title, m.due_on, m.due_label, m.status, m.completed_on, m.weight,
	m.created_at, m.updated_at`

func scanMilestone(row interface{ Scan(...any) error }) (*Milestone, error) {
	m := &Milestone{}
	err := row.Scan(&m.ID, &m.CommitmentID, &m.Position, &m.Title, &m.DueOn, &m.DueLabel, &m.Status, &m.CompletedOn, &m.Weight,
		&m.CreatedAt, &m.UpdatedAt)
	return m, store.Map(err)
}

// GetMilestone loads a milestone with its evidence; Late is for today.
func GetMilestone(ctx context.Context, q store.Querier, id string) (*Milestone, error) {
	m, err := scanMilestone(q.QueryRowContext(ctx, `SELECT `+milestoneColumns+` FROM milestones m WHERE m.id = $1`, id))
	if err != nil {
		return nil, err
	}
	m.Late = m.IsLate(Today())
	ev, err := loadEvidence(ctx, q, `milestone_id = $1`, id)
	if err != nil {
		return nil, err
	}
	m.Evidence = ev
	return m, nil
}
