package tui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/parleyhq/parley/inbox"
)

// notePane writes an internal note: a few lines for colleagues, never sent
// to the network. ctrl+s (or alt+enter) saves, esc cancels; enter is a new
// line, so a habit of pressing enter never posts half a note.
type notePane struct {
	ta    textarea.Model
	keys  *KeyMap
	names []string // managers who can be @mentioned, shown as a hint
	save  func(text string) tea.Cmd
}

func newNotePane(keys *KeyMap, names []string, isDark bool, save func(string) tea.Cmd) *notePane {
	ta := textarea.New()
	ta.SetStyles(textarea.DefaultStyles(isDark))
	ta.Placeholder = "Only the team sees this. @name marks it for a colleague."
	ta.ShowLineNumbers = false
	ta.CharLimit = 4000
	ta.SetHeight(4)
	ta.Focus()
	return &notePane{ta: ta, keys: keys, names: names, save: save}
}

func (p *notePane) update(k tea.KeyPressMsg) (overlay, tea.Cmd) {
	switch {
	case k.String() == "esc":
		return nil, nil
	case key.Matches(k, p.keys.Send):
		if strings.TrimSpace(p.ta.Value()) == "" {
			return nil, nil
		}
		return nil, p.save(p.ta.Value())
	}
	var cmd tea.Cmd
	p.ta, cmd = p.ta.Update(k)
	return p, cmd
}

func (p *notePane) paste(msg tea.PasteMsg) { p.ta, _ = p.ta.Update(msg) }

func (p *notePane) view(st *Styles, width, height int) string {
	w := min(max(width*2/3, 44), width-4)
	p.ta.SetWidth(w - 4)
	hint := "ctrl+s save · esc cancel · never sent to the customer"
	if len(p.names) > 0 {
		hint += " · @" + strings.Join(p.names, " @")
	}
	body := st.BoxTitle.Render("Internal note") + "\n" + p.ta.View() + "\n" + st.Faint.Render(ansiCut(screenLine(hint), w-4))
	return st.Box.Width(w).Render(body)
}

// openNote routes the note key: the note pane for the open conversation
// or the row under the cursor (one conversation: a note is about one).
func (m *Model) openNote() {
	ids := m.targets()
	if len(ids) != 1 {
		m.setFlash("a note is about one conversation: select one", true)
		return
	}
	id, u, svc := ids[0], m.opt.User, m.svc
	items := managerItems(u, m.opt.Managers)
	others := items[1 : len(items)-1] // not "me", not "nobody"
	m.overlay = newNotePane(&m.keys, others, m.st.IsDark, func(text string) tea.Cmd {
		return act(m.ctx, "note added", func(ctx context.Context) error {
			_, err := svc.AddNote(ctx, u, id, text)
			return err
		})
	})
}

// renderNote draws an internal note in the thread: a bar on the left, the
// author and time, and the text; nothing a customer wrote looks like it.
func renderNote(st *Styles, n inbox.Note, w int, now time.Time) string {
	head := "✎ internal note · " + shortName(n.Author) + " · " + ago(n.CreatedAt, now)
	if len(n.Mentions) > 0 {
		head += " · for @" + screenLine(strings.Join(n.Mentions, " @"))
	}
	body := st.NoteMention.Render(ansiCut(head, w-2)) + "\n" + cutLines(lipgloss.NewStyle().Width(w-2).Render(screenText(n.Text)), w-2)
	return st.Note.Width(w).Render(body) + "\n"
}
