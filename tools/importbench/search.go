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

// searchFilters are what an organiser types and ticks on the directory
// page: names with and without accents, fragments, e-mail parts,
// organisation names, and filters without text.
var searchFilters = []directory.Filter{
	{Q: "helene"}, {Q: "Hélène"}, {Q: "dubois"}, {Q: "martin"}, {Q: "françois"}, {Q: "ngu"},
	{Q: "marie-claire"}, {Q: "logement"}, {Q: "regards citoyens"}, {Q: "@example"}, {Q: "zzzz-nobody"},
	{Q: "jean", College: directory.CollegeCivilSociety},
	{Sectors: []string{"housing", "health"}, College: directory.CollegeCivilSociety},
	{Sectors: []string{"open-data"}},
	{Kinds: []string{"association", "collective"}, Language: "fr"},
	{Consent: directory.PurposeInvitations, Q: "an"},
}

// benchSearch runs each filter rounds times the way the directory page
// does (a count and the first page of 50) and prints latency percentiles.
func benchSearch(ctx context.Context, db *store.DB, rounds int) error {
	var lat []time.Duration
	for range rounds {
		for _, f := range searchFilters {
			start := time.Now()
			if _, _, err := directory.SearchPeopleCount(ctx, db, f, 50, 0); err != nil {
				return err
			}
			lat = append(lat, time.Since(start))
		}
	}
	if verbose {
		for i, f := range searchFilters {
			var worst time.Duration
			for r := range rounds {
				worst = max(worst, lat[r*len(searchFilters)+i])
			}
			fmt.Printf("    %-70s worst %.1f ms\n", fmt.Sprintf("%+v", f), ms(worst))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("  search (count + first 50), %d searches over %d filters: p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms\n",
		len(lat), len(searchFilters), ms(pct(.50)), ms(pct(.95)), ms(pct(.99)), ms(lat[len(lat)-1]))
	return nil
}

var verbose = os.Getenv("IMPORTBENCH_VERBOSE") != ""

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
