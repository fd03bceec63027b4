package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
)

// searchFilters are what an organiser types in the directory's search
// box: names with and without accents, fragments, e-mail addresses and
// their beginning, organisation names, with a filter or two.
var searchFilters = []directory.Filter{
	{Q: "helene"}, {Q: "Hélène"}, {Q: "dubois"}, {Q: "martin"}, {Q: "françois"}, {Q: "ngu"},
	{Q: "marie-claire"}, {Q: "logement"}, {Q: "regards citoyens"}, {Q: "zzzz-nobody"},
	{Q: "helene dubois"}, {Q: "jean", College: directory.CollegeCivilSociety},
	{Q: "an", Consent: directory.PurposeInvitations}, {Q: "dupont", Sectors: []string{"housing"}},
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
	}{{"search", searchFilters}, {"listing (no text, or a fragment scanned for)", listFilters}} {
		var lat []time.Duration
		for range rounds {
			for _, f := range set.filters {
				start := time.Now()
				if _, _, err := directory.SearchPeopleCount(ctx, db, f, 50, 0); err != nil {
					return err
				}
				lat = append(lat, time.Since(start))
			}
		}
		if verbose {
			for i, f := range set.filters {
				var worst time.Duration
				for r := range rounds {
					worst = max(worst, lat[r*len(set.filters)+i])
				}
				fmt.Printf("    %-70s worst %.1f ms\n", fmt.Sprintf("%+v", f), ms(worst))
			}
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		fmt.Printf("  %s (count + first 50 people), %d runs over %d filters: p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms\n",
			set.name, len(lat), len(set.filters), ms(pct(.50)), ms(pct(.95)), ms(pct(.99)), ms(lat[len(lat)-1]))
	}
	return nil
}

var verbose = os.Getenv("IMPORTBENCH_VERBOSE") != ""

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
