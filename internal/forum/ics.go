package forum

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// ICSContentType is the media type of the calendar files.
const ICSContentType = "text/calendar; charset=utf-8; method=PUBLISH"

// ICS writes an RFC 5545 calendar holding one event per forum: a forum's
// .ics (one forum), or a subscribable calendar of a series or of every
// forum (name, when not empty, is its display name). now is the DTSTAMP.
//
// Times are written in UTC ("20260317T160000Z", RFC 5545 §3.3.5 form 2)
// rather than as local times with a TZID and a VTIMEZONE block: an instant
// in UTC is unambiguous, needs no time-zone definition that could disagree
// with the reader's own database, and every calendar shows it in its
// user's zone, daylight saving included. Each forum is its own event (no
// recurrence rule), so nothing needs the zone's rules. The local time in
// the forum's zone is written in the DESCRIPTION for people reading it.
//
// Lines end with CRLF and are folded at 75 octets without cutting a UTF-8
// character; text values escape backslash, semicolon, comma and newline.
func ICS(baseURL, name string, now time.Time, forums ...*Forum) []byte {
	w := &icsWriter{}
	w.prop("BEGIN", "VCALENDAR")
	w.prop("VERSION", "2.0")
	w.prop("PRODID", "-//ogforum//ogforum//FR")
	w.prop("CALSCALE", "GREGORIAN")
	w.prop("METHOD", "PUBLISH")
	if name != "" {
		w.prop("X-WR-CALNAME", icsText(name))
	}
	host := "ogforum"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	for _, f := range forums {
		w.prop("BEGIN", "VEVENT")
		w.prop("UID", f.ID+"@"+host)
		w.prop("DTSTAMP", icsTime(now))
		w.prop("DTSTART", icsTime(f.StartsAt))
		w.prop("DTEND", icsTime(f.EndsAt))
		w.prop("CREATED", icsTime(f.CreatedAt))
		w.prop("LAST-MODIFIED", icsTime(f.UpdatedAt))
		w.prop("SEQUENCE", itoa(f.Sequence))
		w.prop("STATUS", icsStatus(f.Status))
		w.prop("SUMMARY", icsText(f.Title))
		if loc := joinNonEmpty(", ", f.Venue, f.Address); loc != "" {
			w.prop("LOCATION", icsText(loc))
		}
		page := ForumURL(baseURL, f.ID)
		if validWebURL(page) {
			w.prop("URL", page)
		}
		loc := f.Location()
		local := f.StartsAt.In(loc).Format("2006-01-02 15:04") + "–" + f.EndsAt.In(loc).Format("15:04") + " (" + f.Timezone + ")"
		w.prop("DESCRIPTION", icsText(joinNonEmpty("\n\n", f.Description, local, f.AccessInfo, f.VideoURL, page)))
		w.prop("END", "VEVENT")
	}
	w.prop("END", "VCALENDAR")
	return []byte(w.b.String())
}

func icsStatus(status string) string {
	switch status {
	case StatusCancelled:
		return "CANCELLED"
	case StatusDraft:
		return "TENTATIVE"
	}
	return "CONFIRMED"
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

var icsEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// icsText escapes a TEXT value (RFC 5545 §3.3.11).
func icsText(s string) string { return icsEscaper.Replace(s) }

type icsWriter struct{ b strings.Builder }

// prop writes "NAME:value" folded at 75 octets: the first line holds at
// most 75 octets, each continuation line a space and at most 74 more.
func (w *icsWriter) prop(name, value string) {
	s := name + ":" + value
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.b.WriteString(s[:cut])
		w.b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74
	}
	w.b.WriteString(s)
	w.b.WriteString("\r\n")
}
