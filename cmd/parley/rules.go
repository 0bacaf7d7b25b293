package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/rules"
	"github.com/parleyhq/parley/inbox/sqlite"
)

// rulesCmd is `parley rules check`, `parley rules test [--since 30d]` and
// `parley rules undo`.
func rulesCmd(c *common) *cobra.Command {
	var path, since string
	cmd := group(&cobra.Command{Use: "rules", Short: "check, try or undo the triage rules (~/.config/parley/rules.toml)"})
	cmd.PersistentFlags().StringVar(&path, "rules", "", "rules file (default: rules in the config, ~/.config/parley/rules.toml)")
	for _, sub := range []struct{ verb, short string }{
		{"check", "validate the rules file (the line of any error)"},
		{"test", "try the rules on history without changing anything (--since 30d)"},
		{"undo", "undo the rules' last action"},
	} {
		verb := sub.verb
		sc := &cobra.Command{Use: verb, Short: sub.short, Args: noArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runRules(c, verb, path, since, cmd.OutOrStdout())
			}}
		if verb == "test" {
			sc.Flags().StringVar(&since, "since", "30d", "how far back to look (e.g. 7d, 12h)")
		}
		cmd.AddCommand(sc)
	}
	return cmd
}

func runRules(c *common, verb, path, since string, stdout io.Writer) error {
	if err := c.load("parley.db"); err != nil {
		return err
	}
	if path == "" {
		path = c.cfg.Rules
	}
	set, err := rules.Load(path, c.cfg.Escalation)
	if err != nil {
		return err
	}
	var svc *inbox.Service
	if verb == "test" || verb == "undo" {
		st, err := sqlite.Open(context.Background(), c.db)
		if err != nil {
			return err
		}
		defer st.Close()
		svc = inbox.NewService(st, inbox.Options{})
	}
	switch verb {
	case "check":
		fmt.Fprintf(stdout, "%s: %d rules, all valid\n", path, len(set.Rules))
		return nil
	case "test":
		d, err := parseSince(since)
		if err != nil {
			return err
		}
		reps, n, err := svc.TestRules(context.Background(), set, time.Now().Add(-d))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d messages since %s; nothing was changed.\n\n", n, time.Now().Add(-d).Format(time.DateTime))
		for _, r := range reps {
			fmt.Fprintf(stdout, "%s (line %d): %d matches → %s\n", r.Rule, r.Line, r.Matches, r.Does)
			for _, ex := range r.Examples {
				fmt.Fprintf(stdout, "    %s\n", ex)
			}
		}
		return nil
	case "undo":
		ids, err := svc.Undo(context.Background(), "rules")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "undid the rules' last action on %d conversation(s)\n", len(ids))
		return nil
	}
	return fmt.Errorf("unknown rules command %q: check, test or undo", verb)
}

// parseSince reads 30d, 12h, 90m.
func parseSince(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && strings.HasSuffix(s, "d") && n > 0 {
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--since %q: use e.g. 30d, 12h", s)
	}
	return d, nil
}
