package web

import (
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/store"
)

// publicStatuses are the forums calendars and feeds show.
var publicStatuses = []string{forum.StatusOpen, forum.StatusClosed, forum.StatusHeld, forum.StatusReported, forum.StatusCancelled}

func writeICS(w http.ResponseWriter, filename string, body []byte) {
	w.Header().Set("Content-Type", forum.ICSContentType)
	w.Header().Set("Content-Disposition", `inline; filename="`+filename+`"`)
	w.Write(body)
}

// forumCalendar is one forum's .ics.
func (s *Server) forumCalendar(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadForum(w, r)
	if !ok {
		return
	}
	writeICS(w, "forum.ics", forum.ICS(s.cfg.BaseURL, "", store.Now(), f))
}

// seriesCalendar is the subscribable calendar of a series' forums.
func (s *Server) seriesCalendar(w http.ResponseWriter, r *http.Request) {
	x, err := forum.GetSeries(r.Context(), s.db, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	fs, err := forum.ListForums(r.Context(), s.db, forum.ListFilter{SeriesID: x.ID, Statuses: publicStatuses})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeICS(w, "series.ics", forum.ICS(s.cfg.BaseURL, x.Title, store.Now(), fs...))
}

// forumsCalendar is the subscribable calendar of every forum.
func (s *Server) forumsCalendar(w http.ResponseWriter, r *http.Request) {
	fs, err := forum.ListForums(r.Context(), s.db, forum.ListFilter{Statuses: publicStatuses})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeICS(w, "forums.ics", forum.ICS(s.cfg.BaseURL, s.settings(r.Context()).SiteName, store.Now(), fs...))
}

// The Atom feed (RFC 4287) is written with encoding/xml: the format needs
// a handful of elements, not a dependency.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

const atomTime = "2006-01-02T15:04:05Z"

// forumsFeed is the Atom feed of the upcoming forums.
func (s *Server) forumsFeed(w http.ResponseWriter, r *http.Request) {
	now := store.Now()
	fs, err := forum.ListForums(r.Context(), s.db, forum.ListFilter{Statuses: publicStatuses, From: now.AddDate(0, 0, -1)})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	site := s.settings(r.Context()).SiteName
	base := s.cfg.BaseURL
	feed := atomFeed{
		ID: base + "/forums/feed.atom", Title: site, Updated: now.UTC().Format(atomTime),
		Links:  []atomLink{{Href: base + "/forums/feed.atom", Rel: "self", Type: "application/atom+xml"}, {Href: base + "/forums", Rel: "alternate", Type: "text/html"}},
		Author: atomAuthor{Name: site},
	}
	lang := state(r).Lang
	for _, f := range fs {
		if !f.EndsAt.After(now) {
			continue
		}
		feed.Entries = append(feed.Entries, atomEntry{
			ID: forum.ForumURL(base, f.ID), Title: f.Title, Updated: f.UpdatedAt.UTC().Format(atomTime),
			Link:    atomLink{Href: forum.ForumURL(base, f.ID), Rel: "alternate", Type: "text/html"},
			Summary: forumWhen(f) + " — " + forumWhere(f) + " — " + s.i18n.T(lang, "forum.status."+f.Status),
		})
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Encode(feed)
}
