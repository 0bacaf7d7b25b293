package vk

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Perform implements sync.Connector.
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	kind, parts := splitID(a.ConversationID)
	switch {
	case a.Kind == inbox.ActionReply && kind == "wall" && len(parts) == 2:
		return c.replyWall(ctx, a, parts[0], parts[1])
	case a.Kind == inbox.ActionReply && kind == "board" && len(parts) == 1:
		return c.replyBoard(ctx, a, parts[0])
	case a.Kind == inbox.ActionReply && kind == "market" && len(parts) == 1:
		return c.replyMarket(ctx, a, parts[0])
	case a.Kind == inbox.ActionReply && kind == "dm" && len(parts) == 1:
		return c.replyDM(ctx, a, parts[0])
	case a.Kind == inbox.ActionDelete:
		return psync.Receipt{}, c.deleteComment(ctx, a.TargetID)
	case a.Kind == inbox.ActionBlock:
		return psync.Receipt{}, c.ban(ctx, a)
	}
	return psync.Receipt{}, psync.Permanent(fmt.Errorf("vk cannot %s in %s", a.Kind, a.ConversationID))
}

// splitID parses "wall:77:501" into ("wall", [77 501]).
func splitID(id string) (string, []int64) {
	fs := strings.Split(id, ":")
	var out []int64
	for _, f := range fs[1:] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return "", nil
		}
		out = append(out, n)
	}
	return fs[0], out
}

// needs names the token an action requires when it is missing.
func needs(a *api, what string) error {
	if a != nil {
		return nil
	}
	return psync.Permanent(fmt.Errorf("vk: %s", what))
}

// replyWall answers under a wall comment as the community. guid makes VK
// drop a repeat of the same call; before repeating an attempt whose answer
// was lost we still look for the reply it may have posted.
func (c *Connector) replyWall(ctx context.Context, a psync.Action, post, top int64) (psync.Receipt, error) {
	api := c.group
	if api == nil {
		api = c.user // an admin may post as the community too
	}
	to := top
	if k, p := splitID(a.TargetID); k == "wall" && len(p) == 2 {
		to = p[1]
	}
	if a.Attempt > 1 && c.user != nil {
		if id, ok, err := c.findWallReply(ctx, post, top, a.Body); err != nil || ok {
			return psync.Receipt{ExternalID: wallMsg(int(post), id), Permalink: c.wallLink(int(post), id, top)}, err
		}
	}
	var res struct {
		CommentID int64 `json:"comment_id"`
	}
	err := api.call(ctx, "wall.createComment", url.Values{"owner_id": {fmt.Sprint(c.ownerID())}, "post_id": {fmt.Sprint(post)},
		"from_group": {fmt.Sprint(c.opts.GroupID)}, "message": {a.Body}, "reply_to_comment": {fmt.Sprint(to)}, "guid": {guid(a.IdempotencyKey)}}, &res)
	if err != nil {
		return psync.Receipt{}, err
	}
	if res.CommentID == 0 {
		return psync.Receipt{}, errors.New("vk wall.createComment: accepted without a comment_id")
	}
	return psync.Receipt{ExternalID: wallMsg(int(post), res.CommentID), Permalink: c.wallLink(int(post), res.CommentID, top)}, nil
}

func (c *Connector) findWallReply(ctx context.Context, post, top int64, body string) (int64, bool, error) {
	rs, err := c.commentList(ctx, int(post), top)
	if err != nil {
		return 0, false, err
	}
	for _, r := range rs {
		if r.FromID == c.ownerID() && r.Text == body {
			return r.ID, true, nil
		}
	}
	return 0, false, nil
}

func (c *Connector) replyBoard(ctx context.Context, a psync.Action, topic int64) (psync.Receipt, error) {
	if err := needs(c.user, "answering in a discussion board needs the admin user token (board.createComment takes no community token): parley connect vk --user-token-file F"); err != nil {
		return psync.Receipt{}, err
	}
	if a.Attempt > 1 {
		cs, err := c.topicComments(ctx, int(topic), a.Queued.Add(-overlap).Unix())
		if err != nil {
			return psync.Receipt{}, err
		}
		for _, cm := range cs {
			if cm.FromID == c.ownerID() && cm.Text == a.Body {
				return psync.Receipt{ExternalID: boardMsg(int(topic), cm.ID), Permalink: c.boardLink(int(topic), cm.ID)}, nil
			}
		}
	}
	var id int64
	err := c.user.call(ctx, "board.createComment", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "topic_id": {fmt.Sprint(topic)},
		"message": {a.Body}, "from_group": {"1"}, "guid": {guid(a.IdempotencyKey)}}, &id)
	if err != nil {
		return psync.Receipt{}, err
	}
	return psync.Receipt{ExternalID: boardMsg(int(topic), id), Permalink: c.boardLink(int(topic), id)}, nil
}

// replyMarket answers under a market item as the community (user token
// only). guid dedupes a repeated call; a retry looks for the reply first.
func (c *Connector) replyMarket(ctx context.Context, a psync.Action, item int64) (psync.Receipt, error) {
	if err := needs(c.user, "answering a market comment needs the admin user token (market.createComment takes no community token): parley connect vk --user-token-file F"); err != nil {
		return psync.Receipt{}, err
	}
	if a.Attempt > 1 {
		cs, err := c.marketComments(ctx, int(item), a.Queued.Add(-overlap).Unix())
		if err != nil {
			return psync.Receipt{}, err
		}
		for _, cm := range cs {
			if cm.FromID == c.ownerID() && cm.Text == a.Body {
				return psync.Receipt{ExternalID: marketMsg(int(item), cm.ID), Permalink: c.productLink(int(item))}, nil
			}
		}
	}
	q := url.Values{"owner_id": {fmt.Sprint(c.ownerID())}, "item_id": {fmt.Sprint(item)}, "message": {a.Body}, "from_group": {"1"},
		"guid": {guid(a.IdempotencyKey)}}
	if k, p := splitID(a.TargetID); k == "market" && len(p) == 2 {
		q.Set("reply_to_comment", fmt.Sprint(p[1]))
	}
	var id int64
	if err := c.user.call(ctx, "market.createComment", q, &id); err != nil {
		return psync.Receipt{}, err
	}
	if id == 0 {
		return psync.Receipt{}, errors.New("vk market.createComment: accepted without a comment id")
	}
	return psync.Receipt{ExternalID: marketMsg(int(item), id), Permalink: c.productLink(int(item))}, nil
}

// replyDM sends a community message. random_id is derived from the outbox
// key, so every attempt of one reply carries the same one and VK sends it
// once; before a repeat we look for it in the conversation anyway.
func (c *Connector) replyDM(ctx context.Context, a psync.Action, peer int64) (psync.Receipt, error) {
	if err := needs(c.group, "community messages need the community token with the messages right: parley connect vk --token-file F"); err != nil {
		return psync.Receipt{}, err
	}
	rid := randomID(a.IdempotencyKey)
	if a.Attempt > 1 {
		var pg historyPage
		if err := c.group.call(ctx, "messages.getHistory", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "peer_id": {fmt.Sprint(peer)},
			"count": {"50"}}, &pg); err != nil {
			return psync.Receipt{}, err
		}
		for _, m := range pg.Items {
			if m.Out == 1 && m.RandomID == rid {
				return psync.Receipt{ExternalID: dmMsg(m.ID), Permalink: c.dmLink(peer)}, nil
			}
		}
	}
	var id int64
	err := c.group.call(ctx, "messages.send", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "peer_id": {fmt.Sprint(peer)},
		"message": {a.Body}, "random_id": {fmt.Sprint(rid)}, "dont_parse_links": {"1"}}, &id)
	if err != nil {
		var ce *callError
		if errors.As(err, &ce) && (ce.Err.Code == errMsgNoPerm || ce.Err.Code == errMsgPrivacy || ce.Err.Code == errMsgBlocked) {
			return psync.Receipt{}, psync.Permanent(fmt.Errorf("%v — the person has not allowed messages from the community (or blocked it); they must write first", ce))
		}
		return psync.Receipt{}, err
	}
	if id == 0 {
		return psync.Receipt{}, errors.New("vk messages.send: accepted without a message id")
	}
	return psync.Receipt{ExternalID: dmMsg(id), Permalink: c.dmLink(peer)}, nil
}

// randomID is the int32 messages.send dedupes on, stable per outbox key.
func randomID(key string) int64 {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int64(h.Sum32() & 0x7fffffff)
}

// guid is the dedupe key of wall and board comments.
func guid(key string) string {
	if key == "" {
		return ""
	}
	return "parley-" + key
}

func (c *Connector) deleteComment(ctx context.Context, target string) error {
	if err := needs(c.user, "deleting a comment needs the admin user token (wall.deleteComment takes no community token): parley connect vk --user-token-file F"); err != nil {
		return err
	}
	kind, p := splitID(target)
	var ok int
	var err error
	switch {
	case kind == "wall" && len(p) == 2:
		err = c.user.call(ctx, "wall.deleteComment", url.Values{"owner_id": {fmt.Sprint(c.ownerID())}, "comment_id": {fmt.Sprint(p[1])}}, &ok)
	case kind == "board" && len(p) == 2:
		err = c.user.call(ctx, "board.deleteComment", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "topic_id": {fmt.Sprint(p[0])},
			"comment_id": {fmt.Sprint(p[1])}}, &ok)
	case kind == "market" && len(p) == 2:
		err = c.user.call(ctx, "market.deleteComment", url.Values{"owner_id": {fmt.Sprint(c.ownerID())}, "comment_id": {fmt.Sprint(p[1])}}, &ok)
	default:
		return psync.Permanent(fmt.Errorf("vk: %q is not a comment parley can delete (messages cannot be deleted for the customer)", target))
	}
	var ce *callError
	if errors.As(err, &ce) && ce.Err.Code == errNotFound {
		return nil // already gone: what was asked for is true
	}
	return err
}

// ban blocks the author of the target message from the community.
func (c *Connector) ban(ctx context.Context, a psync.Action) error {
	if err := needs(c.user, "banning needs the admin user token (groups.ban takes no community token): parley connect vk --user-token-file F"); err != nil {
		return err
	}
	author, err := c.authorOf(ctx, a)
	if err != nil {
		return err
	}
	if author <= 0 {
		return psync.Permanent(fmt.Errorf("vk: the author of %s is not a person that can be banned", a.TargetID))
	}
	var ok int
	return c.user.call(ctx, "groups.ban", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "owner_id": {fmt.Sprint(author)},
		"comment": {a.Body}, "comment_visible": {"0"}}, &ok)
}

func (c *Connector) authorOf(ctx context.Context, a psync.Action) (int64, error) {
	if kind, p := splitID(a.ConversationID); kind == "dm" && len(p) == 1 {
		return p[0], nil
	}
	kind, p := splitID(a.TargetID)
	switch {
	case kind == "wall" && len(p) == 2:
		var res struct {
			Items []comment `json:"items"`
		}
		if err := c.user.call(ctx, "wall.getComment", url.Values{"owner_id": {fmt.Sprint(c.ownerID())}, "comment_id": {fmt.Sprint(p[1])}}, &res); err != nil {
			return 0, err
		}
		if len(res.Items) == 1 {
			return res.Items[0].FromID, nil
		}
	case kind == "market" && len(p) == 2:
		cs, err := c.marketComments(ctx, int(p[0]), 0)
		if err != nil {
			return 0, err
		}
		for _, cm := range cs {
			if cm.ID == p[1] {
				return cm.FromID, nil
			}
		}
	case kind == "board" && len(p) == 2:
		var pg boardCommentsPage
		if err := c.user.call(ctx, "board.getComments", url.Values{"group_id": {fmt.Sprint(c.opts.GroupID)}, "topic_id": {fmt.Sprint(p[0])},
			"start_comment_id": {fmt.Sprint(p[1])}, "count": {"1"}}, &pg); err != nil {
			return 0, err
		}
		if len(pg.Items) == 1 && pg.Items[0].ID == p[1] {
			return pg.Items[0].FromID, nil
		}
	}
	return 0, psync.Permanent(fmt.Errorf("vk: cannot find who wrote %s", a.TargetID))
}
