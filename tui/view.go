package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/parleyhq/parley/inbox"
)

// View implements tea.Model. The window title is fixed text: remote text
// never reaches it.
func (m *Model) View() tea.View {
	if m.quitting {
		return tea.NewView("")
	}
	var body string
	if m.conv != nil {
		body = m.conv.view(&m.st)
	} else {
		body = m.list.view(rowCtx{st: &m.st, now: m.now, marked: m.isMarked, showCurs: true, styleGen: m.styleGen, presence: m.presenceMark, empty: m.emptyMessage()})
	}
	body = fitLines(body, m.list.height)
	screen := strings.Join([]string{m.tabsView(), body, m.helpLine(), m.statusView()}, "\n")
	if m.overlay != nil {
		screen = place(screen, m.overlay.view(&m.st, m.width, m.height), m.width, m.height)
	}
	v := tea.NewView(screen)
	v.AltScreen = true
	v.WindowTitle = "parley"
	return v
}

func (m *Model) helpLine() string {
	if m.filtering || m.filterActive() {
		line := m.filter.View()
		if !m.filtering {
			line += m.st.Faint.Render(fmt.Sprintf("  (%d match; / to edit, esc to clear)", len(m.list.rows)))
		}
		return ansiCut(line, m.width)
	}
	if m.conv != nil && m.conv.composer != nil {
		return ""
	}
	keys := m.keys.ShortHelp()
	if m.searchQuery != "" && m.list.more {
		keys = append([]key.Binding{m.keys.More}, keys...)
	}
	if m.conv != nil {
		keys = append(keys[:0:0], m.keys.Back, m.keys.Reply, m.keys.Done, m.keys.Snooze, m.keys.Negative, m.keys.Tag, m.keys.Escalate, m.keys.Retry, m.keys.Copy, m.keys.Undo, m.keys.Help)
	}
	pos := m.positionText()
	width := m.width
	if pos != "" {
		width = max(m.width-lipgloss.Width(pos)-2, 0) // the hints give the position its room
	}
	line := m.shortHelp(keys, width)
	if pos == "" {
		return line
	}
	return withPosition(line, pos, m.width)
}

// shortHelp renders a help line once per change of keys, width or style:
// every frame of every session draws it, and nothing in it changes while
// the manager reads (it was a tenth of an SSH server's CPU, issue 19).
func (m *Model) shortHelp(keys []key.Binding, width int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\x00%d", m.styleGen, width)
	for _, k := range keys {
		if k.Enabled() {
			h := k.Help()
			b.WriteString("\x00" + h.Key + "\x01" + h.Desc)
		}
	}
	if b.String() != m.helpMemo.key {
		h := m.help // a copy, at the width the line is given
		h.SetWidth(width)
		m.helpMemo.key, m.helpMemo.line = b.String(), h.ShortHelpView(keys)
	}
	return m.helpMemo.line
}

func (m *Model) statusView() string {
	st := m.st
	var parts []string
	for _, a := range m.accounts {
		badge := networkBadge(a.Network)
		switch a.Status {
		case inbox.AccountOK:
			parts = append(parts, st.StatusOK.Render("● "+badge+feedLabel(a, m.now)))
		case inbox.AccountSyncing:
			parts = append(parts, st.StatusSync.Render("◌ "+badge+" syncing"+feedLabel(a, m.now)))
		case inbox.AccountWaiting:
			parts = append(parts, st.StatusSync.Render("◌ "+badge+" "+ansiCut(screenLine(a.LastError), 50)))
		case inbox.AccountNeedsReauth:
			parts = append(parts, st.StatusErr.Render("✗ "+badge+" needs re-auth: "+ansiCut(screenLine(a.LastError), 40)))
		default:
			parts = append(parts, st.StatusErr.Render("✗ "+badge+" error: "+ansiCut(screenLine(a.LastError), 40)))
		}
	}
	for _, p := range m.problems {
		parts = append(parts, st.StatusErr.Render("⚠ "+ansiCut(shortPath(screenLine(p)), 70)))
	}
	left := strings.Join(parts, st.StatusBar.Render("  "))
	if len(m.accounts) == 0 {
		left = st.StatusBar.Render("no accounts connected")
	}
	right := ""
	if m.flash != "" {
		fs := st.Flash
		if m.flashErr {
			fs = st.StatusErr
		}
		limit := max(m.width/2, 20)
		if m.flashErr {
			limit = m.width // an error is read in full: it takes the bar
		}
		right = fs.Render(ansiCut(m.flash, limit))
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		left = ansi.Truncate(left, max(m.width-lipgloss.Width(right)-1, 0), "…")
		gap = max(m.width-lipgloss.Width(left)-lipgloss.Width(right), 0)
	}
	return left + st.StatusBar.Render(strings.Repeat(" ", gap)) + right
}

// feedLabel says how an account receives messages: " live" while its
// stream is connected, else " polling every 1m", then how long ago the
// last new message came (" · 2m ago"). Empty where no engine runs.
func feedLabel(a inbox.Account, now time.Time) string {
	var s string
	switch {
	case a.Live:
		s = " live"
	case a.PollEvery > 0:
		s = " polling every " + shortDuration(a.PollEvery)
	default:
		return ""
	}
	if !a.LastEvent.IsZero() && !now.IsZero() {
		s += " · " + ago(a.LastEvent, now)
	}
	return s
}

// shortDuration is a poll interval as people say it: 30s, 1m, 1m30s, 2h.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d < time.Hour && d%time.Minute == 0:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d%time.Minute == 0:
		return strings.TrimSuffix(d.String(), "0s") // 1h30m
	}
	return d.String() // 1m30s
}

// fitLines makes s exactly h lines, cheaply (this runs every frame).
func fitLines(s string, h int) string {
	n := strings.Count(s, "\n") + 1
	switch {
	case n < h:
		return s + strings.Repeat("\n", h-n)
	case n > h:
		i := 0
		for k := 0; k < h; k++ {
			j := strings.IndexByte(s[i:], '\n')
			i += j + 1
		}
		return s[:i-1]
	}
	return s
}

// presenceMark is the row marker for other managers on a conversation:
// "✎ bob" while someone writes a reply, "👁 bob" while someone reads.
func (m *Model) presenceMark(id int64) string {
	mark := ""
	for _, v := range m.viewers {
		if v.Conversation != id {
			continue
		}
		name := shortName(v.User)
		if v.Composing {
			return "✎ " + name
		}
		if mark == "" {
			mark = "👁 " + name
		}
	}
	return mark
}

// shortPath drops the directory of a "path:line: problem" message, so the
// file name and line fit the status bar.
func shortPath(p string) string {
	if i := strings.Index(p, ":"); i > 0 {
		if j := strings.LastIndex(p[:i], "/"); j >= 0 {
			return p[j+1:]
		}
	}
	return p
}
