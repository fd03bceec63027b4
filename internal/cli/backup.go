package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ogforum/ogforum/internal/store"
)

func init() {
	register("backup", "copy a running SQLite database to a file (VACUUM INTO)", func(e *env, args []string) error {
		fs, build := e.flags("backup", "backup --output FILE")
		output := fs.String("output", "", "file to write the copy to (must not exist)")
		cfg, err := parse(fs, build, args)
		if err != nil {
			return err
		}
		if *output == "" {
			return errors.New("--output: give the file to write the copy to")
		}
		if store.IsPostgresURL(cfg.Database) {
			return errors.New("the database is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file=ogforum.dump \"$OGFORUM_DATABASE\"")
		}
		if _, err := os.Stat(*output); err == nil {
			return fmt.Errorf("--output: %s exists already; choose a new file", *output)
		}
		if _, err := os.Stat(cfg.Database); err != nil {
			return fmt.Errorf("no database at %s", cfg.Database)
		}
		ctx := context.Background()
		db, err := store.Open(ctx, cfg.Database)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.Backup(ctx, *output); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "backed up %s to %s\n", cfg.Database, *output)
		return nil
	})
}
