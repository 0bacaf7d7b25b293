package tui

import (
	"context"
	"fmt"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// The list's place in its view ("37/154") and the rows that arrived above
// the screen while the manager worked further down ("3 new ↑").
//
// The window holds only rows near the cursor, so its place in the view is
// kept as base, the view index of rows[0]: 0 for a window read from the
// top, counted by the store (Position) for one read around an anchor, and
// moved by the rows each page adds or drops. Arrivals are measured, not
// guessed from change notices (a notice names a conversation, not where it
// was before): when the cursor's row is measured again after a change and
// more rows sort above it than before, the difference arrived above.

// positionMsg is the cursor row's index in the view, measured after a
// change that did not reload the window.
type positionMsg struct {
	req  int
	id   int64
	pos  int
	took time.Duration // what the count cost, to space the next out
	err  error
}

// cursorPos is the view index of the cursor's row, when known.
func (l *listPane) cursorPos() (id int64, pos int, ok bool) {
	c, has := l.selected()
	if !has || !l.baseKnown || l.static {
		return 0, 0, false
	}
	return c.ID, l.base + l.cursor, true
}

// replaceAt installs a window whose first row is view index base (-1:
// not known) and notes the rows that arrived above the cursor's row.
func (l *listPane) replaceAt(rows []inbox.Conversation, atStart, atEnd bool, keepID int64, fallback, base int) {
	prevID, prevPos, had := l.cursorPos()
	l.replace(rows, atStart, atEnd, keepID, fallback)
	if base >= 0 {
		l.base, l.baseKnown = base, true
	}
	if id, pos, ok := l.cursorPos(); ok && had && id == prevID {
		l.arrived(pos - prevPos)
	}
	l.clampNew()
}

// remeasured takes a fresh measure of the cursor row's index.
func (l *listPane) remeasured(msg positionMsg) {
	id, pos, ok := l.cursorPos()
	if msg.err != nil || !ok || id != msg.id {
		return
	}
	l.base = msg.pos - l.cursor
	l.arrived(msg.pos - pos)
	l.clampNew()
}

func (l *listPane) arrived(n int) {
	if n > 0 {
		l.newAbove += n
	}
}

// clampNew forgets arrivals the manager can now see: once the top of the
// view is on screen none is hidden, and scrolling up uncovers them.
func (l *listPane) clampNew() {
	if l.static || (l.atStart && l.offset == 0) {
		l.newAbove = 0
		return
	}
	if l.baseKnown {
		l.newAbove = min(l.newAbove, max(l.base+l.offset, 0))
	}
}

// measurePosition asks where the cursor's row sits now, after a change
// that may have put rows above the window (which then is not reloaded).
func measurePosition(ctx context.Context, svc *inbox.Service, req int, v inbox.View, network string, c inbox.Conversation) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		n, err := svc.Position(ctx, inbox.Page{View: v, Network: network}, *cursorOf(c))
		return positionMsg{req: req, id: c.ID, pos: n, took: time.Since(start), err: err}
	}
}

// remeasure is the command applyChanges adds when the window stays as it
// is: rows may still have arrived above it, out of sight, or left from
// there. The count walks the view's index up to the cursor, so it is asked
// only when a change can have moved rows above the window.
func (m *Model) remeasure(p pendingChanges, s stale) tea.Cmd {
	if s.list || m.list.static || m.list.atStart || !m.list.aboveChanged(p.placed, m.view, m.network) {
		return nil // reloaded anyway, or nothing above the window moved
	}
	if now, tick := m.posBudget.ask(m.gate.clock()); !now {
		return tick
	}
	return m.measureCursor()
}

// measureCursor counts where the cursor's row sits in its view.
func (m *Model) measureCursor() tea.Cmd {
	c, ok := m.list.selected()
	if !ok || m.list.static || m.list.atStart {
		return nil
	}
	return measurePosition(m.ctx, m.svc, m.req, m.view, m.network, c)
}

// onPositionTick measures what changes asked for during the wait.
func (m *Model) onPositionTick() tea.Cmd {
	if !m.posBudget.tick() {
		return nil
	}
	return m.measureCursor()
}

// aboveChanged says whether a change can alter how many rows sort above
// the window: a conversation of the view now sorts above it, or one left
// the view (it may have been there). One that sorts below the window, or
// in it (the window is reloaded for that), moves nothing above.
func (l *listPane) aboveChanged(placed map[int64]inbox.Placement, v inbox.View, network string) bool {
	if len(l.rows) == 0 {
		return false
	}
	first := l.rows[0]
	for _, p := range placed {
		if network != "" && p.Network != network {
			continue // never in this view
		}
		key, in := p.Keys[v]
		if !in || key < first.Key || (key == first.Key && p.ID < first.ID) {
			return true
		}
	}
	return false
}

func (m *Model) onPosition(msg positionMsg) {
	m.posBudget.measured(m.gate.clock(), msg.took)
	if msg.req == m.req && !m.list.fetching {
		m.list.remeasured(msg)
	}
}

// positionText is the right end of the key-hint line: "3 new ↑  37/154".
func (m *Model) positionText() string {
	l := &m.list
	if len(l.rows) == 0 || m.conv != nil {
		return ""
	}
	var pos, total int
	switch {
	case m.searchQuery != "":
		pos, total = l.cursor+1, len(l.rows)
		if r := m.results; l.more && r.counted && r.exact {
			total = max(r.count, total)
		}
	case l.static:
		pos, total = l.cursor+1, len(l.rows)
	case l.baseKnown && m.counts != nil:
		pos = l.base + l.cursor + 1
		total = max(m.counts[m.view], pos+len(l.rows)-1-l.cursor)
	default:
		return ""
	}
	s := m.st.Faint.Render(fmt.Sprintf("%s/%s", thousands(pos), thousands(total)))
	if l.newAbove > 0 && !l.static {
		s = m.st.Escalated.Render(fmt.Sprintf("%d new ↑", l.newAbove)) + "  " + s
	}
	return s
}

// withPosition puts the position at the right end of a hint line, cutting
// the hints to make room.
func withPosition(hints, pos string, width int) string {
	if pos == "" {
		return hints
	}
	hints = ansi.Truncate(hints, max(width-lipgloss.Width(pos)-2, 0), "…")
	line := hints + spaces(width-lipgloss.Width(hints)-lipgloss.Width(pos)) + pos
	return ansi.Truncate(line, width, "")
}

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("%*s", n, "")
}
