package web

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
)

type checkInRow struct {
	R *forum.Registration
	// Search is the folded text the page's script filters on.
	Search string
}

type checkInData struct {
	F         *forum.Forum
	When      string
	Rows      []checkInRow
	Query     string
	Expected  int
	Present   int
	WalkIns   int
	Refusal   string
	Last      string // id of the row just changed
	LastName  string
	LastUndid bool
}

// checkInPage is the reception desk for a tablet or phone: the confirmed
// list (filtered by ?q= without JavaScript, as you type with it), one
// button per person, the walk-in form and the code form.
func (s *Server) checkInPage(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	s.renderCheckIn(w, r, http.StatusOK, f, nil, nil)
}

func (s *Server) renderCheckIn(w http.ResponseWriter, r *http.Request, status int, f *forum.Forum, form url.Values, err error) {
	ctx := r.Context()
	q := r.URL.Query().Get("q")
	all, e := forum.Attendance(ctx, s.db, f.ID)
	if e != nil {
		s.serverError(w, r, e)
		return
	}
	d := checkInData{F: f, When: forumWhen(f), Query: q, Last: r.URL.Query().Get("last")}
	fq := directory.Fold(q)
	for _, reg := range all {
		d.Expected++
		if reg.CheckedInAt != nil {
			d.Present++
		}
		if reg.WalkIn {
			d.WalkIns++
		}
		search := directory.Fold(reg.FirstName + " " + reg.LastName + " " + reg.Organisation + " " + reg.Email)
		if fq != "" && !strings.Contains(search, fq) {
			continue
		}
		d.Rows = append(d.Rows, checkInRow{R: reg, Search: search})
		if reg.ID == d.Last {
			d.LastName = reg.Name()
		}
	}
	p := s.page(r, nil)
	switch r.URL.Query().Get("done") {
	case "in":
		p.Notice = s.i18n.T(p.Lang, "forumweb.desk.done_in", "name", d.LastName)
	case "undo":
		p.Notice = s.i18n.T(p.Lang, "forumweb.desk.done_undo", "name", d.LastName)
	case "walkin":
		p.Notice = s.i18n.T(p.Lang, "forumweb.desk.done_walkin", "name", d.LastName)
	}
	p.Form = form
	if p.Form == nil {
		p.Form = url.Values{"q": {q}, "college": {directory.CollegeCivilSociety}}
	}
	var dup *forum.AlreadyRegisteredError
	if errors.As(err, &dup) {
		d.Refusal = p.T("forumweb.desk.walkin_duplicate")
	} else if fe, ok := fieldErrors(err); ok {
		p.Errors = s.translateErrors(r, splitNameErrors(fe))
	} else if k := refusalKey(err); k != "" {
		d.Refusal = p.T(k)
	}
	p.Data = d
	s.render(w, r, status, "checkin", p)
}

// checkInTap checks a person in (or undoes it) with one tap, and returns to
// the list where it was.
func (s *Server) checkInTap(undo bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fid, rid := r.PathValue("id"), r.PathValue("rid")
		err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
			var err error
			action := "forum.checkin"
			if undo {
				action = "forum.checkin.undo"
				_, err = forum.UndoCheckIn(r.Context(), tx, fid, rid)
			} else {
				_, err = forum.CheckIn(r.Context(), tx, fid, rid)
			}
			if err != nil {
				return err
			}
			return audit.Record(r.Context(), tx, actor(r), action, "registration", rid, nil)
		})
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		if errors.Is(err, forum.ErrNotConfirmed) {
			s.errorPage(w, r, http.StatusConflict)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		done := "in"
		if undo {
			done = "undo"
		}
		v := url.Values{"done": {done}, "last": {rid}}
		if q := r.PostForm.Get("q"); q != "" {
			v.Set("q", q)
		}
		seeOther(w, r, "/forums/"+fid+"/checkin?"+v.Encode()+"#r-"+rid)
	}
}

// walkIn registers someone at the door: confirmed and checked in, beyond
// any limit, counted.
func (s *Server) walkIn(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	in := registrationInput(r)
	var reg *forum.Registration
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		if reg, err = s.forum().WalkIn(r.Context(), tx, f.ID, in); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.walk_in", "registration", reg.ID, nil)
	})
	var dup *forum.AlreadyRegisteredError
	_, isField := fieldErrors(err)
	switch {
	case err == nil:
		seeOther(w, r, "/forums/"+f.ID+"/checkin?done=walkin&last="+reg.ID+"#r-"+reg.ID)
	case errors.As(err, &dup):
		s.renderCheckIn(w, r, http.StatusConflict, f, r.PostForm, err)
	case isField || refusalKey(err) != "":
		s.renderCheckIn(w, r, http.StatusUnprocessableEntity, f, r.PostForm, err)
	default:
		s.serverError(w, r, err)
	}
}

type checkInCodeData struct {
	F       *forum.Forum
	R       *forum.Registration
	Code    string
	Invalid bool
	Done    bool
}

// checkInCodeForm is where the QR code of a confirmation mail leads: the
// desk's signed-in phone sees who it is and confirms with one tap (a GET
// never checks in, so link scanners cannot).
func (s *Server) checkInCodeForm(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	code := r.URL.Query().Get("code")
	reg, err := forum.RegistrationByCheckInToken(r.Context(), s.db, f.ID, code)
	d := checkInCodeData{F: f, R: reg, Code: code, Done: r.URL.Query().Get("done") == "1"}
	status := http.StatusOK
	if errors.Is(err, forum.ErrInvalidToken) {
		d.Invalid, status = true, http.StatusNotFound
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "checkin_code", s.page(r, d))
}

func (s *Server) checkInCode(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	code := r.PostForm.Get("code")
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) error {
		reg, err := forum.CheckInByToken(r.Context(), tx, f.ID, code)
		if err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, actor(r), "forum.checkin", "registration", reg.ID, map[string]string{"by": "code"})
	})
	switch {
	case err == nil:
		seeOther(w, r, "/forums/"+f.ID+"/check-in?done=1&code="+url.QueryEscape(code))
	case errors.Is(err, forum.ErrInvalidToken):
		s.render(w, r, http.StatusNotFound, "checkin_code", s.page(r, checkInCodeData{F: f, Code: code, Invalid: true}))
	case errors.Is(err, forum.ErrNotConfirmed):
		reg, _ := forum.RegistrationByCheckInToken(r.Context(), s.db, f.ID, code)
		s.render(w, r, http.StatusConflict, "checkin_code", s.page(r, checkInCodeData{F: f, R: reg, Code: code}))
	default:
		s.serverError(w, r, err)
	}
}
