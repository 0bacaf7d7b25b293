package ok

import (
	"context"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// The group's chats through the Bot API: /me/chats lists them by last
// activity, newest first, paged by marker; /me/messages/chat:ID lists a
// chat's messages newest first between two millisecond timestamps.

const chatsPerPage = 20

// fetchChats reads the next page of chats and, for each with activity
// since it was last read, its new messages.
func (c *Connector) fetchChats(ctx context.Context, cur *cursor, b *inbox.Batch) (bool, error) {
	pg, err := c.bot.chats(ctx, cur.Marker, chatsPerPage)
	if err != nil {
		return false, err
	}
	done := pg.Marker == "" || pg.Marker == cur.Marker || len(pg.Chats) == 0
	since := time.Unix(cur.Since, 0).UnixMilli()
	for _, ch := range pg.Chats {
		if ch.ChatID == "" {
			continue
		}
		if ch.LastEventTime < since {
			done = true // sorted by activity: the rest is older still
			break
		}
		last := cur.Chats[ch.ChatID]
		if last >= ch.LastEventTime {
			continue
		}
		from := last + 1
		if last == 0 { // first read: back to the backlog
			from = c.now().Add(-c.opts.Backlog).UnixMilli()
		}
		ms, err := c.chatMessages(ctx, ch.ChatID, from)
		if err != nil {
			return false, err
		}
		for _, m := range ms {
			if m.Message.MID == "" {
				continue
			}
			b.Items = append(b.Items, c.chatItem(ch, m))
			last = max(last, m.Timestamp)
		}
		if cur.Chats == nil {
			cur.Chats = map[string]int64{}
		}
		cur.Chats[ch.ChatID] = max(last, cur.Chats[ch.ChatID])
	}
	cur.Marker = pg.Marker
	return done, nil
}

// chatMessages reads one chat's messages created at or after from (ms),
// newest first page by page, and returns them oldest first.
func (c *Connector) chatMessages(ctx context.Context, chatID string, from int64) ([]botMessage, error) {
	var out []botMessage
	seen := map[string]bool{}
	upper := c.now().Add(time.Minute).UnixMilli()
	for i := 0; i < maxPages && upper >= from; i++ {
		page, err := c.bot.messages(ctx, chatID, upper, from, 100)
		if err != nil {
			return nil, err
		}
		fresh := 0
		oldest := upper
		for _, m := range page {
			if m.Timestamp < from || seen[m.Message.MID] {
				continue
			}
			seen[m.Message.MID] = true
			fresh++
			out = append(out, m)
			oldest = min(oldest, m.Timestamp)
		}
		if len(page) < 100 || fresh == 0 {
			break
		}
		upper = oldest - 1
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// chatItem is one chat message: one conversation per chat. The group's
// own messages (sender group:ID) are outbound.
func (c *Connector) chatItem(ch chat, m botMessage) inbox.Inbound {
	dir := inbox.In
	if m.Sender.UserID == "group:"+c.opts.GroupID {
		dir = inbox.Out
	}
	msg := inbox.Message{ExternalID: chatMsg(m.Message.MID), Direction: dir, Author: c.refAuthor(m.Sender.UserID, m.Sender.Name),
		Text: m.Message.Text, CreatedAt: time.UnixMilli(m.Timestamp).UTC(), Permalink: c.chatLink(ch.ChatID)}
	for _, a := range m.Message.Attachments {
		msg.Attachments = append(msg.Attachments, a.toInbox())
	}
	return inbox.Inbound{ConversationID: chatConv(ch.ChatID), Kind: inbox.KindDM, Message: msg}
}

func (a botAttachment) toInbox() inbox.Attachment {
	kind := map[string]inbox.AttachmentKind{"IMAGE": inbox.AttachImage, "VIDEO": inbox.AttachVideo, "AUDIO": inbox.AttachAudio}[strings.ToUpper(a.Type)]
	if kind == "" {
		kind = inbox.AttachLink // SHARE, and types added later
	}
	return inbox.Attachment{Kind: kind, URL: a.Payload.URL}
}
