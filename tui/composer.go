package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// composer is the in-TUI reply editor: multi-line, paste, word movement
// (textarea's emacs-style keys), drafts saved as you type. It owns its keys
// and tells the root what the manager asked for (send, close, discard…);
// the root runs the service calls.
type composer struct {
	conv  int64
	keys  *KeyMap
	ta    textarea.Model
	gen   int // bumps on every edit; a draft save only lands for the latest
	saved string
	width int

	// seen is the thread's OutSeq when writing began (-1 until the thread
	// is known): the send-time check stops a reply if anyone replied since.
	seen int64
	// cont is the manager's own earlier draft this composer continues,
	// shown in the header so old text is never sent unnoticed.
	cont     *inbox.Draft
	audience string
	network  string
	limit    inbox.TextLimit
	sending  bool // a send is on its way to the service; keys wait
	lines    int  // the textarea's height now
}

// composeIntent is what a key in the composer asks the root to do.
type composeIntent int

const (
	intentNone composeIntent = iota
	intentSend
	intentClose
	intentDiscard
	intentEditor
	intentSaved
)

// composerLines is the textarea's height where there is room; a short
// terminal gets fewer lines so the message being answered stays in view.
const composerLines = 6

func newComposer(conv int64, keys *KeyMap, width int, isDark bool) *composer {
	ta := textarea.New()
	ta.SetStyles(textarea.DefaultStyles(isDark))
	ta.Placeholder = "Write a reply…"
	ta.ShowLineNumbers = false
	ta.CharLimit = 0
	ta.MaxHeight = 0
	ta.Focus()
	c := &composer{conv: conv, keys: keys, ta: ta, seen: -1}
	c.setWidth(width)
	return c
}

// setThread fills in what the composer learns from the thread: who will
// read the reply, the network's limit, the manager's own draft (only into
// an untouched, empty composer) and, once, what was seen.
func (c *composer) setThread(th *inbox.Thread, user string, limit inbox.TextLimit, now time.Time) {
	if th == nil {
		return
	}
	c.network = th.Conversation.Network
	c.audience = inbox.Audience(th.Conversation, th.Conversation.Network, th.WindowCloses, now)
	c.limit = limit
	if c.seen < 0 {
		c.seen = th.OutSeq
	}
	if d, ok := th.DraftOf(user); ok && c.gen == 0 && c.value() == "" {
		c.ta.SetValue(d.Body)
		c.saved = d.Body
		c.cont = &d
	}
}

// setSize fits the composer to the conversation pane: at most half of it,
// between 2 and composerLines lines of text.
func (c *composer) setSize(w, paneH int) {
	c.lines = min(composerLines, max(2, paneH/2-2))
	c.setWidth(w)
}

func (c *composer) setWidth(w int) {
	c.width = w
	c.ta.SetWidth(max(w-2, 10))
	if c.lines == 0 {
		c.lines = composerLines
	}
	c.ta.SetHeight(c.lines)
}

func (c *composer) height() int {
	h := c.lines + 2
	if c.cont != nil {
		h++
	}
	return h
}

func (c *composer) value() string { return c.ta.Value() }

func (c *composer) setValue(s string) {
	c.ta.SetValue(s)
	c.gen++
}

// update handles a message; for keys it reports what the manager asked the
// root to do and whether the text changed.
func (c *composer) update(msg tea.Msg) (tea.Cmd, composeIntent, bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, c.keys.Send):
			return nil, intentSend, false
		case key.Matches(k, c.keys.CloseComposer):
			return nil, intentClose, false
		case key.Matches(k, c.keys.Discard):
			return nil, intentDiscard, false
		case key.Matches(k, c.keys.Editor):
			return nil, intentEditor, false
		case key.Matches(k, c.keys.Saved):
			return nil, intentSaved, false
		}
		if c.sending {
			return nil, intentNone, false
		}
	}
	before := c.ta.Value()
	var cmd tea.Cmd
	c.ta, cmd = c.ta.Update(msg)
	changed := c.ta.Value() != before
	if changed {
		c.gen++
		c.cont = nil // the manager is working on it now: no longer "old"
	}
	return cmd, intentNone, changed
}

// counter is "123/500" in the network's unit, or "" with no limit.
func (c *composer) counter() (string, bool) {
	if c.limit.Max == 0 {
		return "", false
	}
	n := c.limit.Count(c.value())
	if n > c.limit.Max {
		return fmt.Sprintf("%d/%d — %d over %s's limit", n, c.limit.Max, n-c.limit.Max, c.network), true
	}
	return fmt.Sprintf("%d/%d", n, c.limit.Max), false
}

func (c *composer) view(st *Styles, now time.Time) string {
	title := st.BoxTitle.Render("Reply")
	if c.audience != "" {
		title += " " + st.Queued.Render(screenLine(c.audience))
	}
	if cnt, over := c.counter(); cnt != "" {
		style := st.Faint
		if over {
			style = st.Failed
		}
		title += "  " + style.Render(cnt)
	}
	var b strings.Builder
	b.WriteString(ansiCut(title, max(c.width, 10)) + "\n")
	if c.cont != nil {
		b.WriteString(st.Escalated.Render(ansiCut("✎ this is your unsent draft from "+ago(c.cont.UpdatedAt, now)+" — keep writing, or ctrl+x to discard it", c.width)) + "\n")
	}
	hints := "ctrl+s send · ctrl+r saved replies · ctrl+e $EDITOR · ctrl+x discard · esc close (draft kept)"
	// Narrower terminals get shorter words, then the keys that matter
	// most; help (?) lists them all.
	for _, short := range []string{"ctrl+s send · ctrl+r saved · ctrl+e editor · ctrl+x discard · esc keeps draft",
		"ctrl+s send · ctrl+x discard · esc keeps draft"} {
		if cellWidth(hints) > c.width {
			hints = short
		}
	}
	if c.sending {
		hints = "sending…"
	}
	b.WriteString(st.Faint.Render(ansiCut(hints, c.width)) + "\n")
	b.WriteString(c.ta.View())
	return b.String()
}

// joinSaved adds a saved reply after the text already written, with a
// blank line between, never glued to it.
func joinSaved(text, saved string) string {
	text = strings.TrimRight(text, " \t\n")
	if text == "" {
		return saved
	}
	return text + "\n\n" + saved
}
