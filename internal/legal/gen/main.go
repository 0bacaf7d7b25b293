// Command gen writes third_party_licenses.txt at the repository root from
// the modules ./cmd/parley compiles in. Run from the repository root:
//
//	go run ./internal/legal/gen
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/internal/legal"
)

func main() {
	b, err := legal.Generate(".", "./cmd/parley")
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile("third_party_licenses.txt", b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
