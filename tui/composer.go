package tui

import (
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// composer is the in-TUI reply editor: multi-line, paste, word movement
// (textarea's emacs-style keys), drafts saved as you type.
type composer struct {
	conv  int64
	ta    textarea.Model
	gen   int // bumps on every edit; a draft save only lands for the latest
	saved string
	width int
}

const composerLines = 6

func newComposer(conv int64, draft string, width int, isDark bool) *composer {
	ta := textarea.New()
	ta.SetStyles(textarea.DefaultStyles(isDark))
	ta.Placeholder = "Write a reply…"
	ta.ShowLineNumbers = false
	ta.CharLimit = 0
	ta.MaxHeight = 0
	ta.SetValue(draft)
	ta.Focus()
	c := &composer{conv: conv, ta: ta, saved: draft}
	c.setWidth(width)
	return c
}

func (c *composer) setWidth(w int) {
	c.width = w
	c.ta.SetWidth(max(w-2, 10))
	c.ta.SetHeight(composerLines)
}

func (c *composer) height() int { return composerLines + 2 }

func (c *composer) value() string { return c.ta.Value() }

func (c *composer) setValue(s string) {
	c.ta.SetValue(s)
	c.gen++
}

func (c *composer) insert(s string) {
	c.ta.InsertString(s)
	c.gen++
}

// update passes input to the textarea and reports whether the text changed.
func (c *composer) update(msg tea.Msg) (tea.Cmd, bool) {
	before := c.ta.Value()
	var cmd tea.Cmd
	c.ta, cmd = c.ta.Update(msg)
	changed := c.ta.Value() != before
	if changed {
		c.gen++
	}
	return cmd, changed
}

func (c *composer) view(st *Styles) string {
	title := st.BoxTitle.Render("Reply") + st.Faint.Render(ansi.Truncate("  ctrl+s send · ctrl+r saved replies · ctrl+e $EDITOR · esc close (draft kept)", max(c.width-8, 0), "…"))
	return title + "\n" + c.ta.View()
}

func ansiCut(s string, w int) string { return ansi.Truncate(s, max(w, 1), "…") }
