package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

// searchFilters are what an organiser types in the directory's search
// box: names with and without accents, the most common surname ("martin":
// over 3 % of people with common names) and rare ones ("ricard",
// "kerbrat": tens of people), fragments, several words, e-mail addresses,
// domains (a shared one and an organisation's), organisation names, with
// a filter or two.
var searchFilters = []directory.Filter{
	{Q: "helene"}, {Q: "Hélène"}, {Q: "dubois"}, {Q: "martin"}, {Q: "françois"}, {Q: "ngu"},
	{Q: "ricard"}, {Q: "Kerbrat"}, {Q: "marie-claire"}, {Q: "logement"}, {Q: "regards citoyens"},
	{Q: "regards citoyens lyon"}, {Q: "zzzz-nobody"}, {Q: "helene dubois"}, {Q: "marie martin"},
	{Q: "sophie.martin"}, {Q: "mairie.example"}, {Q: "collectif-sante-lyon.example"},
	{Q: "jean", College: directory.CollegeCivilSociety}, {Q: "an", Consent: directory.PurposeInvitations},
	{Q: "dupont", Sectors: []string{"housing"}},
}

// listFilters are filters without text, which list a large share of the
// directory (building an audience).
var listFilters = []directory.Filter{
	{Sectors: []string{"housing", "health"}, College: directory.CollegeCivilSociety},
	{Sectors: []string{"open-data"}},
	{Kinds: []string{"association", "collective"}, Language: "fr"},
	{Q: "@example"},
}

// benchSearch runs each filter rounds times the way the directory page
// does (the count and the first page of 50) and prints latency
// percentiles, for searches and for listings apart.
func benchSearch(ctx context.Context, db *store.DB, rounds int) error {
	for _, set := range []struct {
		name    string
		filters []directory.Filter
		split   bool // print the figures of the query alone apart
	}{{"search", searchFilters, true}, {"listing (no text, or a fragment scanned for)", listFilters, false}} {
		var lat, cpu []time.Duration
		found := make([]int, len(set.filters))
		for range rounds {
			for i, f := range set.filters {
				start, used := time.Now(), cpuTime()
				_, n, err := directory.SearchPeopleCount(ctx, db, f, 50, 0)
				if err != nil {
					return err
				}
				lat = append(lat, time.Since(start))
				cpu = append(cpu, cpuTime()-used)
				found[i] = n
			}
		}
		if verbose {
			for i, f := range set.filters {
				var all, cpus []time.Duration
				for r := range rounds {
					all = append(all, lat[r*len(set.filters)+i])
					cpus = append(cpus, cpu[r*len(set.filters)+i])
				}
				sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
				sort.Slice(cpus, func(i, j int) bool { return cpus[i] < cpus[j] })
				fmt.Printf("    %-56s %6d found  median %6.1f ms  worst %6.1f ms  (CPU of this process: median %5.1f ms)\n",
					describe(f), found[i], ms(all[len(all)/2]), ms(all[len(all)-1]), ms(cpus[len(cpus)/2]))
			}
		}
		// The searches of the query box alone, apart: the others add a
		// filter to the words, or scan for a short one.
		var textOnly []time.Duration
		n := 0
		for i, d := range lat {
			if f := set.filters[i%len(set.filters)]; f.Q != "" && describe(f) == describe(directory.Filter{Q: f.Q}) {
				textOnly = append(textOnly, d)
				n++
			}
		}
		printPercentiles(set.name+" (count + first 50 people)", lat, len(set.filters))
		if set.split && len(textOnly) > 0 {
			printPercentiles("  of which the query alone", textOnly, n/rounds)
		}
	}
	return nil
}

func printPercentiles(name string, lat []time.Duration, filters int) {
	lat = slices.Clone(lat)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("  %s, %d runs over %d filters: p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms\n",
		name, len(lat), filters, ms(pct(.50)), ms(pct(.95)), ms(pct(.99)), ms(lat[len(lat)-1]))
}

var verbose = os.Getenv("IMPORTBENCH_VERBOSE") != ""

// describe prints the fields of f that are set.
func describe(f directory.Filter) string {
	var parts []string
	add := func(name string, v any, set bool) {
		if set {
			parts = append(parts, fmt.Sprintf("%s=%v", name, v))
		}
	}
	add("q", strconv.Quote(f.Q), f.Q != "")
	add("sectors", f.Sectors, len(f.Sectors) > 0)
	add("college", f.College, f.College != "")
	add("kinds", f.Kinds, len(f.Kinds) > 0)
	add("language", f.Language, f.Language != "")
	add("consent", f.Consent, f.Consent != "")
	add("organisation", f.OrganisationID, f.OrganisationID != "")
	return strings.Join(parts, " ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
