package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Targets of issues 2 (home page, lists), 4 (plan page) and 5 (forum page).
const (
	minRatio      = 0.30
	minPlanRatio  = 0.20
	minForumRatio = 0.30
	maxStartup    = 300 * time.Millisecond
	maxIdleRSS    = 60e6 // bytes: the target says 60 MB
)

// renderReport writes the figures as markdown, ready for docs/BENCHMARKS.md.
func renderReport(m runMeta, o options, seeded string, targets []target, results [][]result, startups []startup, startCPU time.Duration, startOthers float64, mem memFigures) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	p("Measured %s on commit %s; %d cores (%s), %s RAM; %s.", m.date, m.commit, m.cores, m.cpu, m.memory, m.goVersion)
	p("Command: `%s` (took %s).", m.command, m.took.Round(time.Second))
	if o.cpuProfile != "" {
		p("\n**Profiled run (-cpuprofile): the server carried the profiler; do not record these figures.**")
	}

	if seeded != "" {
		p("\n%s", seeded)
	}
	p("\n#### Throughput and latency, SQLite, %d connections", o.concurrency)
	p("\nMedian of %d rounds (%s warm-up, %s measured per target and round); ratios are per round, median (min–max).", o.rounds, o.warmup, o.duration)
	p("The last column divides the CPU time per request (server + load generator) of the bare handler by that of the")
	p("target: the throughput ratio the two cores would give if nothing else ran, a check on the measured one.\n")
	p("| target | requests/s | p50 | p99 | body | requests/s ÷ bare | bare p99 ÷ p99 | target (both ratios) | CPU ratio |")
	p("|---|--:|--:|--:|--:|--:|--:|---|--:|")
	bare := results[0]
	for i, t := range targets {
		rs := results[i]
		rps := median(each(rs, result.rps))
		p50 := median(each(rs, func(r result) float64 { return ms(r.percentile(0.50)) }))
		p99 := median(each(rs, func(r result) float64 { return ms(r.percentile(0.99)) }))
		if i == 0 {
			p("| %s | %.0f | %.2f ms | %.2f ms | %d B | 1 | 1 | reference | 1 |", t.name, rps, p50, p99, t.bytes)
			continue
		}
		var rpsRatio, p99Ratio, cpuRatio []float64
		for k := range rs {
			rpsRatio = append(rpsRatio, rs[k].rps()/bare[k].rps())
			p99Ratio = append(p99Ratio, ms(bare[k].percentile(0.99))/ms(rs[k].percentile(0.99)))
			cpuRatio = append(cpuRatio, bare[k].cpuPerRequest().Seconds()/rs[k].cpuPerRequest().Seconds())
		}
		p("| %s | %.0f | %.2f ms | %.2f ms | %d B | %s | %s | ≥ %.2f: %s | %s |", t.name, rps, p50, p99, t.bytes,
			spread(rpsRatio), spread(p99Ratio), t.min, verdict(median(rpsRatio) >= t.min && median(p99Ratio) >= t.min), spread(cpuRatio))
	}
	p("\nEvery round, with the CPU time the server and the load generator spent per request, and the share")
	p("of the machine's %d cores used by other programs during the measured window:\n", m.cores)
	p("| round | target | requests | requests/s | p50 | p99 | max | server CPU/req | load-gen CPU/req | others |")
	p("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	var others []float64
	for k := range o.rounds {
		for i, t := range targets {
			r := results[i][k]
			n := time.Duration(max(1, len(r.latencies)))
			share := 100 * r.cpu.others.Seconds() / (float64(m.cores) * r.cpu.wall.Seconds())
			others = append(others, share)
			p("| %d | %s | %d | %.0f | %.2f ms | %.2f ms | %.2f ms | %d µs | %d µs | %.0f %% |", k+1, t.name, len(r.latencies), r.rps(),
				ms(r.percentile(0.50)), ms(r.percentile(0.99)), ms(r.percentile(1)),
				(r.cpu.server / n).Microseconds(), (r.cpu.self / n).Microseconds(), share)
		}
	}
	if worst := slices.Max(others); worst > 5 {
		p("\n**Other programs used up to %.0f %% of the machine during a measurement: these figures are disturbed.**", worst)
	}

	ready := each(startups, func(s startup) float64 { return ms(s.ready) })
	listening := each(startups, func(s startup) float64 { return ms(s.listening) })
	p("\n#### Start-up to a ready /readyz, empty SQLite database (%d starts)\n", len(startups))
	p("| measure | median | max | target < %d ms |", maxStartup.Milliseconds())
	p("|---|--:|--:|---|")
	p("| exec → first 200 from /readyz | %.1f ms | %.1f ms | %s |", median(ready), slices.Max(ready), verdict(slices.Max(ready) < ms(maxStartup)))
	p("| exec → \"listening on\" line | %.1f ms | %.1f ms | |", median(listening), slices.Max(listening))
	p("\nEach start, exec → ready (ms): %s.", joinFloats(ready, "%.1f"))
	p("Each start used %.0f ms of CPU (the server process, exec to exit); other programs used %.0f %% of the machine meanwhile.",
		ms(startCPU), 100*startOthers)
	if startOthers > 0.05 {
		p("\n**These start-up times are disturbed by other programs.**")
	}

	p("\n#### Resident memory (VmRSS, MiB; peak VmHWM in brackets)\n")
	p("| process | VmRSS | target < 60 MB (%.1f MiB) |", maxIdleRSS/(1<<20))
	p("|---|--:|---|")
	p("| ogforum serve, %d users, idle %s after start (no request yet) | %s | %s |", o.users, o.idle, memCell(mem.idle), verdict(mem.idle.rss*1024 < maxIdleRSS))
	p("| ogforum serve, idle %s after the load above | %s | %s |", o.idle, memCell(mem.afterLoad), verdict(mem.afterLoad.rss*1024 < maxIdleRSS))
	p("| bare handler (reference), idle, before the load | %s | |", memCell(mem.bare))
	return b.String()
}

func each[T any](xs []T, f func(T) float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func spread(xs []float64) string {
	if len(xs) == 1 {
		return fmt.Sprintf("%.2f", xs[0])
	}
	return fmt.Sprintf("%.2f (%.2f–%.2f)", median(xs), slices.Min(xs), slices.Max(xs))
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(kb int64) float64 { return float64(kb) / 1024 }

func memCell(m procMem) string { return fmt.Sprintf("%.1f (%.1f)", mib(m.rss), mib(m.hwm)) }

func joinFloats(xs []float64, format string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(s, ", ")
}
