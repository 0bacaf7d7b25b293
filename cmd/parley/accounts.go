package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	psync "github.com/parleyhq/parley/sync"
)

// accountsCmd is `parley accounts` (list, with sync state) and
// `parley accounts remove LABEL`.
func accountsCmd(c *common) *cobra.Command {
	cmd := &cobra.Command{Use: "accounts", Short: "list accounts and their sync state", Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAccounts(c, cmd.OutOrStdout()) }}
	cmd.AddCommand(&cobra.Command{Use: "remove LABEL", Short: "remove an account from the config (its history stays)",
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 || c.load("parley.db") != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var labels []cobra.Completion
			for _, a := range c.cfg.Accounts {
				labels = append(labels, cobra.CompletionWithDesc(a.Label, a.Network))
			}
			return labels, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error { return removeAccount(c, args[0], cmd.OutOrStdout()) }})
	return cmd
}

func runAccounts(c *common, stdout io.Writer) error {
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	stored, err := st.Accounts(context.Background())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LABEL\tNETWORK\tSTATE\tLAST SYNC\tFEED\tTOKEN\tQUOTA\tLAST ERROR / NOTE")
	seen := map[string]bool{}
	for _, a := range c.cfg.Accounts {
		seen[a.Network+"\x00"+a.Label] = true
		state, last, lastErr, cursor := "never synced", "-", "", ""
		for _, s := range stored {
			if s.Network == a.Network && s.Label == a.Label {
				state, lastErr, cursor = string(s.Status), s.LastError, s.Cursor
				if lastErr == "" && s.Notice != "" {
					lastErr = "note: " + s.Notice
				}
				if state == "needs_reauth" {
					state = "needs re-auth: run parley connect again"
				}
				if !s.LastSync.IsZero() {
					last = s.LastSync.Local().Format(time.DateTime)
				}
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Label, a.Network, state, last, feedOf(a), tokenExpiry(a, time.Now()), quotaLeft(a, cursor, time.Now()), lastErr)
	}
	for _, s := range stored {
		if !seen[s.Network+"\x00"+s.Label] && !strings.HasPrefix(s.Network, "demo-") {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\t\n", s.Label, s.Network, "removed (history kept)")
		}
	}
	return tw.Flush()
}

// feedOf says how a running parley receives the account's messages: live
// where the network pushes (polled while the stream is down), else polled
// at its interval. The status bar shows the current state and the last
// event; this command runs apart from the engine and cannot.
func feedOf(a AccountConfig) string {
	conn, err := psync.New(psync.AccountConfig{Network: a.Network, Label: a.Label, Options: a.Options})
	if err != nil {
		return "-"
	}
	every := "polling every " + roundDuration(conn.Capabilities().PollInterval)
	if _, ok := conn.(psync.Streamer); ok {
		return "live (" + every + " while the stream is down)"
	}
	return every
}

// roundDuration is an interval as people say it: 30s, 1m, 1h30m.
func roundDuration(d time.Duration) string {
	if d <= 0 {
		d = time.Minute // the engine's default
	}
	s := d.Round(time.Second).String()
	if d >= time.Minute && d%time.Minute == 0 {
		s = strings.TrimSuffix(s, "0s")
	}
	if d >= time.Hour && d%time.Hour == 0 {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// tokenExpirer is a connector that can say when its token stops working
// (zero time: never).
type tokenExpirer interface {
	TokenExpiry(ctx context.Context) (time.Time, error)
}

// expiryWarning is how far ahead parley accounts warns of a token's end.
const expiryWarning = 14 * 24 * time.Hour

// tokenExpiry asks the account's network when its token expires and says
// it in a word, with a warning days ahead; "-" where the network has no
// expiring tokens.
func tokenExpiry(a AccountConfig, now time.Time) string {
	conn, err := psync.New(psync.AccountConfig{Network: a.Network, Label: a.Label, Options: a.Options})
	if err != nil {
		return "-"
	}
	te, ok := conn.(tokenExpirer)
	if !ok {
		return "-"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	exp, err := te.TokenExpiry(ctx)
	switch left := exp.Sub(now); {
	case err != nil:
		return "unknown: " + err.Error()
	case exp.IsZero():
		return "never expires"
	case left <= 0:
		return "EXPIRED " + exp.Local().Format(time.DateOnly) + ": run parley connect again"
	case left < expiryWarning:
		return fmt.Sprintf("! expires in %d days (%s): run parley connect again", int(left.Hours()/24)+1, exp.Local().Format(time.DateOnly))
	default:
		return "expires " + exp.Local().Format(time.DateOnly)
	}
}

// quotaReporter is a connector whose network limits calls per day (YouTube):
// it reads what is left of today's units from the account's stored cursor.
type quotaReporter interface {
	QuotaLeft(cursor string, now time.Time) (left, limit int)
}

// quotaLeft says what is left of the account's daily quota, "-" where the
// network has none.
func quotaLeft(a AccountConfig, cursor string, now time.Time) string {
	conn, err := psync.New(psync.AccountConfig{Network: a.Network, Label: a.Label, Options: a.Options})
	if err != nil {
		return "-"
	}
	q, ok := conn.(quotaReporter)
	if !ok {
		return "-"
	}
	left, _ := q.QuotaLeft(cursor, now)
	return thousands(left) + " left today"
}

// thousands writes n with comma separators: 7,450.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// removeAccount deletes the account's [[account]] table from the config and
// the token file parley saved for it. Its stored history stays.
func removeAccount(c *common, label string, stdout io.Writer) error {
	if err := c.load("parley.db"); err != nil {
		return err
	}
	text, err := os.ReadFile(c.cfg.path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	out, removed, err := withoutAccount(string(text), label)
	if err != nil {
		return fmt.Errorf("%s: %w", c.cfg.path, err)
	}
	if removed == nil {
		return fmt.Errorf("no account labelled %q in %s", label, c.cfg.path)
	}
	if err := replaceFile(c.cfg.path, out); err != nil {
		return err
	}
	secrets := filepath.Join(c.paths.ConfigDir, "secrets") + string(filepath.Separator)
	if f, _ := removed.Options["token_file"].(string); strings.HasPrefix(f, secrets) {
		_ = os.Remove(f)
	}
	fmt.Fprintf(stdout, "Removed %q from %s; its conversations stay in %s.\n", label, c.cfg.path, c.db)
	return nil
}
