package forum_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/forum"
)

type icsProp struct {
	name   string
	params string
	value  string
}

// parseICS reads a calendar back as RFC 5545 says, failing on any line
// that is not CRLF-terminated, longer than 75 octets or cut inside a UTF-8
// character; it returns each component's properties.
func parseICS(t *testing.T, data []byte) []map[string]icsProp {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatal("the calendar does not end with CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	var logical []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d holds a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets long: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d cuts a UTF-8 character: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(logical) == 0 {
				t.Fatal("the calendar starts with a continuation line")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	var comps []map[string]icsProp
	var stack []map[string]icsProp
	for _, l := range logical {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("no colon in %q", l)
		}
		params := ""
		if n, p, has := strings.Cut(name, ";"); has {
			name, params = n, p
		}
		switch name {
		case "BEGIN":
			stack = append(stack, map[string]icsProp{"BEGIN": {name: name, value: value}})
		case "END":
			top := stack[len(stack)-1]
			if top["BEGIN"].value != value {
				t.Fatalf("END:%s closes BEGIN:%s", value, top["BEGIN"].value)
			}
			stack = stack[:len(stack)-1]
			comps = append(comps, top)
		default:
			if len(stack) == 0 {
				t.Fatalf("property %s outside any component", name)
			}
			stack[len(stack)-1][name] = icsProp{name: name, params: params, value: value}
		}
	}
	if len(stack) != 0 {
		t.Fatal("unclosed component")
	}
	return comps
}

func unescapeText(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' || c == ';' {
			t.Errorf("unescaped %q in %q", c, s)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',':
			b.WriteByte(s[i])
		default:
			t.Errorf("bad escape \\%c in %q", s[i], s)
		}
	}
	return b.String()
}

func events(comps []map[string]icsProp) []map[string]icsProp {
	var out []map[string]icsProp
	for _, c := range comps {
		if c["BEGIN"].value == "VEVENT" {
			out = append(out, c)
		}
	}
	return out
}

func TestICS(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	// Third Tuesday of every month from March 2026: 17 March is in winter
	// time (UTC+1), 21 April in summer time (UTC+2, from 29 March), and 17
	// November in winter time again.
	series := &forum.Series{Weekday: 2, WeekOfMonth: 3, EveryMonths: 1, FirstMonth: "2026-03", StartTime: "17:00", EndTime: "19:00", Timezone: "Europe/Paris"}
	dates := series.NextDates(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 9)
	long := strings.Repeat("Accès par l'entrée « Bercy », badge à l'accueil ; ascenseur, niveau -1. ", 6)
	var forums []*forum.Forum
	for i, d := range dates {
		forums = append(forums, &forum.Forum{
			ID: "forum" + string(rune('a'+i)), Title: `Forum ouvert, n°` + string(rune('1'+i)) + `; "données" \ éthique`,
			Description: "Ligne 1\nLigne 2, avec virgule", StartsAt: d.StartsAt, EndsAt: d.EndsAt, Timezone: "Europe/Paris",
			Venue: "Salle Pierre Mendès France", Address: "139 rue de Bercy, 75012 Paris", AccessInfo: long,
			VideoURL: "https://video.example.org/forum?x=1,2", Status: forum.StatusOpen,
			CreatedAt: d.StartsAt.AddDate(0, -1, 0), UpdatedAt: d.StartsAt.AddDate(0, 0, -7),
		})
	}
	now := time.Date(2026, 2, 10, 9, 30, 0, 0, time.UTC)
	data := forum.ICS("https://forum.example.org", "Forums ouverts", now, forums...)
	comps := parseICS(t, data)
	cal := comps[len(comps)-1]
	if cal["BEGIN"].value != "VCALENDAR" || cal["VERSION"].value != "2.0" || cal["PRODID"].value == "" {
		t.Fatalf("calendar: %+v", cal)
	}
	if unescapeText(t, cal["X-WR-CALNAME"].value) != "Forums ouverts" {
		t.Errorf("name %q", cal["X-WR-CALNAME"].value)
	}
	evs := events(comps)
	if len(evs) != len(forums) {
		t.Fatalf("%d events for %d forums", len(evs), len(forums))
	}
	wantUTC := map[string]string{"2026-03-17": "160000Z", "2026-04-21": "150000Z", "2026-10-20": "150000Z", "2026-11-17": "160000Z"}
	for i, ev := range evs {
		f := forums[i]
		for _, p := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "URL", "DESCRIPTION", "SEQUENCE", "STATUS"} {
			if ev[p].value == "" {
				t.Errorf("event %d lacks %s", i, p)
			}
		}
		if ev["UID"].value != f.ID+"@forum.example.org" {
			t.Errorf("UID %q", ev["UID"].value)
		}
		if ev["DTSTAMP"].value != "20260210T093000Z" {
			t.Errorf("DTSTAMP %q", ev["DTSTAMP"].value)
		}
		start, err := time.Parse("20060102T150405Z", ev["DTSTART"].value)
		if err != nil {
			t.Fatal(err)
		}
		end, err := time.Parse("20060102T150405Z", ev["DTEND"].value)
		if err != nil {
			t.Fatal(err)
		}
		ls, le := start.In(paris), end.In(paris)
		if ls.Format("15:04") != "17:00" || le.Format("15:04") != "19:00" || ls.Weekday() != time.Tuesday || (ls.Day()-1)/7 != 2 {
			t.Errorf("event %d: %v – %v in Paris, want the third Tuesday 17:00–19:00", i, ls, le)
		}
		if want, ok := wantUTC[ls.Format("2006-01-02")]; ok && !strings.HasSuffix(ev["DTSTART"].value, want) {
			t.Errorf("%s: DTSTART %s, want ...T%s", ls.Format("2006-01-02"), ev["DTSTART"].value, want)
		}
		if got := unescapeText(t, ev["SUMMARY"].value); got != f.Title {
			t.Errorf("SUMMARY %q, want %q", got, f.Title)
		}
		if got := unescapeText(t, ev["LOCATION"].value); got != f.Venue+", "+f.Address {
			t.Errorf("LOCATION %q", got)
		}
		if ev["URL"].value != "https://forum.example.org/forums/"+f.ID {
			t.Errorf("URL %q", ev["URL"].value)
		}
		desc := unescapeText(t, ev["DESCRIPTION"].value)
		for _, part := range []string{f.Description, f.AccessInfo, f.VideoURL, "17:00–19:00 (Europe/Paris)"} {
			if !strings.Contains(desc, strings.TrimSpace(part)) {
				t.Errorf("DESCRIPTION lacks %q", part)
			}
		}
	}
	// A cancelled forum's event says so and has a higher sequence.
	c := *forums[0]
	c.Status, c.Sequence = forum.StatusCancelled, 2
	ev := events(parseICS(t, forum.ICS("https://forum.example.org", "", now, &c)))[0]
	if ev["STATUS"].value != "CANCELLED" || ev["SEQUENCE"].value != "2" {
		t.Errorf("cancelled: %s %s", ev["STATUS"].value, ev["SEQUENCE"].value)
	}
}
