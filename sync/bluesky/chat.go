package bluesky

import (
	"context"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// chat reads direct messages. The first time, every conversation with a
// message inside the backlog is read (listConvos, getMessages); from then
// on the chat event log (getLog) is the incremental feed, from the
// newest rev seen.
func (c *Connector) chat(ctx context.Context, cur *cursor, b *inbox.Batch) error {
	if cur.Chat == "" {
		return c.chatFirst(ctx, cur, b)
	}
	me := c.api.did()
	members := map[string][]profile{}
	for i := 0; i < maxChatPages; i++ {
		var p logPage
		if err := c.api.get(ctx, "chat.bsky.convo.getLog", map[string][]string{"cursor": {cur.Chat}}, &p); err != nil {
			return err
		}
		for _, l := range p.Logs {
			if l.Rev > cur.Chat {
				cur.Chat = l.Rev
			}
			if l.Message == nil || l.ConvoID == "" {
				continue
			}
			switch {
			case strings.HasSuffix(l.Type, "#logCreateMessage"):
				ms, ok := members[l.ConvoID]
				if !ok {
					var ans struct {
						Convo convoView `json:"convo"`
					}
					if err := c.api.get(ctx, "chat.bsky.convo.getConvo", map[string][]string{"convoId": {l.ConvoID}}, &ans); err != nil {
						return err
					}
					ms = ans.Convo.Members
					members[l.ConvoID] = ms
				}
				if it, ok := dmItem(l.ConvoID, *l.Message, ms, me); ok {
					b.Items = append(b.Items, it)
				}
			case strings.HasSuffix(l.Type, "#logDeleteMessage"):
				b.Deletions = append(b.Deletions, inbox.Deletion{ExternalID: dmMsgID(l.ConvoID, l.Message.ID, l.Message.Sender.DID), At: time.Now()})
			}
		}
		if p.Cursor != "" && p.Cursor > cur.Chat {
			cur.Chat = p.Cursor
		}
		if len(p.Logs) == 0 || p.Cursor == "" {
			break
		}
	}
	return nil
}

func (c *Connector) chatFirst(ctx context.Context, cur *cursor, b *inbox.Batch) error {
	cutoff := time.Now().Add(-c.opts.Backlog)
	me := c.api.did()
	rev := ""
	page := ""
	for i := 0; i < maxChatPages; i++ {
		q := map[string][]string{"limit": {"100"}}
		if page != "" {
			q["cursor"] = []string{page}
		}
		var p convoPage
		if err := c.api.get(ctx, "chat.bsky.convo.listConvos", q, &p); err != nil {
			return err
		}
		for _, cv := range p.Convos {
			if cv.Rev > rev {
				rev = cv.Rev
			}
			if cv.LastMessage == nil || parseTime(cv.LastMessage.SentAt).Before(cutoff) {
				continue
			}
			if err := c.convoMessages(ctx, cv, cutoff, me, b); err != nil {
				return err
			}
		}
		if p.Cursor == "" || p.Cursor == page {
			break
		}
		page = p.Cursor
	}
	if rev == "" {
		rev = "0" // no conversations yet: the log from its start
	}
	cur.Chat = rev
	return nil
}

// convoMessages reads one conversation back to the cutoff.
func (c *Connector) convoMessages(ctx context.Context, cv convoView, cutoff time.Time, me string, b *inbox.Batch) error {
	page := ""
	var got []inbox.Inbound
	for i := 0; i < maxChatPages; i++ {
		q := map[string][]string{"convoId": {cv.ID}, "limit": {"100"}}
		if page != "" {
			q["cursor"] = []string{page}
		}
		var p messagePage
		if err := c.api.get(ctx, "chat.bsky.convo.getMessages", q, &p); err != nil {
			return err
		}
		old := false
		for _, m := range p.Messages {
			if parseTime(m.SentAt).Before(cutoff) {
				old = true
				continue
			}
			if it, ok := dmItem(cv.ID, m, cv.Members, me); ok {
				got = append(got, it)
			}
		}
		if old || p.Cursor == "" || p.Cursor == page {
			break
		}
		page = p.Cursor
	}
	for i := len(got) - 1; i >= 0; i-- { // newest first on the wire
		b.Items = append(b.Items, got[i])
	}
	return nil
}

// dmItem turns a chat message into an inbox item; deleted messages
// (#deletedMessageView, no text) are skipped.
func dmItem(convo string, m chatMessage, members []profile, me string) (inbox.Inbound, bool) {
	// Ids with a colon would not parse back out of parley's ids.
	if convo == "" || strings.Contains(convo, ":") || m.ID == "" || strings.Contains(m.ID, ":") || !strings.HasPrefix(m.Sender.DID, "did:") || strings.HasSuffix(m.Type, "#deletedMessageView") || strings.TrimSpace(m.Text) == "" {
		return inbox.Inbound{}, false
	}
	dir := inbox.In
	if m.Sender.DID == me {
		dir = inbox.Out
	}
	a := inbox.Author{ID: m.Sender.DID}
	for _, p := range members {
		if p.DID == m.Sender.DID {
			a = author(p)
		}
	}
	return inbox.Inbound{ConversationID: dmConv(convo), Kind: inbox.KindDM,
		Message: inbox.Message{ExternalID: dmMsgID(convo, m.ID, m.Sender.DID), Direction: dir, Author: a, Text: m.Text,
			CreatedAt: parseTime(m.SentAt)}}, true
}
