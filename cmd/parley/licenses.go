package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parleyhq/parley"
)

// licensesCmd is `parley licenses`: parley's licence, the NOTICE of the
// data embedded in it, and the licence of every Go module compiled in.
func licensesCmd() *cobra.Command {
	var short bool
	cmd := &cobra.Command{Use: "licenses", Short: "print parley's licence, its NOTICE and the licences of the code compiled in",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "parley %s\n\n%s\n\n", version, parley.License)
			fmt.Fprintf(out, "%s\n\n", parley.Notice)
			text := parley.ThirdParty
			if short {
				if i := strings.Index(text, "\n====="); i > 0 {
					text = text[:i]
				}
			}
			fmt.Fprintln(out, text)
			return nil
		}}
	cmd.Flags().BoolVar(&short, "short", false, "list the modules and their licences without the full texts")
	return cmd
}
