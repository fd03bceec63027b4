package cli

import (
	"context"
	"fmt"

	"github.com/ogforum/ogforum/internal/demo"
)

func init() {
	register("demo", "fill the database with a small realistic demo data set", func(e *env, args []string) error {
		fs, build := e.flags("demo", "demo [settings]")
		cfg, err := parse(fs, build, args)
		if err != nil {
			return err
		}
		ctx := context.Background()
		db, err := openDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := demo.Load(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "demo data: %d record(s) added. Sign in as the admin with: ogforum login-link --email %s\n", n, demo.AdminEmail)
		return nil
	})
}
