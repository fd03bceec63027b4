package web

import (
	"database/sql"
	"net/http"

	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/store"
)

// The reminders' alerts of a plan, for organisers: commitments without
// news for too long and milestones past due. Each closes by itself when
// the lead reports, or an organiser dismisses it.

type planAlertsData struct {
	Plan   *plan.Plan
	Alerts []*plan.Alert
}

func (s *Server) planAlerts(w http.ResponseWriter, r *http.Request) {
	pl, err := plan.GetPlan(r.Context(), s.db, r.PathValue("id"))
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	alerts, err := plan.OpenAlerts(r.Context(), s.db, pl.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.page(r, planAlertsData{Plan: pl, Alerts: alerts})
	if r.URL.Query().Get("saved") == "dismissed" {
		p.Notice = p.T("plan.alerts.dismissed")
	}
	s.render(w, r, http.StatusOK, "plan_alerts", p)
}

// planAlertDismiss closes an open alert of the plan.
func (s *Server) planAlertDismiss(w http.ResponseWriter, r *http.Request) {
	planID, alertID := r.PathValue("id"), r.PathValue("alert")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		open, err := plan.OpenAlerts(r.Context(), tx, planID)
		if err != nil {
			return err
		}
		for _, a := range open {
			if a.ID == alertID {
				return plan.ResolveAlert(r.Context(), tx, planEditor(r), alertID)
			}
		}
		return store.ErrNotFound
	})
	if err != nil {
		s.planPageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/plans/"+planID+"/alerts?saved=dismissed", http.StatusSeeOther)
}
