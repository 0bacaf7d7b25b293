package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parleyhq/parley/inbox"
)

// statsCmd is `parley stats [--since 30d] [--json | --csv]`.
func statsCmd(c *common) *cobra.Command {
	var since string
	var asJSON, asCSV bool
	cmd := &cobra.Command{Use: "stats", Short: "volume, negativity, response rate, first-response times", Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStats(c, since, asJSON, asCSV, cmd.OutOrStdout())
		}}
	cmd.Flags().StringVar(&since, "since", "30d", "period to report (e.g. 7d, 24h)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV (one row per network and per day)")
	cmd.MarkFlagsMutuallyExclusive("json", "csv")
	return cmd
}

func runStats(c *common, since string, asJSON, asCSV bool, stdout io.Writer) error {
	d, err := parseSince(since)
	if err != nil {
		return err
	}
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := inbox.NewService(st, inbox.Options{}).Stats(context.Background(), time.Now().Add(-d))
	if err != nil {
		return err
	}
	switch {
	case asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	case asCSV:
		w := csv.NewWriter(stdout)
		w.Write([]string{"kind", "key", "conversations", "inbound_messages", "negative", "response_rate"})
		for _, n := range s.PerNetwork {
			w.Write([]string{"network", n.Network, strconv.Itoa(n.Conversations), strconv.Itoa(n.Inbound),
				fmt.Sprintf("%.3f", n.NegativeShare), fmt.Sprintf("%.3f", n.ResponseRate)})
		}
		for _, day := range s.PerDay {
			w.Write([]string{"day", day.Day, "", strconv.Itoa(day.Inbound), strconv.Itoa(day.Negative), ""})
		}
		w.Flush()
		return w.Error()
	}
	fmt.Fprintf(stdout, "Since %s: %d conversations, %d inbound messages\n", s.Since.Format(time.DateTime), s.Conversations, s.Inbound)
	fmt.Fprintf(stdout, "Negative: %d (%s)   Response rate: %s   Waiting now: %d (%d overdue)\n", s.Negative, inbox.Percent(s.Negative, s.Conversations),
		inbox.Percent(s.Answered, s.Conversations), s.Waiting, s.Overdue)
	if c.cfg.slaPolicy == nil {
		// "0 overdue" means little when no deadline was ever set.
		fmt.Fprintln(stdout, "No SLA set: overdue counts the platforms' reply windows only ([sla] in the config)")
	}
	fmt.Fprintf(stdout, "Detector vs the manager: %s\n", s.Agreement.Summary())
	fmt.Fprintf(stdout, "First response: median %s, 90th percentile %s\n\n", inbox.ShortDuration(s.FirstMedian), inbox.ShortDuration(s.FirstP90))
	maxIn := 1
	for _, n := range s.PerNetwork {
		maxIn = max(maxIn, n.Inbound)
	}
	for _, n := range s.PerNetwork {
		fmt.Fprintf(stdout, "%-16s %-30s %5d msgs  %3.0f%% negative  %3.0f%% answered\n", n.Network,
			strings.Repeat("█", n.Inbound*30/maxIn), n.Inbound, n.NegativeShare*100, n.ResponseRate*100)
	}
	if len(s.PerDay) > 0 {
		vals := make([]int, len(s.PerDay))
		for i, d := range s.PerDay {
			vals[i] = d.Inbound
		}
		fmt.Fprintf(stdout, "\nPer day %s … %s  %s\n", s.PerDay[0].Day, s.PerDay[len(s.PerDay)-1].Day, inbox.Sparkline(vals, 60))
	}
	if len(s.PerManager) > 0 {
		fmt.Fprintln(stdout)
		for _, m := range s.PerManager {
			fmt.Fprintf(stdout, "%-20s %4d first responses, median %s\n", m.Manager, m.Replies, inbox.ShortDuration(m.FirstMedian))
		}
	}
	return nil
}
