package cli

import (
	"context"
	"fmt"

	"github.com/ogforum/ogforum/internal/auth"
)

func init() {
	register("login-link", "print a one-time sign-in URL for a user", func(e *env, args []string) error {
		fs, build := e.flags("login-link", "login-link --email E")
		email := fs.String("email", "", "e-mail address of the user (required)")
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
		u, err := auth.UserByEmail(ctx, db, *email)
		if err != nil {
			return fmt.Errorf("--email: no user with address %q (create one with: ogforum user create)", *email)
		}
		secret, err := auth.CreateLoginToken(ctx, db, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Sign-in link for %s (valid %d minutes, works once):\n%s\n", u.Email, int(auth.LinkValidity.Minutes()), auth.SignInURL(cfg.BaseURL, secret))
		return nil
	})
}
