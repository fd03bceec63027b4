package cli

import (
	"fmt"
	"runtime"
)

func init() {
	register("version", "print the version", func(e *env, args []string) error {
		fmt.Fprintf(e.stdout, "ogforum %s (%s)\n", Version, runtime.Version())
		return nil
	})
}
