// Package zone holds the team's time zone (OGFORUM_TIMEZONE): the zone of
// the days and hours its pages show, of the day that makes a milestone
// late, and of a forum or series that names none. It is set once, when the
// process starts; until then it is Europe/Paris.
package zone

import (
	"sync/atomic"
	"time"
	_ "time/tzdata" // zones are named, even where the system has no zoneinfo
)

// Default is the zone until Set is called.
const Default = "Europe/Paris"

var current atomic.Pointer[time.Location]

var fallback = func() *time.Location {
	loc, err := time.LoadLocation(Default)
	if err != nil {
		panic(err) // time/tzdata holds it
	}
	return loc
}()

// Set makes loc the team's zone.
func Set(loc *time.Location) { current.Store(loc) }

// Get returns the team's zone.
func Get() *time.Location {
	if loc := current.Load(); loc != nil {
		return loc
	}
	return fallback
}

// Name returns the team's zone's IANA name, such as "Europe/Paris".
func Name() string { return Get().String() }
