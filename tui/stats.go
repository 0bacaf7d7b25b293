package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sanitize"
)

// statsPeriod is what the stats view covers.
const statsPeriod = 30 * 24 * time.Hour

type statsMsg struct {
	stats inbox.Stats
	err   error
}

func loadStats(ctx context.Context, svc *inbox.Service) tea.Cmd {
	return func() tea.Msg {
		s, err := svc.Stats(ctx, svc.Now().Add(-statsPeriod))
		return statsMsg{stats: s, err: err}
	}
}

// statsOverlay shows the care report: any key closes it.
type statsOverlay struct{ s inbox.Stats }

func (o statsOverlay) update(tea.KeyPressMsg) (overlay, tea.Cmd) { return nil, nil }

func (o statsOverlay) view(st *Styles, width, height int) string {
	s := o.s
	w := min(max(width-8, 40), 100)
	var b strings.Builder
	b.WriteString(st.BoxTitle.Render("Stats, last 30 days") + st.Faint.Render("   (any key closes; parley stats --json for reports)") + "\n\n")
	fmt.Fprintf(&b, "%d conversations · %d messages in · %s negative · %s answered · %d waiting (%s)\n",
		s.Conversations, s.Inbound, inbox.Percent(s.Negative, s.Conversations), inbox.Percent(s.Answered, s.Conversations), s.Waiting,
		st.Negative.Render(fmt.Sprintf("%d overdue", s.Overdue)))
	fmt.Fprintf(&b, "first response: median %s · 90th percentile %s\n\n", inbox.ShortDuration(s.FirstMedian), inbox.ShortDuration(s.FirstP90))
	maxIn := 1
	for _, n := range s.PerNetwork {
		maxIn = max(maxIn, n.Inbound)
	}
	barW := max(w-50, 10)
	for _, n := range s.PerNetwork {
		bar := strings.Repeat("█", n.Inbound*barW/maxIn)
		fmt.Fprintf(&b, "%-16s %s %s %5d  %3.0f%% neg  %3.0f%% answered\n", ansi.Truncate(n.Network, 16, "…"),
			st.Tag.Render(bar), strings.Repeat(" ", barW-ansi.StringWidth(bar)), n.Inbound, n.NegativeShare*100, n.ResponseRate*100)
	}
	if len(s.PerDay) > 0 {
		in, neg := make([]int, len(s.PerDay)), make([]int, len(s.PerDay))
		for i, d := range s.PerDay {
			in[i], neg[i] = d.Inbound, d.Negative
		}
		fmt.Fprintf(&b, "\nper day  %s\nnegative %s\n", inbox.Sparkline(in, w-10), st.Negative.Render(inbox.Sparkline(neg, w-10)))
	}
	if len(s.PerManager) > 0 {
		b.WriteString("\n")
		for _, m := range s.PerManager {
			fmt.Fprintf(&b, "%-20s %4d first responses, median %s\n", ansi.Truncate(sanitize.Line(m.Manager), 20, "…"), m.Replies, inbox.ShortDuration(m.FirstMedian))
		}
	}
	return st.Box.Width(w).Render(b.String())
}
