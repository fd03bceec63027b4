package plan

import (
	"strconv"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/zone"
)

// Date is a calendar day written "2006-01-02", as stored and as the API
// reads and writes it; "" is no date. Dates compare as strings.
type Date string

const dateLayout = "2006-01-02"

// The years a date may fall in: anything else is a typing error.
const (
	minYear = 1990
	maxYear = 2100
)

// ParseDate reads a day written "2006-01-02" or, as French users type
// it, "02/01/2006"; surrounding spaces are ignored and "" gives "". It
// reports whether s was a valid day between 1990 and 2100.
func ParseDate(s string) (Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	for _, layout := range []string{dateLayout, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < minYear || t.Year() > maxYear {
				return "", false
			}
			return DateOf(t), true
		}
	}
	return "", false
}

// DateOf is the day of t in t's location.
func DateOf(t time.Time) Date { return Date(t.Format(dateLayout)) }

// Today is the current day in the team's time zone (see package zone): a
// milestone falls late, and a value's date is in the future, by its days.
func Today() Date { return DateOf(time.Now().In(zone.Get())) }

// Time is the start of the day in UTC (the zero time for no date).
func (d Date) Time() time.Time {
	t, _ := time.Parse(dateLayout, string(d))
	return t
}

// IsZero tells whether d is no date.
func (d Date) IsZero() bool { return d == "" }

func (d Date) String() string { return string(d) }

// orToday is d, or today when d is zero.
func (d Date) orToday() Date {
	if d.IsZero() {
		return Today()
	}
	return d
}

// checkDate normalises *d (which may hold "02/01/2006") and returns the
// error key for a bad one.
func checkDate(d *Date) string {
	v, ok := ParseDate(string(*d))
	if !ok {
		return "error.plan_date_invalid"
	}
	*d = v
	return ""
}

// endOfMonth is the last day of month m of year y.
func endOfMonth(y int, m time.Month) Date {
	return DateOf(time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC))
}

var months = map[string]time.Month{
	"january": 1, "jan": 1, "janvier": 1, "janv": 1,
	"february": 2, "feb": 2, "fevrier": 2, "fev": 2, "fevr": 2,
	"march": 3, "mar": 3, "mars": 3,
	"april": 4, "apr": 4, "avril": 4, "avr": 4,
	"may": 5, "mai": 5,
	"june": 6, "jun": 6, "juin": 6,
	"july": 7, "jul": 7, "juillet": 7, "juil": 7,
	"august": 8, "aug": 8, "aout": 8,
	"september": 9, "sep": 9, "sept": 9, "septembre": 9,
	"october": 10, "oct": 10, "octobre": 10,
	"november": 11, "nov": 11, "novembre": 11,
	"december": 12, "dec": 12, "decembre": 12,
}

// periodEnds maps the words of a period before a year to the month that
// ends it: "End 2018", "fin 2018", "mid-2017", "Q3 2016", "S1 2017"...
var periodEnds = map[string]time.Month{
	"end": 12, "end of": 12, "fin": 12, "fin de": 12, "fin d": 12, "late": 12, "by end": 12, "by end of": 12,
	"fin d annee": 12, "fin de l annee": 12, "d ici fin": 12, "courant": 12, "during": 12, "in": 12, "en": 12, "by": 12,
	"mid": 6, "mi": 6, "middle of": 6, "milieu": 6, "mid year": 6,
	"early": 3, "beginning of": 3, "start of": 3, "debut": 3, "debut de": 3, "debut d": 3,
	"q1": 3, "q2": 6, "q3": 9, "q4": 12, "t1": 3, "t2": 6, "t3": 9, "t4": 12,
	"1st quarter": 3, "2nd quarter": 6, "3rd quarter": 9, "4th quarter": 12,
	"1er trimestre": 3, "2e trimestre": 6, "3e trimestre": 9, "4e trimestre": 12,
	"s1": 6, "s2": 12, "h1": 6, "h2": 12,
	"1er semestre": 6, "premier semestre": 6, "2e semestre": 12, "second semestre": 12, "deuxieme semestre": 12,
	"first half": 6, "first half of": 6, "second half": 12, "second half of": 12,
}

// ParsePeriod reads when a milestone is due, as plans write it: a day
// ("2022-06-30", "30/06/2022"), a month ("2022-06", "06/2022", "June
// 2022", "fin juin 2022"), a year ("2018") or a period of a year ("End
// 2018", "fin 2018", "mid-2017", "Q3 2016", "S1 2017", "1er semestre
// 2019"). It returns the period's last day, and whether s was one.
func ParsePeriod(s string) (Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if d, ok := ParseDate(s); ok {
		return d, true
	}
	for _, layout := range []string{"2006-01", "01/2006", "1/2006"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= minYear && t.Year() <= maxYear {
			return endOfMonth(t.Year(), t.Month()), true
		}
	}
	words := periodWords(s)
	if len(words) == 0 {
		return "", false
	}
	year, err := strconv.Atoi(words[len(words)-1])
	if err != nil || year < minYear || year > maxYear {
		return "", false
	}
	words = words[:len(words)-1]
	if len(words) == 0 {
		return DateOf(time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)), true
	}
	if m, ok := months[words[len(words)-1]]; ok {
		// "June 2022", "fin juin 2022", "end of June 2022".
		if rest := strings.Join(words[:len(words)-1], " "); rest == "" || periodEnds[rest] == 12 {
			return endOfMonth(year, m), true
		}
		return "", false
	}
	if m, ok := periodEnds[strings.Join(words, " ")]; ok {
		return endOfMonth(year, m), true
	}
	return "", false
}

// periodWords folds a period for matching: lower case, no accents, and
// punctuation ("mid-2017", "d'ici fin 2018", "1er.") turned into spaces.
func periodWords(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}
