package forum

import (
	"fmt"
	"time"

	"github.com/ogforum/ogforum/internal/zone"
)

var (
	weekdaysFR = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	monthsFR   = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// FormatDate writes the day of t (already in the wanted zone) in lang:
// "mardi 17 mars 2026", "Tuesday 17 March 2026".
func FormatDate(lang string, t time.Time) string {
	if lang == "en" {
		return t.Format("Monday 2 January 2006")
	}
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %s %d", weekdaysFR[t.Weekday()], day, monthsFR[t.Month()-1], t.Year())
}

// FormatWhen writes when a forum takes place, in its own zone: "mardi 17
// mars 2026, 17:00–19:00", with the zone's name when it is not the
// team's (see package zone), and both days when it ends on another day.
func FormatWhen(lang string, f *Forum) string {
	loc := f.Location()
	s, e := f.StartsAt.In(loc), f.EndsAt.In(loc)
	var out string
	if s.YearDay() == e.YearDay() && s.Year() == e.Year() {
		out = fmt.Sprintf("%s, %s–%s", FormatDate(lang, s), s.Format("15:04"), e.Format("15:04"))
	} else {
		out = fmt.Sprintf("%s %s – %s %s", FormatDate(lang, s), s.Format("15:04"), FormatDate(lang, e), e.Format("15:04"))
	}
	if f.Timezone != zone.Name() {
		out += " (" + f.Timezone + ")"
	}
	return out
}
