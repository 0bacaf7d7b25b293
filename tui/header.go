package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
)

// shortViewNames are the tab labels when the full ones do not fit.
var shortViewNames = map[inbox.View]string{
	inbox.ViewInbox: "Inbox", inbox.ViewNegative: "Neg", inbox.ViewEscalated: "Esc",
	inbox.ViewSnoozed: "Snz", inbox.ViewDone: "Done", inbox.ViewAll: "All",
	inbox.ViewMine: "Mine", inbox.ViewUnassigned: "Unas", inbox.ViewMentions: "@me", inbox.ViewSpam: "Spam",
}

// headerFit is how much the header gives up to fit: each step is tried in
// turn until the line fits, so the view tabs and the network filter stay
// visible at 80 columns.
type headerFit struct {
	shortNet, noBrand, shortNames, bareInactive bool
}

var headerFits = []headerFit{
	{},
	{shortNet: true},
	{shortNet: true, noBrand: true},
	{shortNet: true, noBrand: true, shortNames: true},
	{shortNet: true, noBrand: true, shortNames: true, bareInactive: true},
}

func (m *Model) tabsView() string {
	var s string
	for _, f := range headerFits {
		s = m.header(f)
		if ansi.StringWidth(s) <= m.width {
			return s
		}
	}
	// Still too wide: cut the tabs, never the network or the selection.
	right := m.headerRight(headerFit{shortNet: true})
	left := m.headerLeft(headerFits[len(headerFits)-1])
	return ansi.Truncate(left, max(m.width-ansi.StringWidth(right), 0), "…") + right
}

func (m *Model) header(f headerFit) string { return m.headerLeft(f) + m.headerRight(f) }

func (m *Model) headerLeft(f headerFit) string {
	var parts []string
	if !f.noBrand {
		parts = append(parts, m.st.Header.Render("parley"))
	}
	if m.searchQuery != "" {
		parts = append(parts, m.st.TabActive.Render(fmt.Sprintf("Search: %s", cutCell(screenLine(m.searchQuery), 30)))+
			m.st.TabCount.Render(" "+m.searchCountText()+m.searchHint()))
		return strings.Join(parts, " ")
	}
	for i, v := range inbox.Tabs {
		if !m.showTab(v) {
			continue
		}
		name := v.String()
		if f.shortNames {
			name = shortViewNames[v]
		}
		num := (i + 1) % 10 // the tenth tab is on 0
		label := fmt.Sprintf("%d %s", num, name)
		count := ""
		if m.counts != nil {
			count = m.st.TabCount.Render(fmt.Sprintf(" %d", m.counts[v]))
		}
		switch {
		case v == m.view:
			parts = append(parts, m.st.TabActive.Render(label)+count)
		case f.bareInactive:
			parts = append(parts, m.st.Tab.Render(fmt.Sprint(num)))
		default:
			parts = append(parts, m.st.Tab.Render(label)+count)
		}
	}
	return strings.Join(parts, " ")
}

func (m *Model) headerRight(f headerFit) string {
	net := "all networks"
	if f.shortNet {
		net = "all"
	}
	if m.network != "" {
		net = m.network
	}
	s := m.st.Dim.Render("  [" + net + "]")
	if n := len(m.targets()); (len(m.marked) > 0 || m.visual) && n > 0 {
		s += m.st.Escalated.Render(fmt.Sprintf(" %d selected", n))
	}
	return s
}
