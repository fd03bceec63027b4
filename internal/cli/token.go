package cli

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/auth"
)

func init() {
	register("token", "API tokens: token create --email E prints a new bearer token", func(e *env, args []string) error {
		if len(args) == 0 || args[0] != "create" {
			fmt.Fprintln(e.stderr, "Usage: ogforum token create --email E")
			return errUsage
		}
		fs, build := e.flags("token create", "token create --email E")
		email := fs.String("email", "", "e-mail address of the user (required)")
		cfg, err := parse(fs, build, args[1:])
		if err != nil {
			return err
		}
		ctx := context.Background()
		db, err := openDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		u, err := auth.UserByEmail(ctx, db, *email)
		if err != nil {
			return fmt.Errorf("--email: no user with address %q", *email)
		}
		var token string
		err = db.Tx(ctx, func(tx *sql.Tx) (err error) {
			if token, err = auth.CreateAPIToken(ctx, tx, u.ID); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Actor{Label: "cli"}, "auth.token_create", "user", u.ID, nil)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "API token for %s (shown once; only its hash is stored):\n%s\n", u.Email, token)
		return nil
	})
}
