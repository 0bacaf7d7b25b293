package tui

import (
	"context"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// Spam offers, after marking one conversation spam, what its network
// allows beyond parley: hiding the comment and blocking its author. Both
// reach the network and cannot be undone, so each asks first.
const (
	spamKeep  = "nothing more (spam stays in parley only)"
	spamHide  = "also hide the comment on the network"
	spamBlock = "also block "
	spamBoth  = "also hide the comment and block "
)

// spamItems are the follow-ups a network allows for the author who.
func spamItems(acts []inbox.ActionKind, who string) []string {
	hide, block := slices.Contains(acts, inbox.ActionHide), slices.Contains(acts, inbox.ActionBlock)
	items := []string{spamKeep}
	if hide {
		items = append(items, spamHide)
	}
	if block {
		items = append(items, spamBlock+who)
	}
	if hide && block {
		items = append(items, spamBoth+who)
	}
	return items
}

// openSpam routes the spam key: in the Spam view it takes the mark away,
// elsewhere it marks the targets spam (undoable) and, for one conversation
// on a network that can hide or block, asks whether to do that too.
func (m *Model) openSpam() tea.Cmd {
	ids := m.targets()
	if len(ids) == 0 {
		m.setFlash("nothing selected", true)
		return nil
	}
	u := m.opt.User
	if m.view == inbox.ViewSpam {
		return tea.Batch(m.bulk("not spam, back in the Inbox", func(ctx context.Context, ids []int64) error { return m.svc.NotSpam(ctx, u, ids) }), m.closeConv())
	}
	c, one := m.current()
	mark := m.bulk("marked spam", func(ctx context.Context, ids []int64) error { return m.svc.MarkSpam(ctx, u, ids) })
	if !one || len(ids) != 1 {
		return tea.Batch(mark, m.closeConv())
	}
	who := shortName(c.Author.Handle)
	if who == "" {
		who = shortName(c.Author.Display())
	}
	items := spamItems(m.svc.Moderation(c.AccountID), who)
	if len(items) == 1 {
		return tea.Batch(mark, m.closeConv())
	}
	id := c.ID
	queue := func(acts ...inbox.ActionKind) tea.Cmd {
		return act(m.ctx, "spam: "+plural(len(acts), "moderation action")+" queued", func(ctx context.Context) error {
			for _, a := range acts {
				if err := m.svc.Moderate(ctx, u, id, a, ""); err != nil {
					return err
				}
			}
			return nil
		})
	}
	m.overlay = newPicker("Marked spam. On "+c.Network+" too?", items, false, func(choice string) tea.Cmd {
		var acts []inbox.ActionKind
		switch choice {
		case spamHide:
			acts = []inbox.ActionKind{inbox.ActionHide}
		case spamBlock + who:
			acts = []inbox.ActionKind{inbox.ActionBlock}
		case spamBoth + who:
			acts = []inbox.ActionKind{inbox.ActionHide, inbox.ActionBlock}
		default:
			return nil
		}
		ask := newConfirm(choice[len("also "):]+"?", "This reaches "+c.Network+" and cannot be undone from parley (u undoes only the spam mark).",
			func() tea.Cmd { return queue(acts...) })
		return func() tea.Msg { return pickMsg{open: ask} }
	})
	return tea.Batch(mark, m.closeConv())
}

// current is the conversation the keys act on: the open one, or the
// list's selected row.
func (m *Model) current() (inbox.Conversation, bool) {
	if m.conv != nil {
		if m.conv.thread == nil {
			return inbox.Conversation{}, false
		}
		return m.conv.thread.Conversation, true
	}
	return m.list.selected()
}
