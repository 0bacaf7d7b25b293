package ok

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Perform implements sync.Connector.
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	switch {
	case a.Kind == inbox.ActionReply && strings.HasPrefix(a.ConversationID, "topic:"):
		return c.replyComment(ctx, a)
	case a.Kind == inbox.ActionReply && strings.HasPrefix(a.ConversationID, "chat:"):
		return c.replyChat(ctx, a)
	case a.Kind == inbox.ActionDelete || a.Kind == inbox.ActionReport:
		return psync.Receipt{}, c.moderate(ctx, a)
	}
	return psync.Receipt{}, psync.Permanent(fmt.Errorf("ok cannot %s in %s", a.Kind, a.ConversationID))
}

// splitTopic parses "topic:TOPIC:ID" (a conversation or a message).
func splitTopic(id string) (topic, rest string, ok bool) {
	parts := strings.SplitN(id, ":", 3)
	if len(parts) != 3 || parts[0] != "topic" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

func (c *Connector) needREST(what string) error {
	if c.rest != nil {
		return nil
	}
	return psync.Permanent(fmt.Errorf("ok: %s needs a group administrator's access token: parley connect ok", what))
}

// replyComment answers in a topic as the group. OK offers no idempotency
// key, so before repeating an attempt whose answer was lost parley looks
// for the reply that attempt may have posted.
func (c *Connector) replyComment(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	if err := c.needREST("answering a comment"); err != nil {
		return psync.Receipt{}, err
	}
	topic, _, ok := splitTopic(a.ConversationID)
	if !ok {
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("ok: %q is not a topic conversation", a.ConversationID))
	}
	if a.Attempt > 1 {
		if id, found, err := c.findOwnComment(ctx, topic, a); err != nil || found {
			return psync.Receipt{ExternalID: topicMsg(topic, id), Permalink: c.topicLink(topic)}, err
		}
	}
	q := url.Values{"entityId": {topic}, "entityType": {"GROUP_TOPIC"}, "comment": {a.Body}, "as_admin": {"true"}}
	if t, id, ok := splitTopic(a.TargetID); ok && t == topic {
		q.Set("reply_to_comment_id", id)
	}
	var raw json.RawMessage
	if err := c.rest.call(ctx, "discussions.addDiscussionComment", q, &raw); err != nil {
		return psync.Receipt{}, err
	}
	id := jsonString(raw)
	if id == "" {
		return psync.Receipt{}, errors.New("ok discussions.addDiscussionComment: accepted without a comment id")
	}
	return psync.Receipt{ExternalID: topicMsg(topic, id), Permalink: c.topicLink(topic)}, nil
}

// findOwnComment looks for a comment the group wrote with this text since
// the reply was queued.
func (c *Connector) findOwnComment(ctx context.Context, topic string, a psync.Action) (string, bool, error) {
	anchor := ""
	for i := 0; i < maxPages; i++ {
		q := url.Values{"discussionId": {topic}, "discussionType": {"GROUP_TOPIC"}, "count": {"100"}, "direction": {"FORWARD"}}
		if anchor != "" {
			q.Set("anchor", anchor)
		}
		var pg commentsPage
		if err := c.rest.call(ctx, "discussions.getComments", q, &pg); err != nil {
			return "", false, err
		}
		for _, cm := range pg.Comments {
			own := cm.AuthorType == "GROUP" || cm.AuthorID == c.opts.GroupID
			if own && cm.Text == a.Body && !cm.created().Before(a.Queued.Add(-overlap)) {
				return cm.ID, true, nil
			}
		}
		if !pg.HasMore || pg.Anchor == "" || pg.Anchor == anchor {
			return "", false, nil
		}
		anchor = pg.Anchor
	}
	return "", false, nil
}

// replyChat posts in a group chat through the Bot API, after looking for
// an earlier attempt's message on a retry (the Bot API has no
// idempotency key either).
func (c *Connector) replyChat(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	if c.bot == nil {
		return psync.Receipt{}, psync.Permanent(errors.New("ok: answering in a chat needs the group's Bot API token: parley connect ok --bot-token-file F"))
	}
	chatID := a.ConversationID
	if a.Attempt > 1 {
		ms, err := c.chatMessages(ctx, chatID, a.Queued.Add(-overlap).UnixMilli())
		if err != nil {
			return psync.Receipt{}, err
		}
		for _, m := range ms {
			if m.Sender.UserID == "group:"+c.opts.GroupID && m.Message.Text == a.Body {
				return psync.Receipt{ExternalID: chatMsg(m.Message.MID), Permalink: c.chatLink(chatID)}, nil
			}
		}
	}
	res, err := c.bot.send(ctx, chatID, a.Body)
	if err != nil {
		return psync.Receipt{}, err
	}
	if res.MessageID == "" {
		return psync.Receipt{}, errors.New("ok bot: the message was accepted without a message_id")
	}
	return psync.Receipt{ExternalID: chatMsg(res.MessageID), Permalink: c.chatLink(chatID)}, nil
}

// moderate deletes a topic comment or reports it as spam. Chat messages
// cannot be deleted or reported through the Bot API.
func (c *Connector) moderate(ctx context.Context, a psync.Action) error {
	topic, id, ok := splitTopic(a.TargetID)
	if !ok {
		return psync.Permanent(fmt.Errorf("ok: %q is not a topic comment: OK's Bot API cannot delete or report chat messages", a.TargetID))
	}
	if err := c.needREST("moderating a comment"); err != nil {
		return err
	}
	method := "discussions.deleteDiscussionComment"
	if a.Kind == inbox.ActionReport {
		method = "discussions.markCommentAsSpam"
	}
	err := c.rest.call(ctx, method, url.Values{"discussionId": {topic}, "discussionType": {"GROUP_TOPIC"}, "comment_id": {id}}, nil)
	if codeOf(err) == errNotFound && a.Kind == inbox.ActionDelete {
		return nil // already gone: what was asked for is true
	}
	return err
}
