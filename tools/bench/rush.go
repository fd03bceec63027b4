package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ogforum/ogforum/internal/store" // the pgx driver, and identifiers for the scratch database
)

// minRushRate is issue 5's target on SQLite, registrations per second.
const minRushRate = 1000

// rushRound is one rush: -rush-n registrations to a new forum.
type rushRound struct {
	forumID              string
	took                 time.Duration // first request sent to last answer read
	latencies            []time.Duration
	confirmed, waitlist  int
	orderViolations      int
	serverCPU, pgCPU     time.Duration
	selfCPU, othersCPU   time.Duration
	wall                 time.Duration
	apiConfirmed, apiWto int // as GET /api/v1/forums/{id} counts them
}

func (r rushRound) rate() float64 { return float64(len(r.latencies)) / r.took.Seconds() }

// rushAnswer is what a client saw of one registration.
type rushAnswer struct {
	sent, got time.Duration // since the start of the rush
	reg       registration
}

// runRush measures issue 5's registration rush: -rush-n registrations sent
// at once by -clients clients to a forum of -seats seats, through one
// `ogforum serve` on SQLite or -procs processes on one PostgreSQL database
// (round-robin). Every answer must be a 201; at the end exactly -seats are
// confirmed and the rest waitlisted in order, checked in the answers and
// through the API.
func runRush(ctx context.Context, o options) (string, error) {
	started := time.Now()
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	work, err := os.MkdirTemp("", "ogforum-rush-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	progress("building ./cmd/ogforum")
	bin, err := buildBinary(ctx, root, work)
	if err != nil {
		return "", err
	}
	engine, dbEnv, pgDB := "SQLite", []string(nil), ""
	if o.db != "" {
		engine = "PostgreSQL"
		dsn, err := store.CreateScratchDatabase(ctx, o.db, "ogf_bench_")
		if err != nil {
			return "", fmt.Errorf("create a scratch database: %w", err)
		}
		defer store.DropScratchDatabase(context.Background(), o.db, dsn)
		dbEnv = []string{"OGFORUM_DATABASE=" + dsn}
		u, _ := url.Parse(dsn)
		pgDB = strings.TrimPrefix(u.Path, "/")
	}
	progress("creating the admin and its token (%s)", engine)
	token, err := seed(ctx, bin, filepath.Join(work, "data-1"), 1, dbEnv...)
	if err != nil {
		return "", err
	}
	var procs []*process
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	for i := range o.procs {
		profile := o.cpuProfile
		if profile != "" && i > 0 {
			profile = fmt.Sprintf("%s.%d", profile, i+1) // one profile per process
		}
		cmd := serveCommand(ctx, bin, filepath.Join(work, fmt.Sprintf("data-%d", i+1)), profile)
		cmd.Env = append(cmd.Env, dbEnv...)
		p, err := start(cmd)
		if err != nil {
			return "", fmt.Errorf("start ogforum serve %d: %w", i+1, err)
		}
		procs = append(procs, p)
	}
	admin := newAPIClient(procs[0].url, token)
	var rounds []rushRound
	for round := 1; round <= o.rounds; round++ {
		progress("round %d/%d: %d registrations by %d clients for %d seats, %d process(es) on %s", round, o.rounds, o.rushN, o.clients, o.seats, len(procs), engine)
		r, err := rushOnce(ctx, o, admin, procs, round, pgDB)
		if err != nil {
			return "", fmt.Errorf("round %d: %w", round, err)
		}
		rounds = append(rounds, r)
		for _, p := range procs {
			if p.exited() {
				return "", fmt.Errorf("ogforum serve exited during the rush: %v", p.waitErr)
			}
		}
	}
	for _, p := range procs {
		if err := p.stop(); err != nil {
			return "", fmt.Errorf("ogforum serve did not stop cleanly: %w", err)
		}
	}
	meta := describeRun(root, o, time.Since(started))
	return renderRush(meta, o, engine, rounds), nil
}

// rushOnce runs one round; pgDB is the scratch database on PostgreSQL
// ("" on SQLite), whose server processes' CPU time it measures.
func rushOnce(ctx context.Context, o options, admin *apiClient, procs []*process, round int, pgDB string) (rushRound, error) {
	var r rushRound
	start := time.Date(2027, 5, 13, 17, 0, 0, 0, time.FixedZone("CEST", 7200))
	id, err := admin.create(ctx, "/api/v1/forums", map[string]any{
		"title": fmt.Sprintf("Forum de la ruée n° %d", round), "starts_at": start.Format(time.RFC3339),
		"ends_at": start.Add(2 * time.Hour).Format(time.RFC3339), "venue": "Salle des fêtes", "address": "1 place de la Mairie, Paris",
		"capacity": o.seats,
	})
	if err != nil {
		return r, err
	}
	if _, err := admin.call(ctx, http.MethodPost, "/api/v1/forums/"+id+"/open", nil, http.StatusOK, nil); err != nil {
		return r, err
	}
	r.forumID = id
	clients := make([]*apiClient, len(procs))
	for i, p := range procs {
		clients[i] = newAPIClient(p.url, "")
	}
	pids := make([]int, len(procs))
	for i, p := range procs {
		pids[i] = p.cmd.Process.Pid
	}

	answers := make([]rushAnswer, o.rushN)
	var (
		next     atomic.Int64
		failures atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	gate := make(chan struct{})
	var t0 time.Time // set before the gate opens, read after
	for range o.clients {
		wg.Go(func() {
			<-gate
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= o.rushN {
					return
				}
				a := &answers[i]
				a.sent = time.Since(t0)
				_, err := clients[i%len(clients)].call(ctx, http.MethodPost, "/api/v1/forums/"+id+"/registrations", registrationBody(i), http.StatusCreated, &a.reg)
				a.got = time.Since(t0)
				if err != nil {
					failures.Add(1)
					errOnce.Do(func() { firstErr = err })
				}
			}
		})
	}
	cpu0, pg0, busy0, self0 := sumCPU(pids), pgCPU(pgDB), machineBusy(), procCPU(os.Getpid())
	t0 = time.Now()
	close(gate)
	wg.Wait()
	r.wall = time.Since(t0)
	r.serverCPU, r.pgCPU, r.selfCPU = sumCPU(pids)-cpu0, pgCPUSince(pgDB, pg0), procCPU(os.Getpid())-self0
	r.othersCPU = max(0, machineBusy()-busy0-r.serverCPU-r.selfCPU-r.pgCPU)
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	if n := failures.Load(); n > 0 {
		return r, fmt.Errorf("%d of %d registrations failed (first: %v)", n, o.rushN, firstErr)
	}
	var last time.Duration
	positions := make([]int, 0, o.rushN)
	for _, a := range answers {
		last = max(last, a.got)
		r.latencies = append(r.latencies, a.got-a.sent)
		switch a.reg.Status {
		case "confirmed":
			r.confirmed++
		case "waitlisted":
			r.waitlist++
			positions = append(positions, a.reg.WaitlistPosition)
		default:
			return r, fmt.Errorf("registration %s: status %q", a.reg.ID, a.reg.Status)
		}
	}
	r.took = last
	slices.Sort(r.latencies)
	if r.confirmed != min(o.seats, o.rushN) || r.waitlist != o.rushN-r.confirmed {
		return r, fmt.Errorf("the answers say %d confirmed and %d waitlisted, want %d and %d", r.confirmed, r.waitlist, min(o.seats, o.rushN), o.rushN-min(o.seats, o.rushN))
	}
	slices.Sort(positions)
	for k, p := range positions {
		if p != k+1 {
			return r, fmt.Errorf("waiting-list positions are not 1..%d: position %d is %d", len(positions), k+1, p)
		}
	}
	r.orderViolations = orderViolations(answers)
	if r.orderViolations > 0 {
		return r, fmt.Errorf("%d registrations were placed before one answered earlier than they were sent", r.orderViolations)
	}
	return r, verifyRush(ctx, admin, id, answers, &r)
}

// rank orders the outcomes: a seat before the waiting list, and the
// waiting list by position.
func rank(a rushAnswer) int {
	if a.reg.Status == "confirmed" {
		return 0
	}
	return a.reg.WaitlistPosition
}

// orderViolations counts the registrations B for which some registration A
// whose answer arrived before B was sent got a later place than B: arrival
// order, as the clients can observe it, must be kept.
func orderViolations(answers []rushAnswer) int {
	byGot := slices.Clone(answers)
	slices.SortFunc(byGot, func(a, b rushAnswer) int { return int(a.got - b.got) })
	best := make([]int, len(byGot)) // highest rank among the first k+1 answers
	for k, a := range byGot {
		best[k] = rank(a)
		if k > 0 {
			best[k] = max(best[k], best[k-1])
		}
	}
	n := 0
	for _, b := range answers {
		k := sort.Search(len(byGot), func(k int) bool { return byGot[k].got >= b.sent })
		if k > 0 && best[k-1] > rank(b) {
			n++
		}
	}
	return n
}

// verifyRush reads the registrations back through the organisers' API and
// checks them against the answers, and the forum's public seat count.
func verifyRush(ctx context.Context, admin *apiClient, forumID string, answers []rushAnswer, r *rushRound) error {
	var list struct {
		Registrations []struct {
			ID               string `json:"id"`
			Status           string `json:"status"`
			WaitlistPosition int    `json:"waitlist_position"`
		} `json:"registrations"`
	}
	if _, err := admin.call(ctx, http.MethodGet, "/api/v1/forums/"+forumID+"/registrations", nil, http.StatusOK, &list); err != nil {
		return err
	}
	want := make(map[string]registration, len(answers))
	for _, a := range answers {
		want[a.reg.ID] = a.reg
	}
	if len(list.Registrations) != len(answers) {
		return fmt.Errorf("the API lists %d registrations, want %d", len(list.Registrations), len(answers))
	}
	for _, g := range list.Registrations {
		w, ok := want[g.ID]
		if !ok || w.Status != g.Status || w.WaitlistPosition != g.WaitlistPosition {
			return fmt.Errorf("the API lists registration %s as %s/%d, the client was answered %s/%d", g.ID, g.Status, g.WaitlistPosition, w.Status, w.WaitlistPosition)
		}
	}
	var f struct {
		Seats struct {
			Confirmed  int `json:"confirmed"`
			Waitlisted int `json:"waitlisted"`
		} `json:"seats"`
	}
	if _, err := admin.call(ctx, http.MethodGet, "/api/v1/forums/"+forumID, nil, http.StatusOK, &f); err != nil {
		return err
	}
	r.apiConfirmed, r.apiWto = f.Seats.Confirmed, f.Seats.Waitlisted
	if r.apiConfirmed != r.confirmed || r.apiWto != r.waitlist {
		return fmt.Errorf("GET /api/v1/forums/{id} counts %d confirmed and %d waitlisted, want %d and %d", r.apiConfirmed, r.apiWto, r.confirmed, r.waitlist)
	}
	return nil
}

func sumCPU(pids []int) time.Duration {
	var t time.Duration
	for _, pid := range pids {
		t += procCPU(pid)
	}
	return t
}

// pgCPU is the CPU time so far of each PostgreSQL process working for
// database db: its backends and the server's own processes (WAL writer,
// checkpointer...), not the backends of other databases, which other
// programs on the machine may be using. Empty when db is "".
func pgCPU(db string) map[int]time.Duration {
	out := map[int]time.Duration{}
	if db == "" {
		return out
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile("/proc/" + e.Name() + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		// A backend's title is "postgres: [cluster: ]user db host(port) state",
		// or "[local]" for a Unix socket.
		title, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		t := string(title)
		if backend := strings.Contains(t, "(") || strings.Contains(t, "[local]"); backend && !strings.Contains(t, " "+db+" ") {
			continue
		}
		out[pid] = procCPU(pid)
	}
	return out
}

// pgCPUSince is the CPU time pgCPU's processes used since before, process
// by process: one that started since counts in full, one that ended since
// is missed (the benchmark's backends live through a round). Subtracting
// sums instead would count against the benchmark the processes of other
// programs that end during the round.
func pgCPUSince(db string, before map[int]time.Duration) time.Duration {
	var t time.Duration
	for pid, cpu := range pgCPU(db) {
		t += max(0, cpu-before[pid])
	}
	return t
}

func renderRush(m runMeta, o options, engine string, rounds []rushRound) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("Measured %s on commit %s; %d cores (%s), %s RAM; %s.", m.date, m.commit, m.cores, m.cpu, m.memory, m.goVersion)
	p("Command: `%s` (took %s).", m.command, m.took.Round(time.Second))
	p("\n#### Registration rush, %s, %d `ogforum serve` process(es)\n", engine, o.procs)
	p("%d registrations sent at once by %d clients (`POST /api/v1/forums/{id}/registrations`, requests round-robin over the processes) to a", o.rushN, o.clients)
	p("new open forum of %d seats, in each of %d rounds. Every answer was a 201; the answers held exactly %d confirmed and", o.seats, len(rounds), min(o.seats, o.rushN))
	p("waiting-list positions 1 to %d; no registration was placed before one answered before it was sent; the organisers'", o.rushN-min(o.seats, o.rushN))
	p("`GET /api/v1/forums/{id}/registrations` lists the same status and position for each, and `GET /api/v1/forums/{id}` the same counts.\n")
	target := "stated"
	if engine == "SQLite" {
		target = fmt.Sprintf("≥ %d/s", minRushRate)
	}
	rates := each(rounds, rushRound.rate)
	verdictCell := ""
	if engine == "SQLite" {
		verdictCell = verdict(median(rates) >= minRushRate)
	}
	p("| round | registrations/s | took | p50 | p99 | max | confirmed | waitlisted | server CPU/reg | PostgreSQL CPU/reg | others |")
	p("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	var others []float64
	for k, r := range rounds {
		n := time.Duration(len(r.latencies))
		share := 100 * r.othersCPU.Seconds() / (float64(m.cores) * r.wall.Seconds())
		others = append(others, share)
		pg := "—"
		if engine != "SQLite" {
			pg = fmt.Sprintf("%d µs", (r.pgCPU / n).Microseconds())
		}
		q := func(f float64) time.Duration {
			return r.latencies[min(len(r.latencies)-1, max(0, int(float64(len(r.latencies))*f+0.999999)-1))]
		}
		p("| %d | %.0f | %.2f s | %.1f ms | %.1f ms | %.1f ms | %d | %d | %d µs | %s | %.0f %% |", k+1, r.rate(), r.took.Seconds(),
			ms(q(0.5)), ms(q(0.99)), ms(q(1)), r.apiConfirmed, r.apiWto, (r.serverCPU / n).Microseconds(), pg, share)
	}
	p("\n| figure | median (min–max) | target | |")
	p("|---|--:|---|---|")
	p("| registrations per second, %s | %.0f (%.0f–%.0f) | %s | %s |", engine, median(rates), slices.Min(rates), slices.Max(rates), target, verdictCell)
	p("\n*others*: CPU used by programs other than the bench, its servers%s, as a share of the %d cores.", map[bool]string{true: "", false: " and the PostgreSQL processes working for its database (its backends, the WAL writer, the checkpointer...)"}[engine == "SQLite"], m.cores)
	if worst := slices.Max(others); worst > 5 {
		p("\n**Other programs used up to %.0f %% of the machine during a rush: these figures are disturbed.**", worst)
	}
	return b.String()
}
