package blackbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/store"
)

// The registration rush through the real binary: 600 registrations sent at
// once by 64 clients for 100 seats give exactly 100 confirmed and 500
// waiting at positions 1..500, on SQLite (one process) and on PostgreSQL
// (three processes sharing the database, requests spread round-robin).
func TestRegistrationRush(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine store.Dialect) {
		s := newSite(t, engine)
		procs := []*server{s.start()}
		if engine == store.Postgres {
			procs = append(procs, s.start(), s.start())
		}
		for _, p := range procs {
			p.waitReady()
		}
		org := s.token(s.createUser("orga@example.org", "organiser"))
		start := time.Now().Add(40 * 24 * time.Hour).UTC().Truncate(time.Hour)
		var f struct{ ID string }
		decode(t, procs[0].api(t, "POST", "/api/v1/forums", org, jsonOf(t, map[string]any{
			"title": "Rush", "starts_at": start, "ends_at": start.Add(2 * time.Hour), "capacity": 100, "venue": "Salle 1",
		})), http.StatusCreated, &f)
		decode(t, procs[0].api(t, "POST", "/api/v1/forums/"+f.ID+"/open", org, ""), http.StatusOK, &f)

		const n, clients = 600, 64
		jobs := make(chan int)
		var mu sync.Mutex
		statuses := map[string]int{}
		var failures []string
		var wg sync.WaitGroup
		began := time.Now()
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					body := fmt.Sprintf(`{"name":"Personne %d","email":"p%d@example.org","college":"civil_society","consent":true}`, i, i)
					url := procs[i%len(procs)].URL + "/api/v1/forums/" + f.ID + "/registrations"
					resp, err := httpClient.Post(url, "application/json", strings.NewReader(body))
					if err != nil {
						mu.Lock()
						failures = append(failures, err.Error())
						mu.Unlock()
						continue
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					var r struct{ Status string }
					json.Unmarshal(b, &r)
					mu.Lock()
					if resp.StatusCode != http.StatusCreated {
						failures = append(failures, fmt.Sprintf("%d %s", resp.StatusCode, b))
					}
					statuses[r.Status]++
					mu.Unlock()
				}
			}()
		}
		for i := range n {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		elapsed := time.Since(began)
		t.Logf("%s, %d process(es): %d registrations in %s (%.0f/s)", engine, len(procs), n, elapsed, float64(n)/elapsed.Seconds())
		if len(failures) > 0 {
			t.Fatalf("%d failed registrations, first: %s", len(failures), failures[0])
		}
		if statuses["confirmed"] != 100 || statuses["waitlisted"] != n-100 {
			t.Errorf("answers %v, want 100 confirmed and %d waitlisted", statuses, n-100)
		}

		// The database agrees: 100 confirmed, waiting positions 1..500.
		var list struct {
			Registrations []struct {
				Status           string
				WaitlistPosition int `json:"waitlist_position"`
			}
			Seats struct{ Confirmed, Waitlisted int }
		}
		decode(t, procs[len(procs)-1].api(t, "GET", "/api/v1/forums/"+f.ID+"/registrations", org, ""), http.StatusOK, &list)
		var positions []int
		for _, r := range list.Registrations {
			if r.Status == "waitlisted" {
				positions = append(positions, r.WaitlistPosition)
			}
		}
		slices.Sort(positions)
		want := make([]int, n-100)
		for i := range want {
			want[i] = i + 1
		}
		if list.Seats.Confirmed != 100 || !slices.Equal(positions, want) {
			t.Errorf("%d confirmed, waiting positions %v…, want 100 and 1..%d", list.Seats.Confirmed, positions[:min(5, len(positions))], n-100)
		}

		// The public page of the full forum is served, without personal data.
		page := request(t, "GET", procs[0].URL+"/forums/"+f.ID, "")
		if page.Status != http.StatusOK || strings.Contains(string(page.Body), "p1@example.org") {
			t.Errorf("forum page: %d", page.Status)
		}
	})
}
