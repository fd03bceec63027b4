package web

import (
	"database/sql"
	"mime"
	"net/http"
	"slices"
	"strconv"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/plan"
)

// planNotices are the confirmations a commitment's page shows after a
// change (?saved=...), by the key of their text "plan.notice.<key>".
var planNotices = []string{"commitment", "update", "milestone", "milestone_deleted", "evidence", "evidence_deleted",
	"indicator", "value", "follow", "unfollow"}

type commitmentData struct {
	*plan.CommitmentPage
	Indicators []indicatorView
	// CanEdit: organisers and the agents of the lead administration.
	CanEdit, CanManage bool
	Following          bool
	// Warnings are the translated warnings of a value just recorded.
	Warnings []string
	// Forums are the forums that focused on this commitment.
	Forums []forumLink
}

type forumLink struct {
	ID, Title, When string
}

type indicatorView struct {
	*plan.Indicator
	Chart *indicatorChart
}

// commitmentPage is a commitment's public page: its description in the
// reader's language, milestones, indicators with their charts, progress
// updates, supporters, OGP values, IRM assessment and history.
func (s *Server) commitmentPage(w http.ResponseWriter, r *http.Request) {
	cp, err := plan.CommitmentView(r.Context(), s.db, r.PathValue("id"), "")
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	e := planEditor(r)
	d := commitmentData{CommitmentPage: cp, CanEdit: e.CanEdit(cp.Commitment.LeadOrganisationID) == nil, CanManage: e.CanManage()}
	if u := state(r).User; u != nil {
		if d.Following, err = plan.Following(r.Context(), s.db, cp.Commitment.ID, u.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	forums, err := forum.ListForums(r.Context(), s.db, forum.ListFilter{CommitmentID: cp.Commitment.ID, Descending: true,
		Statuses: []string{forum.StatusOpen, forum.StatusClosed, forum.StatusHeld, forum.StatusReported}})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, f := range forums {
		d.Forums = append(d.Forums, forumLink{ID: f.ID, Title: f.Title, When: forumWhen(f)})
	}
	p := s.page(r, nil)
	for _, ind := range cp.Commitment.Indicators {
		d.Indicators = append(d.Indicators, indicatorView{Indicator: ind, Chart: buildChart(p, ind)})
	}
	q := r.URL.Query()
	if saved := q.Get("saved"); slices.Contains(planNotices, saved) {
		p.Notice = p.T("plan.notice." + saved)
	}
	for _, key := range q["warning"] {
		if slices.Contains(plan.Warnings, key) && !slices.Contains(d.Warnings, p.T(key)) {
			d.Warnings = append(d.Warnings, p.T(key))
		}
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "commitment", p)
}

// AxisTitle is the title of the commitment's axis in the page's language.
func (d commitmentData) AxisTitle(p *Page) string {
	if d.Axis == nil {
		return ""
	}
	return p.PlanText(d.Axis.Title, d.Axis.TitleEN)
}

// ActionOf names a history entry's change.
func (d commitmentData) ActionOf(p *Page, h *plan.HistoryEntry) string {
	return p.T("plan.history.action." + h.Action)
}

// IRMRatings lists the IRM fields the IRM rated, in display order.
func (d commitmentData) IRMRatings() []string {
	var out []string
	r := d.Commitment.IRM
	for _, name := range plan.IRMFieldNames {
		if irmValue(r, name) != "" {
			out = append(out, name)
		}
	}
	return out
}

// IRMValue is the rating of one IRM field.
func (d commitmentData) IRMValue(name string) string { return irmValue(d.Commitment.IRM, name) }

func irmValue(r plan.IRM, name string) string {
	return map[string]string{
		"verifiable": r.Verifiable, "relevant": r.Relevant, "ambition": r.Ambition, "potential_impact": r.PotentialImpact,
		"completion": r.Completion, "did_it_open_government": r.DidItOpenGovernment, "starred": r.Starred,
	}[name]
}

// commitmentFollow makes the signed-in user follow the commitment: they
// are mailed when it changes.
func (s *Server) commitmentFollow(w http.ResponseWriter, r *http.Request) {
	s.setFollowing(w, r, true)
}

func (s *Server) commitmentUnfollow(w http.ResponseWriter, r *http.Request) {
	s.setFollowing(w, r, false)
}

func (s *Server) setFollowing(w http.ResponseWriter, r *http.Request, follow bool) {
	id, u := r.PathValue("id"), state(r).User
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		action := "commitment.unfollow"
		var err error
		if follow {
			action, err = "commitment.follow", plan.Follow(r.Context(), tx, id, u.ID)
		} else if _, err = plan.GetCommitment(r.Context(), tx, id, ""); err == nil {
			err = plan.Unfollow(r.Context(), tx, id, u.ID)
		}
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), action, "commitment", id, nil)
	})
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	saved := "unfollow"
	if follow {
		saved = "follow"
	}
	http.Redirect(w, r, savedURL(id, saved, nil, "follow"), http.StatusSeeOther)
}

// evidenceDownload sends an uploaded document as an attachment.
func (s *Server) evidenceDownload(w http.ResponseWriter, r *http.Request) {
	e, data, err := plan.Document(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", e.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.Filename}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}
