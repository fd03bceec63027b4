// Command ogforum runs the open-government forum platform; see README.md.
package main

import (
	"os"

	"github.com/ogforum/ogforum/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
