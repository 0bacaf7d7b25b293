package vk

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

type conversationsPage struct {
	Count int `json:"count"`
	Items []struct {
		Conversation struct {
			Peer struct {
				ID   int64  `json:"id"`
				Type string `json:"type"`
			} `json:"peer"`
		} `json:"conversation"`
		LastMessage *message `json:"last_message"`
	} `json:"items"`
	Profiles []profile `json:"profiles"`
	Groups   []group   `json:"groups"`
}

type historyPage struct {
	Count    int       `json:"count"`
	Items    []message `json:"items"`
	Profiles []profile `json:"profiles"`
	Groups   []group   `json:"groups"`
}

const dialogsPerPage = 20

// fetchDialogs reads the next page of the community's conversations, most
// recent first, and each one's messages since the pass began.
func (c *Connector) fetchDialogs(ctx context.Context, cur *cursor, b *inbox.Batch) (bool, error) {
	var pg conversationsPage
	err := c.group.call(ctx, "messages.getConversations", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "filter": {"all"},
		"offset": {strconv.Itoa(cur.Offset)}, "count": {strconv.Itoa(dialogsPerPage)}, "extended": {"1"}, "fields": {"screen_name"}}, &pg)
	if err != nil {
		return false, err
	}
	c.addPeople(pg.Profiles, pg.Groups)
	done := len(pg.Items) == 0 || cur.Offset+len(pg.Items) >= pg.Count
	for _, it := range pg.Items {
		if it.LastMessage == nil || it.LastMessage.Date < cur.Since {
			done = true
			break
		}
		ms, err := c.history(ctx, it.Conversation.Peer.ID, cur.Since)
		if err != nil {
			return false, err
		}
		for _, m := range ms {
			b.Items = append(b.Items, c.dmItem(m))
		}
	}
	cur.Offset += len(pg.Items)
	return done, nil
}

// history reads one conversation newest first down to since and returns
// it oldest first.
func (c *Connector) history(ctx context.Context, peer int64, since int64) ([]message, error) {
	return newestBack(func(offset int) ([]message, int, error) {
		var pg historyPage
		err := c.group.call(ctx, "messages.getHistory", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "peer_id": {strconv.FormatInt(peer, 10)},
			"offset": {strconv.Itoa(offset)}, "count": {"200"}, "extended": {"1"}, "fields": {"screen_name"}}, &pg)
		if err != nil {
			return nil, 0, err
		}
		c.addPeople(pg.Profiles, pg.Groups)
		return pg.Items, pg.Count, nil
	}, func(it message) (int64, int64) { return it.ID, it.Date }, since)
}

// dmItem is one community message: one conversation per peer. Messages
// the community sent (out=1, from any admin or app) are outbound.
func (c *Connector) dmItem(m message) inbox.Inbound {
	dir := inbox.In
	if m.Out == 1 || m.FromID == c.ownerID() {
		dir = inbox.Out
	}
	body := contentOf(m.Text, m.Attachments)
	if m.ReplyMessage != nil {
		body.Text = "↪ " + psync.Truncate(render(m.ReplyMessage.Text), 80) + "\n" + body.Text
	}
	for _, f := range m.FwdMessages {
		fc := contentOf(f.Text, f.Attachments)
		body.Text += "\n[forwarded] " + psync.Truncate(fc.Text, 200)
		body.Attachments = append(body.Attachments, fc.Attachments...)
		if body.Poll == nil {
			body.Poll = fc.Poll
		}
	}
	from := m.FromID
	if dir == inbox.Out {
		from = c.ownerID()
	}
	msg := inbox.Message{ExternalID: dmMsg(m.ID), Direction: dir, Author: c.author(from), CreatedAt: unix(m.Date), Permalink: c.dmLink(m.PeerID)}
	if m.UpdateTime > 0 {
		msg.EditedAt = unix(m.UpdateTime)
	}
	body.set(&msg)
	return inbox.Inbound{ConversationID: dmConv(m.PeerID), Kind: inbox.KindDM, Message: msg}
}
