package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ogforum/ogforum/internal/audit"
	"github.com/ogforum/ogforum/internal/auth"
)

func init() {
	register("user", "manage users: user create --email E --name N --role R [--organisation ID]", func(e *env, args []string) error {
		if len(args) == 0 || args[0] != "create" {
			fmt.Fprintln(e.stderr, "Usage: ogforum user create --email E --name N --role admin|organiser|agent|member [--organisation ID] [--language fr|en]")
			return errUsage
		}
		fs, build := e.flags("user create", "user create --email E --name N --role admin|organiser|agent|member [--organisation ID]")
		email := fs.String("email", "", "e-mail address of the user (required)")
		name := fs.String("name", "", "full name (required)")
		role := fs.String("role", "", "admin, organiser (or organizer), agent or member (required)")
		org := fs.String("organisation", "", "identifier of the user's organisation")
		fs.StringVar(org, "organization", "", "synonym of --organisation")
		lang := fs.String("language", "fr", "preferred language: fr or en")
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
		var u *auth.User
		err = db.Tx(ctx, func(tx *sql.Tx) (err error) {
			u, err = auth.CreateUser(ctx, tx, auth.NewUser{Email: *email, Name: *name, Role: *role, OrganisationID: *org, Language: *lang})
			if err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Actor{Label: "cli"}, "user.create", "user", u.ID, map[string]string{"email": u.Email, "role": string(u.Role)})
		})
		var fe auth.FieldErrors
		if errors.As(err, &fe) {
			for field, key := range fe {
				return fmt.Errorf("--%s: %s", flagOf(field), cliMessages[key])
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created %s %s <%s> (id %s)\n", u.Role, u.Name, u.Email, u.ID)
		return nil
	})
}

func flagOf(field string) string {
	if field == "organisation_id" {
		return "organisation"
	}
	return field
}

// cliMessages are the English texts of the validation keys the CLI meets.
var cliMessages = map[string]string{
	"error.email_invalid":        "not a valid e-mail address",
	"error.required":             "is required",
	"error.too_long":             "is too long",
	"error.role_invalid":         "must be admin, organiser, agent or member",
	"error.language_invalid":     "must be fr or en",
	"error.organisation_unknown": "no organisation has this identifier",
}
