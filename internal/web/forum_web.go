package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
)

// isOrganiser tells whether the request comes from an organiser or admin.
func isOrganiser(r *http.Request) bool {
	u := state(r).User
	return u != nil && u.Role.AtLeastOrganiser()
}

// loadForum loads the forum of the path's {id}, answering 404 itself when
// it does not exist or is a draft the visitor may not see.
func (s *Server) loadForum(w http.ResponseWriter, r *http.Request) (*forum.Forum, bool) {
	f, err := forum.GetForum(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && f.Status == forum.StatusDraft && !isOrganiser(r)) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return f, true
}

// forumWhen is the forum's date and hours in its own time zone:
// "17/03/2026 17:00–19:00 (Europe/Paris)".
func forumWhen(f *forum.Forum) string {
	loc := f.Location()
	start, end := f.StartsAt.In(loc), f.EndsAt.In(loc)
	s := start.Format("02/01/2006 15:04") + "–"
	if start.YearDay() == end.YearDay() && start.Year() == end.Year() {
		s += end.Format("15:04")
	} else {
		s += end.Format("02/01/2006 15:04")
	}
	return s + " (" + f.Timezone + ")"
}

// forumWhere is the venue and address on one line.
func forumWhere(f *forum.Forum) string {
	var parts []string
	for _, p := range []string{f.Venue, f.Address} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// localInput formats an instant for a datetime-local field in loc.
func localInput(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

// parseLocal reads a datetime-local field in loc; ok is false for a
// non-empty value that is not a date and time.
func parseLocal(v string, loc *time.Location) (*time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return &t, true
		}
	}
	return nil, false
}

// refusalKey is the translation key of a forum refusal, or "" when err is
// not one.
func refusalKey(err error) string {
	if k := forum.ErrorKey(err); k != "" && k != "error.invalid" {
		return k
	}
	return ""
}

// seeOther redirects after a form.
func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
