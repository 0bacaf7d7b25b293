package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/parleyhq/parley/inbox"
)

// The reply flow, between the composer pane and the service: opening the
// composer (with the manager's own draft, never another's), saving drafts
// as typed, the send-time check and its question, undo of a send within the
// hold, discarding a draft, saved replies and $EDITOR.

// sentMsg is the service's answer to a send.
type sentMsg struct {
	conv  int64
	entry inbox.OutboxEntry
	err   error
}

// undoneMsg is the answer to an undo.
type undoneMsg struct {
	u    inbox.Undone
	name string // the author, when one conversation was restored
	err  error
}

// holdTickMsg redraws the countdown of replies still held in the outbox.
type holdTickMsg struct{}

// insertMode says how a saved reply meets text already written.
type insertMode int

const (
	insertFill    insertMode = iota // the composer is empty
	insertReplace                   // the manager chose to replace their text
	insertAfter                     // added after their text, a blank line between
)

func undo(ctx context.Context, svc *inbox.Service, user string) tea.Cmd {
	return func() tea.Msg {
		u, err := svc.Undo(ctx, user)
		name := ""
		if err == nil && len(u.Conversations) == 1 {
			// The restored row may have left the screen: ask for its name.
			if th, oerr := svc.Open(ctx, u.Conversations[0]); oerr == nil {
				name = th.Conversation.Author.Display()
			}
		}
		return undoneMsg{u: u, name: name, err: err}
	}
}

// updateCompose handles the reply flow's messages; ok is false for others.
func (m *Model) updateCompose(msg tea.Msg) (tea.Cmd, bool) {
	c := m.composer()
	switch msg := msg.(type) {
	case insertMsg:
		if c == nil {
			return nil, true
		}
		switch msg.mode {
		case insertAfter:
			c.setValue(joinSaved(c.value(), msg.text))
		default:
			c.setValue(msg.text)
		}
		c.cont = nil
		c.ta.MoveToEnd()
		return m.draftTick(), true
	case draftTickMsg:
		if c != nil && c.conv == msg.conv && c.gen == msg.gen {
			return m.persistDraft(), true
		}
		return nil, true
	case editorReadyMsg:
		if msg.err != nil {
			m.setFlash("editor: "+errText(msg.err), true)
			return nil, true
		}
		if m.opt.Editor == "" { // asked for by a pane that cannot tell
			os.Remove(msg.path)
			m.setFlash("no $EDITOR available here; edit in the box instead", true)
			return nil, true
		}
		return editorRun(m.opt.Editor, msg.path, msg.then), true
	case editorDoneMsg:
		if msg.then != nil {
			return editorReadThen(msg.path, msg.err, msg.then), true
		}
		if msg.err != nil {
			m.setFlash("editor exited: "+errText(msg.err)+" (draft unchanged)", true)
		}
		if c == nil {
			return nil, true
		}
		return editorRead(c.conv, msg.path), true
	case editorTextMsg:
		if msg.err != nil {
			m.setFlash("editor: "+errText(msg.err), true)
			return nil, true
		}
		if c != nil && c.conv == msg.conv {
			c.setValue(msg.text)
			c.cont = nil
			return m.persistDraft(), true
		}
		return nil, true
	case sentMsg:
		return m.onSent(msg), true
	case undoneMsg:
		return m.onUndone(msg), true
	case holdTickMsg:
		m.holdTicking = false
		m.now = m.svc.Now()
		if m.conv != nil {
			m.conv.render(&m.st, m.now)
		}
		return m.armHoldTick(), true
	}
	return nil, false
}

func (m *Model) composer() *composer {
	if m.conv == nil {
		return nil
	}
	return m.conv.composer
}

// composerThread gives the open composer what the thread says.
func (m *Model) composerThread() {
	c := m.composer()
	if c == nil || m.conv.thread == nil {
		return
	}
	th := m.conv.thread
	c.setThread(th, m.opt.User, m.svc.Limit(th.Conversation.AccountID, th.Conversation.Kind), m.now)
	m.conv.setSize(m.width, m.list.height)
}

// armHoldTick keeps a countdown running while a reply on screen is held.
func (m *Model) armHoldTick() tea.Cmd {
	if m.holdTicking || m.conv == nil || m.conv.thread == nil {
		return nil
	}
	for _, msg := range m.conv.thread.Messages {
		if msg.Delivery == inbox.DeliveryQueued && msg.HoldUntil.After(m.now) {
			m.holdTicking = true
			return tea.Tick(time.Second, func(time.Time) tea.Msg { return holdTickMsg{} })
		}
	}
	return nil
}

func (m *Model) draftTick() tea.Cmd {
	c := m.conv.composer
	conv, gen := c.conv, c.gen
	return tea.Tick(400*time.Millisecond, func(time.Time) tea.Msg { return draftTickMsg{conv: conv, gen: gen} })
}

func (m *Model) persistDraft() tea.Cmd {
	c := m.conv.composer
	body := c.value()
	if body == c.saved {
		return nil
	}
	c.saved = body
	return saveDraft(m.ctx, m.svc, m.opt.User, c.conv, body)
}

// replyGuarded opens the composer, first warning when another manager is
// already writing a reply to the same conversation. The send-time check is
// the guarantee; this is the courtesy.
func (m *Model) replyGuarded() tea.Cmd {
	for _, v := range m.othersOn(m.conv.id) {
		if v.Composing {
			m.overlay = newConfirm(fmt.Sprintf("%s is already replying to this conversation.", shortName(v.User)), "Reply anyway?", m.openComposer)
			return m.here(m.conv.id, false)
		}
	}
	return m.openComposer()
}

func (m *Model) openComposer() tea.Cmd {
	if m.conv == nil || m.conv.composer != nil {
		return nil
	}
	m.conv.composer = newComposer(m.conv.id, &m.keys, m.width, m.st.IsDark)
	m.composerThread()
	m.conv.setSize(m.width, m.list.height)
	m.conv.render(&m.st, m.now)
	m.conv.toEnd()
	return tea.Batch(m.conv.composer.ta.Focus(), m.here(m.conv.id, true))
}

// closeComposer puts the composer away; the draft is saved first.
func (m *Model) closeComposer() tea.Cmd {
	cmd := m.persistDraft()
	id := m.conv.id
	m.conv.composer = nil
	m.conv.setSize(m.width, m.list.height)
	m.conv.render(&m.st, m.now)
	return tea.Batch(cmd, m.here(id, false), loadThread(m.ctx, m.svc, id))
}

func (m *Model) composerKey(msg tea.Msg) tea.Cmd {
	c := m.conv.composer
	cmd, intent, changed := c.update(msg)
	switch intent {
	case intentSend:
		return m.send(c.seen, false)
	case intentClose:
		return m.closeComposer()
	case intentDiscard:
		return m.discardDraft()
	case intentEditor:
		if m.opt.Editor == "" {
			m.setFlash("no $EDITOR available here; the built-in composer has it all", true)
			return nil
		}
		return editorOpen(c.value(), nil)
	case intentSaved:
		return loadReplies(m.opt.RepliesDir)
	}
	if changed {
		return tea.Batch(cmd, m.draftTick())
	}
	return cmd
}

// send asks the service to queue the reply. The composer stays open (and
// the text saved as the draft) until the service says it is queued, so a
// refusal or a conflict loses nothing.
func (m *Model) send(seen int64, force bool) tea.Cmd {
	c := m.composer()
	if c == nil || c.sending {
		return nil
	}
	body := c.value()
	switch {
	case strings.TrimSpace(body) == "":
		m.setFlash("the reply is empty", true)
		return nil
	case c.limit.Over(body):
		m.setFlash(fmt.Sprintf("too long for %s: %d of %s — shorten it, the draft is kept", c.network, c.limit.Count(body), c.limit), true)
		return nil
	case seen < 0:
		m.setFlash("the conversation is still loading; send again in a moment", true)
		return nil
	}
	c.sending, c.saved = true, body
	svc, ctx, user, conv := m.svc, m.ctx, m.opt.User, c.conv
	req := inbox.ReplyRequest{Actor: user, Conversation: conv, Body: body, Seen: seen, Force: force}
	return func() tea.Msg {
		// Saved first: if the reply is refused, nothing typed is lost.
		if err := svc.SaveDraft(ctx, user, conv, body); err != nil {
			return sentMsg{conv: conv, err: err}
		}
		e, err := svc.Send(ctx, req)
		return sentMsg{conv: conv, entry: e, err: err}
	}
}

func (m *Model) onSent(msg sentMsg) tea.Cmd {
	c := m.composer()
	open := c != nil && c.conv == msg.conv
	if open {
		c.sending = false
	}
	var conflict *inbox.ReplyConflict
	switch {
	case errors.As(msg.err, &conflict):
		if !open {
			m.setFlash("not sent: "+conflict.Error()+" — your text is kept as a draft", true)
			return nil
		}
		seq := conflict.Seq
		m.overlay = newStrictConfirm("Not sent: "+conflict.Error(), "Send yours anyway? y sends it, n keeps it here to edit",
			func() tea.Cmd { return m.send(seq, false) })
		return nil
	case msg.err != nil:
		m.setFlash("not sent: "+errText(msg.err)+" — the draft is kept", true)
		return nil
	}
	label := "reply queued"
	if hold := msg.entry.NextAttemptAt.Sub(m.svc.Now()); hold > 0 {
		label = fmt.Sprintf("reply queued: sending in %s — u takes it back", hold.Round(time.Second))
	}
	m.setFlash(label, false)
	if !open {
		return nil
	}
	m.conv.composer = nil
	m.conv.setSize(m.width, m.list.height)
	m.conv.render(&m.st, m.now)
	return tea.Batch(m.here(msg.conv, false), loadThread(m.ctx, m.svc, msg.conv))
}

func (m *Model) onUndone(msg undoneMsg) tea.Cmd {
	if msg.err != nil {
		m.setFlash("undo: "+errText(msg.err), !errors.Is(msg.err, inbox.ErrNothingToUndo))
		return nil
	}
	m.setFlash(undoneText(msg.u, msg.name), false)
	// A cancelled send comes back into the composer it left.
	if r := msg.u.Restored; r != 0 && m.conv != nil && m.conv.id == r && m.conv.composer == nil {
		return tea.Batch(m.openComposer(), loadThread(m.ctx, m.svc, r))
	}
	if len(msg.u.Conversations) > 0 {
		return m.follow(msg.u.Conversations[0])
	}
	return nil
}

// discardDraft throws away the manager's own draft here (undo restores it).
func (m *Model) discardDraft() tea.Cmd {
	if m.conv == nil {
		m.setFlash("open a conversation to discard your draft there", true)
		return nil
	}
	body := ""
	if c := m.conv.composer; c != nil {
		body = c.value()
		m.conv.composer = nil
		m.conv.setSize(m.width, m.list.height)
		m.conv.render(&m.st, m.now)
	} else if m.conv.thread != nil {
		if d, ok := m.conv.thread.DraftOf(m.opt.User); ok {
			body = d.Body
		}
	}
	id, user, svc, ctx := m.conv.id, m.opt.User, m.svc, m.ctx
	here := m.here(id, false)
	if strings.TrimSpace(body) == "" {
		return tea.Batch(here, func() tea.Msg {
			_ = svc.SaveDraft(ctx, user, id, "")
			return nil
		})
	}
	return tea.Batch(here, act(m.ctx, "draft discarded", func(ctx context.Context) error {
		// The latest text is what undo must bring back.
		if err := svc.SaveDraft(ctx, user, id, body); err != nil {
			return err
		}
		return svc.DiscardDraft(ctx, user, id)
	}))
}

// openSavedReplies shows the saved replies from the composer: each
// previewed with this customer's values; enter inserts the variant for the
// conversation's language (replies.go).
func (m *Model) openSavedReplies() tea.Cmd {
	if m.conv == nil || m.conv.composer == nil {
		return nil
	}
	if len(m.replies) == 0 && m.opt.RepliesDir == "" {
		m.setFlash("no saved replies: set replies_dir in the config", true)
		return nil
	}
	rc := threadContext(m.conv.thread, m.opt.User)
	written := strings.TrimSpace(m.conv.composer.value()) != ""
	m.overlay = newRepliesPane(m.ctx, m.opt.RepliesDir, &m.keys, m.st.IsDark, m.replies, rc, func(r inbox.SavedReply) tea.Cmd {
		text := inbox.FillTemplate(r.Body, rc.vars)
		if !written {
			return func() tea.Msg { return insertMsg{text: text, mode: insertFill} }
		}
		ask := newChoice("The reply already has text. What should “"+shortName(r.Name)+"” do?", []choiceItem{
			{key: "r", label: "replace your text with it", pick: func() tea.Msg { return insertMsg{text: text, mode: insertReplace} }},
			{key: "a", label: "add it after your text (a blank line between)", pick: func() tea.Msg { return insertMsg{text: text, mode: insertAfter} }},
		})
		return func() tea.Msg { return pickMsg{open: ask} }
	})
	return nil
}
