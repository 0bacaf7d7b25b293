package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/rules"
	"github.com/parleyhq/parley/inbox/sqlite"
)

// runRules is `parley rules check`, `parley rules test [--since 30d]` and
// `parley rules undo`.
func runRules(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: parley rules check | test [--since 30d] | undo")
	}
	verb := args[0]
	var c common
	fs := flag.NewFlagSet("parley rules "+verb, flag.ContinueOnError)
	c.flags(fs)
	path := fs.String("rules", "", "rules file (default: rules in the config, ~/.config/parley/rules.toml)")
	since := fs.String("since", "30d", "test: how far back to look (e.g. 7d, 12h)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := c.load("parley.db"); err != nil {
		return err
	}
	if *path == "" {
		*path = c.cfg.Rules
	}
	set, err := rules.Load(*path, c.cfg.Escalation)
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
		fmt.Fprintf(stdout, "%s: %d rules, all valid\n", *path, len(set.Rules))
		return nil
	case "test":
		d, err := parseSince(*since)
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
		u, err := svc.Undo(context.Background(), "rules")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "undid the rules' last action (%s) on %d conversation(s)\n", u.Action, len(u.Conversations))
		for _, n := range u.Notes {
			fmt.Fprintln(stdout, "  "+n)
		}
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
