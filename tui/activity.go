package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// activityPane is a conversation's activity log: the journal, newest
// first — who did what, when, and what was undone. Read-only; any key
// but movement closes it.
type activityPane struct {
	title  string
	events []inbox.Event
	now    time.Time
	keys   *KeyMap
	vp     viewport.Model
	width  int
}

func newActivityPane(title string, events []inbox.Event, now time.Time, keys *KeyMap) *activityPane {
	return &activityPane{title: title, events: events, now: now, keys: keys, vp: viewport.New()}
}

func (p *activityPane) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	switch {
	case key.Matches(k, p.keys.Down):
		p.vp.ScrollDown(1)
	case key.Matches(k, p.keys.Up):
		p.vp.ScrollUp(1)
	case key.Matches(k, p.keys.PageDown):
		p.vp.PageDown()
	case key.Matches(k, p.keys.PageUp):
		p.vp.PageUp()
	default:
		return nil, nil
	}
	return p, nil
}

// lines renders the events, newest first, each on one line.
func (p *activityPane) lines(st *Styles, w int) string {
	if len(p.events) == 0 {
		return st.Dim.Render("Nothing has happened here yet.")
	}
	var b strings.Builder
	for i := len(p.events) - 1; i >= 0; i-- {
		e := p.events[i]
		when := e.At.Local().Format("Mon 2 Jan 15:04")
		who := cutCell(screenLine(e.Actor), 16)
		what := screenLine(e.Describe())
		line := st.Meta.Render(when) + "  " + st.Author.Render(who) + "  "
		rest := ansiCut(what, max(w-cellWidth(when)-cellWidth(who)-4, 10))
		if e.Undone {
			line += st.Faint.Strikethrough(true).Render(rest) + st.Faint.Render(" (undone)")
		} else {
			line += rest
		}
		b.WriteString(ansiCut(line, w) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (p *activityPane) view(st *Styles, width, height int) string {
	w := min(max(width*3/4, 50), width-4)
	h := max(min(height-8, len(p.events)), 1)
	if p.width != w || p.vp.Height() != h {
		p.width = w
		p.vp.SetWidth(w - 4)
		p.vp.SetHeight(h)
		p.vp.SetContent(p.lines(st, w-4))
	}
	body := ansiCut(st.BoxTitle.Render(p.title), w-4) + "\n" + p.vp.View() + "\n" + st.Faint.Render("j/k scroll · any other key closes")
	return st.Box.Width(w).Render(body)
}

// openActivity routes the activity key: the journal of the open
// conversation (or the row under the cursor) in its own pane.
func (m *Model) openActivity() tea.Cmd {
	ids := m.targets()
	if len(ids) != 1 {
		m.setFlash("the activity log is about one conversation: select one", true)
		return nil
	}
	ctx, svc, keys, id := m.ctx, m.svc, &m.keys, ids[0]
	return func() tea.Msg {
		evs, err := svc.Journal(ctx, id)
		if err != nil {
			return actionMsg{label: "activity", err: err}
		}
		return pickMsg{open: newActivityPane("Activity", evs, svc.Now(), keys)}
	}
}
