package plan

// Progress is how far a commitment has come, computed from its
// milestones: the share of milestones done, each counted by its weight
// (all weigh 1 unless set), and whether any is late.
type Progress struct {
	Milestones     int  `json:"milestones"`
	Done           int  `json:"done"`
	InProgress     int  `json:"in_progress"`
	LateMilestones int  `json:"late_milestones"`
	Percent        int  `json:"percent"`
	Weighted       bool `json:"weighted"`
	Late           bool `json:"late"`
}

// Commitment states, computed from the milestones: what the plan page
// shows at a glance and filters on.
const (
	StateNotStarted = "not_started" // no milestone started or done (or none at all)
	StateInProgress = "in_progress"
	StateDone       = "done" // every milestone done
	StateLate       = "late" // a milestone is past due and not done
)

// States lists the states a plan page filters on.
var States = []string{StateNotStarted, StateInProgress, StateDone, StateLate}

// ComputeProgress computes the progress of milestones on that day and
// marks each late one (Late). Percent is rounded down, so that 100 means
// every milestone done.
func ComputeProgress(ms []*Milestone, today Date) Progress {
	p := Progress{Milestones: len(ms)}
	total, done := 0, 0
	for _, m := range ms {
		w := max(m.Weight, 1)
		total += w
		if w != 1 {
			p.Weighted = true
		}
		switch m.Status {
		case MilestoneDone:
			p.Done++
			done += w
		case MilestoneInProgress:
			p.InProgress++
		}
		m.Late = m.IsLate(today)
		if m.Late {
			p.LateMilestones++
		}
	}
	p.Late = p.LateMilestones > 0
	if total > 0 {
		p.Percent = done * 100 / total
	}
	return p
}

// State is the commitment's state for the plan page.
func (p Progress) State() string {
	switch {
	case p.Late:
		return StateLate
	case p.Milestones > 0 && p.Done == p.Milestones:
		return StateDone
	case p.Done > 0 || p.InProgress > 0:
		return StateInProgress
	}
	return StateNotStarted
}
