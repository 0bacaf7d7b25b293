package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
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

// statsOverlay shows the care report: any key closes it. On a screen too
// short for it, j/k and the other scrolling keys move it instead.
type statsOverlay struct {
	s     inbox.Stats
	noSLA bool // no [sla] configured: deadlines are the platforms' reply windows only
	keys  *KeyMap
	scroller
}

func (o *statsOverlay) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	if o.key(k, o.keys) {
		return o, nil
	}
	return nil, nil
}

func (o *statsOverlay) view(st *Styles, width, height int) string {
	s := o.s
	w := min(max(width-8, 40), 100)
	inner := w - 4 // border and padding
	line := func(text string) string { return ansiCut(text, inner) + "\n" }
	var b strings.Builder
	b.WriteString(line(fmt.Sprintf("%d conversations · %d messages in · %s negative · %s answered",
		s.Conversations, s.Inbound, inbox.Percent(s.Negative, s.Conversations), inbox.Percent(s.Answered, s.Conversations))))
	b.WriteString(line(fmt.Sprintf("%d waiting for a reply, %s", s.Waiting, st.Negative.Render(fmt.Sprintf("%d past their deadline", s.Overdue)))))
	if o.noSLA {
		b.WriteString(line(st.Faint.Render("no SLA set: deadlines are the platforms' reply windows only ([sla] in the config)")))
	}
	b.WriteString(line("detector vs manager: " + s.Agreement.Summary()))
	b.WriteString(line(fmt.Sprintf("first response: median %s · 90th percentile %s", inbox.ShortDuration(s.FirstMedian), inbox.ShortDuration(s.FirstP90))))
	b.WriteString("\n")
	maxIn := 1
	for _, n := range s.PerNetwork {
		maxIn = max(maxIn, n.Inbound)
	}
	// One row per network at any width: the bar takes what the numbers leave.
	const netW, fixed = 14, 14 + 1 + 1 + 6 + 6 + 10
	barW := max(inner-fixed, 4)
	if len(s.PerNetwork) > 0 {
		b.WriteString(line(st.Faint.Render(fmt.Sprintf("%-*s %-*s %6s %5s %9s", netW, "network", barW, "messages in", "in", "neg", "answered"))))
	}
	for _, n := range s.PerNetwork {
		bar := strings.Repeat("█", n.Inbound*barW/maxIn)
		b.WriteString(line(fmt.Sprintf("%s %s%s %6d %4.0f%% %8.0f%%", fitCell(screenLine(n.Network), netW),
			st.Tag.Render(bar), strings.Repeat(" ", barW-ansi.StringWidth(bar)), n.Inbound, n.NegativeShare*100, n.ResponseRate*100)))
	}
	if len(s.PerDay) > 0 {
		in, neg := make([]int, len(s.PerDay)), make([]int, len(s.PerDay))
		for i, d := range s.PerDay {
			in[i], neg[i] = d.Inbound, d.Negative
		}
		b.WriteString("\n")
		b.WriteString(line("per day  " + inbox.Sparkline(in, inner-9)))
		b.WriteString(line("negative " + st.Negative.Render(inbox.Sparkline(neg, inner-9))))
	}
	if len(s.PerManager) > 0 {
		b.WriteString("\n")
		for _, m := range s.PerManager {
			b.WriteString(line(fmt.Sprintf("%s %4d first responses, median %s", fitCell(screenLine(m.Manager), 20), m.Replies, inbox.ShortDuration(m.FirstMedian))))
		}
	}
	body := o.fit(strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n"), height-4) // border, title, gap
	title := line(st.BoxTitle.Render("Stats, last 30 days") + "   " + st.Faint.Render(o.hint(inner-22, "any key closes · parley stats --json for reports")))
	return st.Box.Width(w).Render(title + "\n" + strings.Join(body, "\n"))
}
