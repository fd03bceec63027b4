// Command bench measures the figures of docs/BENCHMARKS.md in one run:
// throughput and latency of the home page, of two JSON lists, of a plan
// page (issue 4) and of a forum page (issue 5), anonymous and signed in,
// against a bare net/http handler; start-up time to a ready /readyz; and
// idle memory.
//
//	go run ./tools/bench [-duration 10s] [-concurrency 64] [-pages=false] [-out FILE]
//
// It builds the ogforum binary, runs `ogforum serve` on a fresh SQLite
// database and the bare handler as two separate processes (the bare one is
// this program started again with -bare), seeds the plan and the forum
// through the API, and loads the targets one after the other from this
// process. Every response must be a 200; any other answer or transport
// error stops the run with a non-zero exit code.
//
// With -rush it measures issue 5's registration rush instead:
//
//	go run ./tools/bench -rush [-rush-n 5000] [-seats 100] [-clients 64] [-rounds 3]
//	go run ./tools/bench -rush -db postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable [-procs 3]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type options struct {
	duration    time.Duration
	warmup      time.Duration
	concurrency int
	rounds      int
	users       int
	starts      int
	idle        time.Duration
	out         string
	cpuProfile  string
	pages       bool   // also the plan page (issue 4) and the forum page (issue 5)
	rush        bool   // the registration rush of issue 5 instead
	db          string // rush: a PostgreSQL URL to make a scratch database on
	rushN       int
	seats       int
	procs       int
	clients     int
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per target and round")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each measurement")
	flag.IntVar(&o.concurrency, "concurrency", 64, "concurrent connections (one goroutine each)")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds of bare, home, JSON list; figures are the median round")
	flag.IntVar(&o.users, "users", 50, "users in the database (including the admin)")
	flag.IntVar(&o.starts, "starts", 10, "start-ups to time on a fresh empty database")
	flag.DurationVar(&o.idle, "idle", 5*time.Second, "wait before reading the resident memory of an idle server")
	flag.StringVar(&o.out, "out", "", "also write the markdown report to this file")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "run `ogforum serve` in this process's child under a CPU profile written to this file (figures then carry the profiler's cost); with -rush and several processes, the second one's goes to FILE.2, and so on")
	flag.BoolVar(&o.pages, "pages", true, "also measure the plan page (issue 4: 60 commitments, 300 milestones, 100 indicators of 24 values) and the forum page (issue 5: 100 registrants, agenda), seeded through the API, anonymous and signed in")
	flag.BoolVar(&o.rush, "rush", false, "instead: the registration rush of issue 5 (-rush-n registrations by -clients clients for -seats seats), -rounds times")
	flag.StringVar(&o.db, "db", "", "rush: PostgreSQL URL of a server to create a scratch database on (default: SQLite, one process)")
	flag.IntVar(&o.rushN, "rush-n", 5000, "rush: registrations sent")
	flag.IntVar(&o.seats, "seats", 100, "rush: the forum's capacity")
	flag.IntVar(&o.procs, "procs", 0, "rush: `ogforum serve` processes, requests sent round-robin (default 1 on SQLite, 3 on PostgreSQL)")
	flag.IntVar(&o.clients, "clients", 64, "rush: concurrent clients")
	bare := flag.String("bare", "", "internal: serve the bare handler on this address")
	profiled := flag.String("serve-profiled", "", "internal: run the ogforum command line given as arguments under a CPU profile written to this file")
	flag.Parse()

	switch {
	case *bare != "":
		os.Exit(serveBare(*bare))
	case *profiled != "":
		os.Exit(serveProfiled(*profiled, flag.Args()))
	}
	if o.concurrency < 1 || o.rounds < 1 || o.users < 1 || o.starts < 1 || o.duration <= 0 {
		fmt.Fprintln(os.Stderr, "bench: -concurrency, -rounds, -users, -starts and -duration must be positive")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	runner := run
	if o.rush {
		if o.procs == 0 {
			o.procs = 1
			if o.db != "" {
				o.procs = 3
			}
		}
		if o.rushN < 1 || o.seats < 1 || o.clients < 1 || o.procs < 1 {
			fmt.Fprintln(os.Stderr, "bench: -rush-n, -seats, -clients and -procs must be positive")
			os.Exit(2)
		}
		if o.db == "" && o.procs > 1 {
			fmt.Fprintln(os.Stderr, "bench: several processes need PostgreSQL (-db)")
			os.Exit(2)
		}
		runner = runRush
	}
	report, err := runner(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: FAILED:", err)
		os.Exit(1)
	}
	fmt.Print(report)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
}

// run does the whole measurement and returns the markdown report.
func run(ctx context.Context, o options) (string, error) {
	started := time.Now()
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	work, err := os.MkdirTemp("", "ogforum-bench-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)

	progress("building ./cmd/ogforum")
	bin, err := buildBinary(ctx, root, work)
	if err != nil {
		return "", err
	}

	progress("timing %d start-ups on empty databases", o.starts)
	startups, startCPU, startOthers, err := timeStartups(ctx, bin, work, o.starts)
	if err != nil {
		return "", err
	}

	progress("creating %d users and an admin token", o.users)
	dataDir := work + "/data"
	token, err := seed(ctx, bin, dataDir, o.users)
	if err != nil {
		return "", err
	}
	var secret string
	if o.pages {
		// The signed-in visitor: a member, with a session cookie.
		if secret, err = loginLink(ctx, bin, []string{"--data-dir", dataDir}, "member002@bench.test"); err != nil {
			return "", err
		}
	}
	app, err := startApp(ctx, bin, dataDir, o.cpuProfile)
	if err != nil {
		return "", err
	}
	defer app.stop()
	var cookie string
	if o.pages {
		if cookie, err = signIn(ctx, app.url, secret); err != nil {
			return "", err
		}
	}
	progress("creating %d organisations through the API", o.users)
	if err := seedOrganisations(ctx, app.url, token, o.users); err != nil {
		return "", err
	}
	bareProc, err := startBare(ctx)
	if err != nil {
		return "", err
	}
	defer bareProc.stop()

	var (
		plan   planSeed
		forum  forumSeed
		seeded string
	)
	progress("idle %s before reading memory", o.idle)
	if err := sleep(ctx, o.idle); err != nil {
		return "", err
	}
	var mem memFigures
	if mem.idle, err = readMem(app.cmd.Process.Pid); err != nil {
		return "", err
	}
	if mem.bare, err = readMem(bareProc.cmd.Process.Pid); err != nil {
		return "", err
	}

	if o.pages {
		api := newAPIClient(app.url, token)
		progress("seeding the plan through the API (%d commitments, %d milestones, %d indicators × %d values; %d concurrent requests)",
			planCommitments, planCommitments*planMilestones, planIndicators, planValues, seedWorkers)
		if plan, err = seedPlan(ctx, api); err != nil {
			return "", fmt.Errorf("seed the plan: %w", err)
		}
		progress("seeding the forum through the API (%d registrants, agenda of %d items)", forumRegistrants, forumAgendaItems)
		if forum, err = seedForum(ctx, api); err != nil {
			return "", fmt.Errorf("seed the forum: %w", err)
		}
		seeded = fmt.Sprintf("Seeded through the API with the admin's token, %d requests at a time: the plan (%d commitments, %d milestones, %d indicators, %d values; %d requests) in %s, "+
			"the forum (capacity %d, %d confirmed registrants, 3 themes, a published agenda of %d items; %d requests) in %s. "+
			"The signed-in visitor is a member with a session cookie from `ogforum login-link` and `POST /sign-in/{secret}`.",
			seedWorkers, plan.commitments, plan.milestones, plan.indicators, plan.values, plan.requests, plan.took.Round(100*time.Millisecond),
			forumCapacity, forumRegistrants, forumAgendaItems, forum.requests, forum.took.Round(100*time.Millisecond))
	}
	targets := []target{
		{name: "bare net/http handler", url: bareProc.url + "/", pid: bareProc.cmd.Process.Pid},
		{name: "home page `GET /`", url: app.url + "/", wantType: "text/html", pid: app.cmd.Process.Pid, min: minRatio},
		{name: fmt.Sprintf("JSON list `GET /api/v1/users` (%d users)", o.users), url: app.url + "/api/v1/users",
			token: token, wantType: "application/json", wantUsers: o.users, pid: app.cmd.Process.Pid, min: minRatio},
		{name: fmt.Sprintf("public JSON list `GET /api/v1/organisations` (%d organisations, not signed in)", o.users),
			url: app.url + "/api/v1/organisations", wantType: "application/json", pid: app.cmd.Process.Pid, min: minRatio},
	}
	if o.pages {
		pid := app.cmd.Process.Pid
		planURL, forumURL := app.url+"/plans/"+plan.id, app.url+"/forums/"+forum.id
		targets = append(targets,
			target{name: "plan page `GET /plans/{id}`, not signed in (page cache)", url: planURL, wantType: "text/html", wantText: plan.lastReference, pid: pid, min: minPlanRatio},
			target{name: "plan page, signed in (member's session, no page cache)", url: planURL, cookie: cookie, wantType: "text/html", wantText: plan.lastReference, pid: pid, min: minPlanRatio},
			target{name: "forum page `GET /forums/{id}`, not signed in (page cache)", url: forumURL, wantType: "text/html", wantText: forum.firstItem, pid: pid, min: minForumRatio},
			target{name: "forum page, signed in (member's session, no page cache)", url: forumURL, cookie: cookie, wantType: "text/html", wantText: forum.firstItem, pid: pid, min: minForumRatio},
		)
	}
	lg := newLoader(o.concurrency)
	for i := range targets {
		if err := lg.check(ctx, &targets[i]); err != nil {
			return "", err
		}
	}
	results := make([][]result, len(targets))
	for round := 1; round <= o.rounds; round++ {
		for i, t := range targets {
			progress("round %d/%d: %s (%s warm-up, %s measured, %d connections)", round, o.rounds, t.name, o.warmup, o.duration, o.concurrency)
			r := lg.load(ctx, t, o.warmup, o.duration)
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			for _, p := range []*process{app, bareProc} {
				if p.exited() {
					return "", fmt.Errorf("%s exited during the load: %v", p.cmd.Path, p.waitErr)
				}
			}
			if r.errors > 0 {
				return "", fmt.Errorf("%s: %d of %d responses were not 200 (first: %s)", t.name, r.errors, r.errors+r.ok, r.firstErr)
			}
			results[i] = append(results[i], r)
		}
	}

	progress("idle %s after the load before reading memory", o.idle)
	if err := sleep(ctx, o.idle); err != nil {
		return "", err
	}
	if mem.afterLoad, err = readMem(app.cmd.Process.Pid); err != nil {
		return "", err
	}
	if err := app.stop(); err != nil {
		return "", fmt.Errorf("ogforum serve did not stop cleanly: %w", err)
	}
	meta := describeRun(root, o, time.Since(started))
	return renderReport(meta, o, seeded, targets, results, startups, startCPU, startOthers, mem), nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// runMeta describes the machine and the code measured.
type runMeta struct {
	date, commit, goVersion, cpu, memory, command string
	cores                                         int
	took                                          time.Duration
}

func describeRun(root string, o options, took time.Duration) runMeta {
	m := runMeta{
		date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), goVersion: runtime.Version(),
		cores: runtime.NumCPU(), took: took, commit: "unknown", cpu: "unknown", memory: "unknown",
	}
	if out, err := output(root, "git", "rev-parse", "--short", "HEAD"); err == nil {
		m.commit = out
		if st, err := output(root, "git", "status", "--porcelain", "--untracked-files=no"); err == nil && st != "" {
			m.commit += " (with uncommitted changes)"
		}
	}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.cpu = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		var kb int64
		fmt.Sscanf(v, "%d", &kb)
		m.memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
	}
	args := []string{"go run ./tools/bench"}
	flag.Visit(func(f *flag.Flag) {
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() && f.Value.String() == "true" {
			args = append(args, "-"+f.Name)
			return
		}
		args = append(args, "-"+f.Name+" "+f.Value.String())
	})
	m.command = strings.Join(args, " ")
	return m
}
