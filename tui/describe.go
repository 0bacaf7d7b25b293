package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Every action's flash says what happened and to what: "done: Noor de
// Boer", "marked 3 conversations negative", "undid: tag on Noor de Boer".

// known finds a conversation the screen holds: a list row or the open one.
func (m *Model) known(id int64) (inbox.Conversation, bool) {
	if m.conv != nil && m.conv.id == id && m.conv.thread != nil {
		return m.conv.thread.Conversation, true
	}
	for _, c := range m.list.rows {
		if c.ID == id {
			return c, true
		}
	}
	return inbox.Conversation{}, false
}

// who names what an action touched: one conversation by its author, more
// by how many.
func (m *Model) who(ids []int64) string {
	if len(ids) == 1 {
		if c, ok := m.known(ids[0]); ok {
			return shortName(c.Author.Display())
		}
		return "1 conversation"
	}
	return fmt.Sprintf("%d conversations", len(ids))
}

// actionLabel is a bulk action's flash: "snoozed until Mon 09:00: Noor de Boer".
func (m *Model) actionLabel(label string, ids []int64) string {
	return label + ": " + m.who(ids)
}

// negativeLabel says which way n will go: like the service, it marks all
// negative unless all already are.
func (m *Model) negativeLabel(ids []int64) string {
	all := len(ids) > 0
	for _, id := range ids {
		c, ok := m.known(id)
		if !ok {
			return "toggled negative"
		}
		all = all && c.Negative
	}
	if all {
		return "unmarked negative"
	}
	return "marked negative"
}

// tagLabel says whether t adds the tag or, as every target has it
// already, takes it off.
func (m *Model) tagLabel(tag string, ids []int64) string {
	tag = inbox.NormalizeTag(tag)
	all := len(ids) > 0
	for _, id := range ids {
		c, ok := m.known(id)
		all = all && ok && slices.Contains(c.Tags, tag)
	}
	if all {
		return "untagged #" + tag
	}
	return "tagged #" + tag
}

// snoozedLabel says until when, in the manager's time.
func snoozedLabel(until time.Time) string {
	return "snoozed until " + until.Local().Format("Mon 2 Jan 15:04")
}

// undoWords are the journal's actions as a manager would say them.
var undoWords = map[string]string{
	"mark_negative": "mark negative", "unmark_negative": "unmark negative",
	"discard_draft": "discard draft",
}

// undoneText says what an undo reverted and to whom; name is the author
// when one conversation was restored.
func undoneText(u inbox.Undone, name string) string {
	action := u.Action
	if w, ok := undoWords[action]; ok {
		action = w
	}
	action = strings.ReplaceAll(action, "_", " ")
	s := "undid: " + action
	switch n := len(u.Conversations); {
	case n == 1 && name != "":
		s += " on " + shortName(name)
	case n > 1:
		s += fmt.Sprintf(" on %d conversations", n)
	}
	if len(u.Notes) > 0 {
		s += " — " + strings.Join(u.Notes, "; ")
	}
	return s
}

// negativeEarlier says the conversation's negative mark comes from an
// earlier message than the one its row shows: the detector's reasons are
// nowhere in the preview. Manual and rule marks are about the whole
// conversation, and a review's rating is the review.
func negativeEarlier(c inbox.Conversation) bool {
	if !c.Negative || c.NegSource != inbox.NegAuto || c.Messages < 2 || len(c.NegReasons) == 0 {
		return false
	}
	p := strings.ToLower(c.Preview)
	for _, r := range c.NegReasons {
		if strings.HasPrefix(r, "rating") || strings.Contains(p, strings.ToLower(r)) {
			return false
		}
	}
	return true
}
