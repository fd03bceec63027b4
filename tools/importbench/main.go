// Command importbench measures the directory import: it writes a messy
// French contacts spreadsheet of -rows rows (semicolons, accents, cells
// over several lines, organisations spelt several ways), then, in a child
// process so that its peak memory is the import's alone, imports it into
// a fresh database three times — first import, dry-run re-import, real
// re-import (all unchanged) — and prints the elapsed time of each and the
// child's peak resident memory (VmHWM of /proc/self/status).
//
// Then it times the directory's searches over the imported people (-search
// rounds of a set of typical filters; latency percentiles).
//
//	go run ./tools/importbench [-rows 100000] [-format utf8bom|cp1252|xlsx] [-names common|flat]
//	    [-search 20] [-db postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable] [-keep]
//	go run ./tools/importbench -existing DATABASE [-search 20]
//
// -names common (the default) draws names as a directory holds them: a few
// hundred surnames and first names with skewed frequencies, so that most
// names match tens to hundreds of people and a few over 1 %; -names flat
// draws them evenly from 30 each, so that every name matches about 3 % of
// people (the worst case for search).
//
// Without -db the database is a temporary SQLite file; with a PostgreSQL
// URL, a new database is created on that server and dropped at the end.
// -keep keeps either (its path or URL is printed), and -existing runs only
// the searches on such a kept database. IMPORTBENCH_CPUPROFILE=FILE writes
// a CPU profile of the importing process (with -existing, of the searches). IMPORTBENCH_VERBOSE=1 prints, for
// each filter, how many people it matches and its median and worst latency.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/tools/importbench/messy"
)

func main() {
	rows := flag.Int("rows", 100000, "contact rows in the file")
	format := flag.String("format", "utf8bom", "file form: utf8bom or cp1252 (semicolon CSV), or xlsx")
	dsn := flag.String("db", "", "PostgreSQL URL of a server to create a scratch database on (default: a temporary SQLite file)")
	names := flag.String("names", string(messy.Common), "name distribution: common (skewed, as in a real directory) or flat (30 names each, evenly)")
	keep := flag.Bool("keep", false, "keep the scratch database (its path or URL is printed)")
	existing := flag.String("existing", "", "run only the searches, on this database (a kept SQLite file or PostgreSQL URL)")
	searches := flag.Int("search", 20, "after the import, run the directory searches this many rounds and print their latency (0: none)")
	child := flag.String("child", "", "internal: import the file given as argument into this database and print the figures as JSON")
	flag.Parse()
	if *child != "" {
		if err := runChild(*child, flag.Arg(0)); err != nil {
			fmt.Fprintln(os.Stderr, "importbench:", err)
			os.Exit(1)
		}
		return
	}
	if *existing != "" {
		if err := searchOnly(*existing, *searches); err != nil {
			fmt.Fprintln(os.Stderr, "importbench:", err)
			os.Exit(1)
		}
		return
	}
	gen := messy.Options{Names: messy.Names(*names)}
	if gen.Names != messy.Common && gen.Names != messy.Flat {
		fmt.Fprintf(os.Stderr, "importbench: -names %s: want common or flat\n", *names)
		os.Exit(2)
	}
	if err := run(gen, *rows, *format, *dsn, *keep, *searches); err != nil {
		fmt.Fprintln(os.Stderr, "importbench:", err)
		os.Exit(1)
	}
}

func run(gen messy.Options, rows int, format, base string, keep bool, searches int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "importbench")
	if err != nil {
		return err
	}
	if keep && base == "" {
		defer os.Remove(filepath.Join(dir, "contacts.csv"))
		defer os.Remove(filepath.Join(dir, "contacts.xlsx"))
	} else {
		defer os.RemoveAll(dir)
	}
	file := filepath.Join(dir, "contacts."+map[bool]string{true: "xlsx", false: "csv"}[format == "xlsx"])
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if format == "xlsx" {
		err = gen.WriteXLSX(f, rows)
	} else {
		err = gen.WriteCSV(f, rows, messy.Encoding(format))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	info, _ := os.Stat(file)

	engine, dsn := "sqlite", filepath.Join(dir, "ogforum.db")
	if keep && base == "" {
		defer fmt.Println("  database kept:", dsn)
	}
	if base != "" {
		engine = "postgres"
		if dsn, err = store.CreateScratchDatabase(ctx, base, "ogf_importbench_"); err != nil {
			return err
		}
		if keep {
			defer fmt.Println("  database kept:", dsn)
		} else {
			defer store.DropScratchDatabase(context.Background(), base, dsn)
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	db.Close()

	self, err := os.Executable()
	if err != nil {
		return err
	}
	out, err := exec.Command(self, "-child", dsn, file).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return fmt.Errorf("child: %v: %s", err, ee.Stderr)
		}
		return err
	}
	var fig figures
	if err := json.Unmarshal(out, &fig); err != nil {
		return fmt.Errorf("child output %q: %w", out, err)
	}
	fmt.Printf("import of %d rows (%s, %s names, %.1f MB) into %s, %s %s/%s, %d CPUs\n", rows, format, gen.Names,
		float64(info.Size())/1e6, engine, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	for _, p := range fig.Passes {
		fmt.Printf("  %-18s %6.2f s (CPU %5.2f s)  created %6d  updated %6d  unchanged %6d  errors %d\n",
			p.Name, p.Seconds, p.CPUSeconds, p.Created, p.Updated, p.Unchanged, p.Errors)
	}
	fmt.Printf("  peak RSS of the importing process: %d MB (%d MB before the first import)\n", fig.PeakKB/1024, fig.BaseKB/1024)
	if searches <= 0 {
		return nil
	}
	db, err = store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return benchSearch(ctx, db, searches)
}

// searchOnly times the searches on a database kept by an earlier run.
func searchOnly(dsn string, searches int) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	n, err := directory.CountPeople(ctx, db, directory.Filter{})
	if err != nil {
		return err
	}
	fmt.Printf("searches over the %d people of %s, %s %s/%s, %d CPUs\n", n, db.Dialect, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	stop, err := profile()
	if err != nil {
		return err
	}
	defer stop()
	return benchSearch(ctx, db, max(searches, 1))
}

// profile starts the CPU profile IMPORTBENCH_CPUPROFILE asks for, if any;
// stop ends it.
func profile() (stop func(), err error) {
	path := os.Getenv("IMPORTBENCH_CPUPROFILE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

type pass struct {
	Name                        string
	Seconds, CPUSeconds         float64
	Created, Updated, Unchanged int
	Errors                      int
}

type figures struct {
	Passes         []pass
	BaseKB, PeakKB int
}

func runChild(dsn, file string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	stop, err := profile()
	if err != nil {
		return err
	}
	defer stop()
	var fig figures
	fig.BaseKB = vmHWM()
	for _, p := range []struct {
		name string
		opts directory.ImportOptions
	}{
		{"first import", directory.ImportOptions{}},
		{"dry-run re-import", directory.ImportOptions{DryRun: true}},
		{"re-import", directory.ImportOptions{}},
	} {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		start, cpu := time.Now(), cpuTime()
		res, err := directory.ImportPeople(ctx, db, f, p.opts)
		elapsed, used := time.Since(start), cpuTime()-cpu
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		fig.Passes = append(fig.Passes, pass{p.name, elapsed.Seconds(), used.Seconds(), res.Created, res.Updated, res.Unchanged, len(res.Errors)})
	}
	fig.PeakKB = vmHWM()
	return json.NewEncoder(os.Stdout).Encode(fig)
}

// cpuTime is the CPU time used by this process so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM reads the process's peak resident set size, in kB.
func vmHWM() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb
		}
	}
	return 0
}
