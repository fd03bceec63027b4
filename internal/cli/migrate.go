package cli

import (
	"context"
	"fmt"

	"github.com/ogforum/ogforum/internal/store"
)

func init() {
	register("migrate", "apply database migrations", func(e *env, args []string) error {
		fs, build := e.flags("migrate", "migrate [settings]")
		cfg, err := parse(fs, build, args)
		if err != nil {
			return err
		}
		ctx := context.Background()
		db, err := store.Open(ctx, cfg.Database)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		v, _ := db.SchemaVersion(ctx)
		fmt.Fprintf(e.stdout, "applied %d migration(s); schema at version %d\n", n, v)
		return nil
	})
}
