package plan

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// apply writes a checked row: its organisations, axis, commitment and
// milestones. It returns the names of the organisations it created (to
// forget if the row is rolled back) and the problems found in the
// database.
func (im *importer) apply(ctx context.Context, r *importRow) (created []string, fe valid.Errors, err error) {
	fe = valid.Errors{}
	org := func(name, kind string) (string, error) {
		id, made, err := im.organisation(ctx, name, kind)
		if made {
			created = append(created, name)
		}
		return id, err
	}
	var leadID string
	if r.lead != "" {
		if leadID, err = org(r.lead, r.leadKind); err != nil {
			return created, nil, err
		}
	}
	var support []string
	for _, name := range r.support {
		id, err := org(name, r.supportKind)
		if err != nil {
			return created, nil, err
		}
		support = append(support, id)
	}
	var axisID string
	if r.hasAxis {
		if axisID, err = im.axis(ctx, r.in.Axis); err != nil {
			return created, nil, err
		}
		if axisID == "" {
			fe[FieldAxis] = "error.plan_axis_unknown"
		}
	}
	old, err := im.existing(ctx, r.in.Reference, r.in.Number)
	if err != nil {
		return created, nil, err
	}
	in := r.in
	if old != nil {
		in = old.Input()
		in.Title = r.in.Title
		overlay := map[*string]string{&in.Reference: r.in.Reference, &in.Number: r.in.Number, &in.TitleEN: r.in.TitleEN,
			&in.Description: r.in.Description, &in.DescriptionEN: r.in.DescriptionEN, &in.AxisID: axisID, &in.LeadOrganisationID: leadID}
		for field, v := range overlay {
			if v != "" {
				*field = v
			}
		}
		if len(support) > 0 {
			in.SupportOrganisationIDs = support
		}
	} else {
		in.AxisID, in.LeadOrganisationID, in.SupportOrganisationIDs = axisID, leadID, support
	}
	in.Axis = ""
	for field, key := range in.check() {
		fe[importField(field)] = key
	}
	self := ""
	if old != nil {
		self = old.ID
	}
	resolved := valid.Errors{}
	if err := in.resolve(ctx, im.tx, im.planID, self, resolved); err != nil {
		return created, nil, err
	}
	for field, key := range resolved {
		fe[importField(field)] = key
	}
	if len(fe) > 0 {
		return created, fe, nil
	}
	if old == nil {
		return created, nil, im.create(ctx, in, r.milestones)
	}
	quiet := im.ch
	quiet.quiet = true
	changed, err := updateCommitment(ctx, im.tx, quiet, old, in)
	if err != nil {
		return created, nil, err
	}
	more, err := im.milestones(ctx, quiet, old.ID, r.milestones)
	if err != nil {
		return created, nil, err
	}
	if !changed && !more {
		im.res.Unchanged++
		return created, nil, nil
	}
	im.res.Updated++
	// One mail per commitment to its followers, whatever the import changed.
	return created, nil, im.ch.notify(ctx, im.tx, old.ID, ActionCommitmentUpdate, "")
}

// create adds a commitment and its milestones.
func (im *importer) create(ctx context.Context, in CommitmentInput, milestones []MilestoneInput) error {
	id := store.NewID()
	if err := insertCommitment(ctx, im.tx, id, im.planID, in); err != nil {
		return err
	}
	events := []event{{commitmentID: id, action: ActionCommitmentCreate, targetType: "commitment", targetID: id, after: in}}
	for _, m := range milestones {
		mid, err := insertMilestone(ctx, im.tx, id, m)
		if err != nil {
			return err
		}
		events = append(events, event{commitmentID: id, action: ActionMilestoneCreate, targetType: "milestone", targetID: mid, after: m})
	}
	if _, err := im.ch.apply(ctx, im.tx, events...); err != nil {
		return err
	}
	im.res.Created++
	return nil
}

// milestones adds the row's milestones a commitment lacks (matched by
// title) and moves the due day of those it has; it reports whether it
// changed anything.
func (im *importer) milestones(ctx context.Context, ch Change, commitmentID string, list []MilestoneInput) (bool, error) {
	if len(list) == 0 {
		return false, nil
	}
	rows, err := im.tx.QueryContext(ctx, `SELECT `+milestoneColumns+` FROM milestones m WHERE m.commitment_id = $1 ORDER BY m.position, m.id`, commitmentID)
	if err != nil {
		return false, err
	}
	byTitle := map[string]*Milestone{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		m, err := scanMilestone(rows)
		if _, ok := byTitle[fold(m.Title)]; err == nil && !ok {
			byTitle[fold(m.Title)] = m
		}
		return err
	})
	if err != nil {
		return false, err
	}
	changed := false
	for _, m := range list {
		if old := byTitle[fold(m.Title)]; old != nil {
			if m.DueOn.IsZero() || (m.DueOn == old.DueOn && m.DueLabel == old.DueLabel) {
				continue
			}
			in := old.Input()
			in.DueOn, in.DueLabel = m.DueOn, m.DueLabel
			if err := in.check(im.today).Err(); err != nil {
				return false, err
			}
			if _, err := updateMilestone(ctx, im.tx, ch, old, in, im.today); err != nil {
				return false, err
			}
			changed = true
			continue
		}
		id, err := insertMilestone(ctx, im.tx, commitmentID, m)
		if err != nil {
			return false, err
		}
		if _, err := ch.apply(ctx, im.tx, event{commitmentID: commitmentID, action: ActionMilestoneCreate, targetType: "milestone",
			targetID: id, after: m}); err != nil {
			return false, err
		}
		byTitle[fold(m.Title)] = &Milestone{ID: id, Title: m.Title, DueOn: m.DueOn, DueLabel: m.DueLabel}
		changed = true
	}
	return changed, nil
}

// existing finds the plan's commitment of that reference or, for a row
// without reference (or whose reference is new), of that number among
// the commitments without reference.
func (im *importer) existing(ctx context.Context, reference, number string) (*Commitment, error) {
	var id string
	var err error
	if reference != "" {
		err = im.tx.QueryRowContext(ctx, `SELECT id FROM commitments WHERE plan_id = $1 AND reference = $2`, im.planID, reference).Scan(&id)
		if err = store.Map(err); !errors.Is(err, store.ErrNotFound) {
			if err != nil {
				return nil, err
			}
			return getCommitmentRow(ctx, im.tx, id)
		}
	}
	if number == "" {
		return nil, nil
	}
	err = im.tx.QueryRowContext(ctx, `SELECT id FROM commitments WHERE plan_id = $1 AND number = $2 AND reference IS NULL ORDER BY id LIMIT 1`,
		im.planID, number).Scan(&id)
	if err = store.Map(err); errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return getCommitmentRow(ctx, im.tx, id)
}

// organisation returns the id of the organisation of that name, creating
// it (with kind, or as a central administration) the first time it is
// met; made tells whether it did.
func (im *importer) organisation(ctx context.Context, name, kind string) (id string, made bool, err error) {
	key := fold(name)
	if id, ok := im.orgs[key]; ok {
		return id, false, nil
	}
	if kind == "" {
		kind = "central_administration"
	}
	o, err := directory.CreateOrganisation(ctx, im.tx, directory.OrganisationInput{Name: name, Kind: kind})
	if err != nil {
		return "", false, err
	}
	im.orgs[key] = o.ID
	im.res.Organisations++
	return o.ID, true, nil
}

// axis returns the id of the plan's axis of that title or position,
// adding an axis of that title when there is none ("" for an unknown
// position).
func (im *importer) axis(ctx context.Context, name string) (string, error) {
	id, err := axisByName(ctx, im.tx, im.planID, name)
	if err != nil || id != "" {
		return id, err
	}
	if _, err := strconv.Atoi(name); err == nil {
		return "", nil
	}
	a, err := addAxis(ctx, im.tx, im.planID, name)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}
