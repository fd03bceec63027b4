// Package cli is ogforum's command line: one file per subcommand.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/ogforum/ogforum/internal/zone"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/ogforum/ogforum/internal/config"
	"github.com/ogforum/ogforum/internal/store"
)

// Version is set at build time with -ldflags "-X github.com/ogforum/ogforum/internal/cli.Version=...".
var Version = "dev"

type command struct {
	summary string
	run     func(env *env, args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(env *env, args []string) error) {
	commands[name] = command{summary, run}
}

// env is what a subcommand gets: its output streams and the environment.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// errUsage means the arguments were wrong; usage has been printed.
var errUsage = errors.New("usage")

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: os.Getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ogforum: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(e, args[1:]); err != nil {
		if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		fmt.Fprintf(stderr, "ogforum %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ogforum — the open-government forum platform")
	fmt.Fprintln(w, "\nUsage: ogforum COMMAND [flags]   (ogforum COMMAND --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
}

// flags makes a flag set carrying every configuration setting, so that
// --database and friends work on every subcommand.
func (e *env) flags(name, synopsis string) (*flag.FlagSet, func() (*config.Config, error)) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	build := config.Register(fs, e.getenv)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: ogforum %s\n\n", synopsis)
		own := false
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(f.Usage, "[OGFORUM_") {
				if !own {
					fmt.Fprintln(e.stderr, "Flags:")
					own = true
				}
				fmt.Fprintf(e.stderr, "  --%-15s %s\n", f.Name, f.Usage)
			}
		})
		fmt.Fprintln(e.stderr, "\nSettings (flag, environment variable, default):")
		config.Usage(e.stderr)
	}
	return fs, build
}

// parse parses args, builds the configuration and sets the team's time
// zone.
func parse(fs *flag.FlagSet, build func() (*config.Config, error), args []string) (*config.Config, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return nil, errUsage
	}
	cfg, err := build()
	if err != nil {
		return nil, err
	}
	zone.Set(cfg.Location) // the whole process keeps the team's days
	return cfg, nil
}

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, cfg *config.Config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
