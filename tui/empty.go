package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
)

// emptyViewText says why a view is empty, in that view's words: "Inbox
// zero" belongs to the inbox only.
var emptyViewText = map[inbox.View]string{
	inbox.ViewInbox:      "Nothing waiting for a reply. Inbox zero ✓",
	inbox.ViewNegative:   "Nothing negative",
	inbox.ViewEscalated:  "Nothing escalated",
	inbox.ViewSnoozed:    "Nothing snoozed",
	inbox.ViewDone:       "Nothing done yet",
	inbox.ViewAll:        "No conversations yet",
	inbox.ViewMine:       "Nothing assigned to you is open",
	inbox.ViewUnassigned: "Every open conversation has an owner",
	inbox.ViewMentions:   "No notes mention you",
	inbox.ViewSpam:       "No spam",
}

// emptyMessage is what the list shows when it has no rows.
func (m *Model) emptyMessage() string {
	switch {
	case m.searchQuery != "":
		return "No matches for “" + shortName(m.searchQuery) + "” — esc leaves the search"
	case m.filterActive():
		return "No matches for “" + shortName(m.filter.Value()) + "” in " + m.view.String() + " — esc clears the filter"
	case m.accountsLoaded && len(m.accounts) == 0:
		return m.firstRun()
	}
	msg := emptyViewText[m.view]
	if m.network != "" {
		msg += " on " + m.network
	}
	return msg
}

// firstRun explains how to get conversations in, with nothing connected.
func (m *Model) firstRun() string {
	lines := []string{
		"Welcome to parley. No accounts are connected yet.",
		"",
		"Try it with made-up conversations:",
		"  parley demo",
	}
	if len(m.opt.Networks) > 0 {
		lines = append(lines, "", "Connect a real account, one command per network:")
		for _, n := range m.opt.Networks {
			lines = append(lines, "  parley connect "+n)
		}
	}
	lines = append(lines, "", "Run them in a shell (q quits), then start parley again.")
	return strings.Join(lines, "\n")
}

// emptyView draws the empty list's message in the middle of the body,
// cut to the width: the first-run text is a block, left-aligned inside.
func emptyView(st *Styles, msg string, width, height int) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	if len(lines) > height {
		lines = lines[:max(height, 0)]
	}
	block := lipgloss.NewStyle().Align(lipgloss.Left).Render(strings.Join(lines, "\n"))
	return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, st.Dim.Render(block))
}
