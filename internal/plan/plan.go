// Package plan is the national action plan and the accountability of its
// commitments: plans and their axes, commitments with the administration
// that leads them and the organisations that support them, their OGP
// values and IRM assessment, milestones (late is computed, never stored)
// with evidence, indicators with their measured values, progress updates,
// the attributed history of every change, followers mailed when a
// commitment changes, imports and open-data exports, and the reminders
// sent to administrations whose commitments go quiet or fall late.
//
// Reading functions take a store.Querier; changes take the caller's
// transaction and a Change (who, and how followers hear of it). Bad input
// is valid.Errors whose values are translation keys; a missing object is
// store.ErrNotFound; a change the editor may not make is ErrForbidden.
package plan

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// Plan statuses.
const (
	StatusCoCreation     = "co_creation"
	StatusImplementation = "implementation"
	StatusClosed         = "closed"
)

// PlanStatuses lists the statuses of a plan, in their order.
var PlanStatuses = []string{StatusCoCreation, StatusImplementation, StatusClosed}

// Plan is a national action plan. All of it is public.
type Plan struct {
	ID              string    `json:"id"`
	Title           string    `json:"title"`
	TitleEN         string    `json:"title_en"`
	Description     string    `json:"description"`
	StartsOn        Date      `json:"starts_on"`
	EndsOn          Date      `json:"ends_on"`
	Status          string    `json:"status"`
	Axes            []*Axis   `json:"axes"`
	CommitmentCount int       `json:"commitment_count"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Axis is one of the ordered, titled parts of a plan.
type Axis struct {
	ID       string `json:"id"`
	Position int    `json:"position"`
	Title    string `json:"title"`
	TitleEN  string `json:"title_en"`
}

// Axis returns the plan's axis of that id, or nil.
func (p *Plan) Axis(id string) *Axis {
	for _, a := range p.Axes {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// PlanInput is what a form or the API gives for a plan.
type PlanInput struct {
	Title       string `json:"title"`
	TitleEN     string `json:"title_en"`
	Description string `json:"description"`
	StartsOn    Date   `json:"starts_on"`
	EndsOn      Date   `json:"ends_on"`
	Status      string `json:"status"`
	// Axes in their order. On update, an axis with the id of an existing
	// one renames it, one without id is added, and an existing axis left
	// out is removed (refused while commitments use it). Nil keeps the
	// axes as they are.
	Axes []AxisInput `json:"axes"`
}

// AxisInput is one axis of a PlanInput.
type AxisInput struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	TitleEN string `json:"title_en"`
}

// Input is the plan as an input, for a PATCH to start from.
func (p *Plan) Input() PlanInput {
	in := PlanInput{Title: p.Title, TitleEN: p.TitleEN, Description: p.Description, StartsOn: p.StartsOn, EndsOn: p.EndsOn,
		Status: p.Status, Axes: []AxisInput{}}
	for _, a := range p.Axes {
		in.Axes = append(in.Axes, AxisInput{ID: a.ID, Title: a.Title, TitleEN: a.TitleEN})
	}
	return in
}

// maxAxes bounds the axes of a plan.
const maxAxes = 50

// Validate checks and normalises the input.
func (in *PlanInput) Validate() error {
	fe := valid.Errors{}
	in.Title, in.TitleEN, in.Description = line(in.Title), line(in.TitleEN), paragraphs(in.Description)
	checkText(fe, "title", in.Title, true, 300)
	checkText(fe, "title_en", in.TitleEN, false, 300)
	checkText(fe, "description", in.Description, false, 20000)
	for field, d := range map[string]*Date{"starts_on": &in.StartsOn, "ends_on": &in.EndsOn} {
		if key := checkDate(d); key != "" {
			fe[field] = key
		} else if d.IsZero() {
			fe[field] = "error.required"
		}
	}
	if fe["starts_on"] == "" && fe["ends_on"] == "" && in.EndsOn <= in.StartsOn {
		fe["ends_on"] = "error.plan_ends_before_start"
	}
	if in.Status == "" {
		in.Status = StatusCoCreation
	}
	if !contains(PlanStatuses, in.Status) {
		fe["status"] = "error.status_invalid"
	}
	if len(in.Axes) > maxAxes {
		fe["axes"] = "error.plan_too_many_axes"
	}
	for i := range in.Axes {
		a := &in.Axes[i]
		a.Title, a.TitleEN = line(a.Title), line(a.TitleEN)
		checkText(fe, fmt.Sprintf("axes.%d.title", i), a.Title, true, 300)
		checkText(fe, fmt.Sprintf("axes.%d.title_en", i), a.TitleEN, false, 300)
	}
	return fe.Err()
}

// CreatePlan validates in and creates the plan with its axes (organisers).
func CreatePlan(ctx context.Context, tx *sql.Tx, ch Change, in PlanInput) (*Plan, error) {
	if err := ch.mustManage(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	for i, a := range in.Axes {
		if a.ID != "" {
			return nil, valid.Errors{fmt.Sprintf("axes.%d.id", i): "error.plan_axis_unknown"}
		}
	}
	id, now := store.NewID(), store.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO plans (id, title, title_en, description, starts_on, ends_on, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, id, in.Title, in.TitleEN, in.Description, in.StartsOn, in.EndsOn, in.Status, now); err != nil {
		return nil, store.Map(err)
	}
	if err := saveAxes(ctx, tx, id, in.Axes); err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, tx, audit.Actor{ID: ch.UserID, Label: ch.Label}, "plan.create", "plan", id, map[string]any{"title": in.Title}); err != nil {
		return nil, err
	}
	return GetPlan(ctx, tx, id)
}

// UpdatePlan replaces the fields of a plan and, unless in.Axes is nil,
// its axes (organisers).
func UpdatePlan(ctx context.Context, tx *sql.Tx, ch Change, id string, in PlanInput) (*Plan, error) {
	if err := ch.mustManage(); err != nil {
		return nil, err
	}
	old, err := GetPlan(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.Axes != nil {
		if err := saveAxes(ctx, tx, id, in.Axes); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE plans SET title = $1, title_en = $2, description = $3, starts_on = $4, ends_on = $5,
		status = $6, updated_at = $7 WHERE id = $8`, in.Title, in.TitleEN, in.Description, in.StartsOn, in.EndsOn, in.Status, store.Now(), id); err != nil {
		return nil, store.Map(err)
	}
	details := map[string]any{}
	if old.Status != in.Status {
		details["status"] = []string{old.Status, in.Status}
	}
	if err := audit.Record(ctx, tx, audit.Actor{ID: ch.UserID, Label: ch.Label}, "plan.update", "plan", id, details); err != nil {
		return nil, err
	}
	return GetPlan(ctx, tx, id)
}

// saveAxes makes the plan's axes those of the list, in its order.
func saveAxes(ctx context.Context, tx *sql.Tx, planID string, axes []AxisInput) error {
	existing := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM plan_axes WHERE plan_id = $1`, planID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		existing[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	fe := valid.Errors{}
	kept := map[string]bool{}
	for i, a := range axes {
		if a.ID != "" && (!existing[a.ID] || kept[a.ID]) {
			fe[fmt.Sprintf("axes.%d.id", i)] = "error.plan_axis_unknown"
		}
		kept[a.ID] = true
	}
	for id := range existing {
		if kept[id] {
			continue
		}
		var used int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM commitments WHERE axis_id = $1`, id).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			fe["axes"] = "error.plan_axis_in_use"
		}
	}
	if len(fe) > 0 {
		return fe
	}
	for id := range existing {
		if !kept[id] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM plan_axes WHERE id = $1`, id); err != nil {
				return err
			}
		}
	}
	for i, a := range axes {
		var err error
		if a.ID == "" {
			_, err = tx.ExecContext(ctx, `INSERT INTO plan_axes (id, plan_id, position, title, title_en) VALUES ($1, $2, $3, $4, $5)`,
				store.NewID(), planID, i+1, a.Title, a.TitleEN)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE plan_axes SET position = $1, title = $2, title_en = $3 WHERE id = $4`, i+1, a.Title, a.TitleEN, a.ID)
		}
		if err != nil {
			return store.Map(err)
		}
	}
	return nil
}

// addAxis appends an axis to a plan (imports meet new axes by title).
func addAxis(ctx context.Context, tx *sql.Tx, planID, title string) (*Axis, error) {
	var pos int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM plan_axes WHERE plan_id = $1`, planID).Scan(&pos); err != nil {
		return nil, err
	}
	a := &Axis{ID: store.NewID(), Position: pos + 1, Title: title}
	_, err := tx.ExecContext(ctx, `INSERT INTO plan_axes (id, plan_id, position, title) VALUES ($1, $2, $3, $4)`, a.ID, planID, a.Position, a.Title)
	return a, store.Map(err)
}

const planColumns = `p.id, p.title, p.title_en, p.description, p.starts_on, p.ends_on, p.status, p.created_at, p.updated_at,
	(SELECT COUNT(*) FROM commitments c WHERE c.plan_id = p.id)`

func scanPlan(row interface{ Scan(...any) error }) (*Plan, error) {
	p := &Plan{Axes: []*Axis{}}
	err := row.Scan(&p.ID, &p.Title, &p.TitleEN, &p.Description, &p.StartsOn, &p.EndsOn, &p.Status, &p.CreatedAt, &p.UpdatedAt, &p.CommitmentCount)
	return p, store.Map(err)
}

// GetPlan loads a plan with its axes.
func GetPlan(ctx context.Context, q store.Querier, id string) (*Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans p WHERE p.id = $1`, id))
	if err != nil {
		return nil, err
	}
	if err := loadAxes(ctx, q, []*Plan{p}); err != nil {
		return nil, err
	}
	return p, nil
}

// ListPlans returns every plan with its axes, the latest first.
func ListPlans(ctx context.Context, q store.Querier) ([]*Plan, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+planColumns+` FROM plans p ORDER BY p.starts_on DESC, p.id DESC`)
	if err != nil {
		return nil, err
	}
	out := []*Plan{}
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, loadAxes(ctx, q, out)
}

// loadAxes fills the axes of plans with one query.
func loadAxes(ctx context.Context, q store.Querier, plans []*Plan) error {
	if len(plans) == 0 {
		return nil
	}
	byID := map[string]*Plan{}
	ids := make([]any, len(plans))
	for i, p := range plans {
		byID[p.ID] = p
		ids[i] = p.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT plan_id, id, position, title, title_en FROM plan_axes WHERE plan_id IN (`+
		params(1, len(ids))+`) ORDER BY position, id`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var planID string
		a := &Axis{}
		if err := rows.Scan(&planID, &a.ID, &a.Position, &a.Title, &a.TitleEN); err != nil {
			return err
		}
		byID[planID].Axes = append(byID[planID].Axes, a)
	}
	return rows.Err()
}

// params returns n numbered parameter markers from $from.
func params(from, n int) string {
	b := make([]byte, 0, n*5)
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = fmt.Appendf(b, "$%d", from+i)
	}
	return string(b)
}
