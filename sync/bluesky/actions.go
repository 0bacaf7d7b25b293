package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Perform implements sync.Connector: replies (posts or chat messages),
// hide and unhide replies in the brand's threads, mute, block and report.
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	switch a.Kind {
	case inbox.ActionReply:
		if convo, ok := strings.CutPrefix(a.ConversationID, "dm:"); ok {
			return c.sendDM(ctx, a, convo)
		}
		return c.replyPost(ctx, a)
	case inbox.ActionMute, inbox.ActionBlock, inbox.ActionReport:
		return psync.Receipt{}, c.moderate(ctx, a)
	case inbox.ActionHide, inbox.ActionUnhide:
		return psync.Receipt{}, c.hide(ctx, a)
	}
	return psync.Receipt{}, psync.Permanent(fmt.Errorf("bluesky cannot %s", a.Kind))
}

// target is the post a reply or report is about: the message answered,
// else the conversation's own post.
func target(a psync.Action) (string, bool) {
	if _, ok := parseATURI(a.TargetID); ok {
		return a.TargetID, true
	}
	for _, p := range []string{"thread:", "post:"} {
		if u, ok := strings.CutPrefix(a.ConversationID, p); ok {
			if _, ok := parseATURI(u); ok {
				return u, true
			}
		}
	}
	return "", false
}

// replyPost creates an app.bsky.feed.post answering the target, under an
// rkey fixed for the action: a later attempt first looks whether an
// earlier one's record exists.
func (c *Connector) replyPost(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	if err := postLimit.CheckLength("Bluesky", a.Body); err != nil {
		return psync.Receipt{}, psync.Permanent(err)
	}
	if len(a.Body) > postMaxBytes {
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("the reply is %d bytes, over Bluesky's %d; shorten it", len(a.Body), postMaxBytes))
	}
	uri, ok := target(a)
	if !ok {
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("bluesky: %q names no post to answer", a.ConversationID))
	}
	if _, _, err := c.api.ensure(ctx); err != nil {
		return psync.Receipt{}, err
	}
	me := c.api.did()
	rkey := tid(a.Queued, a.IdempotencyKey)
	if a.Attempt > 1 {
		if r, ok, err := c.existing(ctx, me, "app.bsky.feed.post", rkey); err != nil || ok {
			return r, err
		}
	}
	parent, gone, err := c.thread(ctx, uri)
	switch {
	case err != nil:
		return psync.Receipt{}, err
	case gone || parent == nil:
		return psync.Receipt{}, psync.Permanent(errors.New("bluesky: the post answered was deleted (or its author blocks the brand); nothing was sent"))
	}
	var prec postRecord
	_ = json.Unmarshal(parent.Record, &prec)
	ref := &replyRef{Parent: strongRef{parent.URI, parent.CID}, Root: strongRef{parent.URI, parent.CID}}
	if prec.Reply != nil && prec.Reply.Root.URI != "" && prec.Reply.Root.CID != "" {
		ref.Root = prec.Reply.Root
	}
	rec := postRecord{Type: "app.bsky.feed.post", Text: a.Body, CreatedAt: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), Reply: ref,
		Facets: facets(ctx, a.Body, c.resolveHandle)}
	var ans createAnswer
	err = c.api.post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": me, "collection": "app.bsky.feed.post", "rkey": rkey, "record": rec}, &ans)
	if err != nil {
		if isXRPC(err, "InvalidSwap") || isXRPC(err, "RecordAlreadyExists") || isXRPC(err, "InvalidRequest") && strings.Contains(strings.ToLower(err.Error()), "exists") {
			if r, ok, err2 := c.existing(ctx, me, "app.bsky.feed.post", rkey); err2 == nil && ok {
				return r, nil
			}
		}
		return psync.Receipt{}, err
	}
	if ans.URI == "" {
		return psync.Receipt{}, errors.New("bluesky createRecord: accepted without a uri; will look for it before trying again")
	}
	return psync.Receipt{ExternalID: ans.URI, Permalink: permalink(ans.URI, "")}, nil
}

// existing looks up a record an earlier attempt may have written.
func (c *Connector) existing(ctx context.Context, repo, collection, rkey string) (psync.Receipt, bool, error) {
	var ans createAnswer
	err := c.api.get(ctx, "com.atproto.repo.getRecord", map[string][]string{"repo": {repo}, "collection": {collection}, "rkey": {rkey}}, &ans)
	if isXRPC(err, "RecordNotFound") || isXRPC(err, "NotFound") {
		return psync.Receipt{}, false, nil
	}
	if err != nil {
		return psync.Receipt{}, false, err
	}
	return psync.Receipt{ExternalID: ans.URI, Permalink: permalink(ans.URI, "")}, ans.URI != "", nil
}

// sendDM answers in a chat conversation. Chat has no idempotency key: a
// later attempt first reads the conversation's newest messages for one of
// ours with the same text sent since the action was queued.
func (c *Connector) sendDM(ctx context.Context, a psync.Action, convo string) (psync.Receipt, error) {
	if err := dmLimit.CheckLength("Bluesky chat", a.Body); err != nil {
		return psync.Receipt{}, psync.Permanent(err)
	}
	if _, _, err := c.api.ensure(ctx); err != nil {
		return psync.Receipt{}, err
	}
	me := c.api.did()
	if a.Attempt > 1 {
		var p messagePage
		if err := c.api.get(ctx, "chat.bsky.convo.getMessages", map[string][]string{"convoId": {convo}, "limit": {"30"}}, &p); err != nil {
			return psync.Receipt{}, err
		}
		for _, m := range p.Messages {
			if m.Sender.DID == me && m.Text == a.Body && !parseTime(m.SentAt).Before(a.Queued.Add(-time.Minute)) {
				return psync.Receipt{ExternalID: dmMsgID(convo, m.ID, me)}, nil
			}
		}
	}
	msg := map[string]any{"text": a.Body}
	if f := facets(ctx, a.Body, c.resolveHandle); len(f) > 0 {
		msg["facets"] = f
	}
	var m chatMessage
	err := c.api.post(ctx, "chat.bsky.convo.sendMessage", map[string]any{"convoId": convo, "message": msg}, &m)
	switch {
	case isXRPC(err, "ConvoLocked"):
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("%v — the conversation is locked (the person left or blocked the brand)", err))
	case isXRPC(err, "InvalidConvo"):
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("%v — the conversation no longer exists, or the person does not accept messages from the brand", err))
	case err != nil:
		return psync.Receipt{}, err
	}
	if m.ID == "" {
		return psync.Receipt{}, errors.New("bluesky sendMessage: accepted without a message id; will look for it before trying again")
	}
	return psync.Receipt{ExternalID: dmMsgID(convo, m.ID, orWord(m.Sender.DID, me))}, nil
}

// moderate mutes, blocks or reports the author of the target.
func (c *Connector) moderate(ctx context.Context, a psync.Action) error {
	who, subject, err := c.subject(ctx, a)
	if err != nil {
		return err
	}
	if _, _, err := c.api.ensure(ctx); err != nil {
		return err
	}
	me := c.api.did()
	if who == me {
		return psync.Permanent(errors.New("bluesky: that message is the brand's own"))
	}
	switch a.Kind {
	case inbox.ActionMute:
		return c.api.post(ctx, "app.bsky.graph.muteActor", map[string]string{"actor": who}, nil)
	case inbox.ActionBlock:
		rkey := tid(a.Queued, a.IdempotencyKey)
		if a.Attempt > 1 {
			if _, ok, err := c.existing(ctx, me, "app.bsky.graph.block", rkey); err != nil || ok {
				return err
			}
		}
		return c.api.post(ctx, "com.atproto.repo.createRecord", map[string]any{"repo": me, "collection": "app.bsky.graph.block", "rkey": rkey,
			"record": map[string]string{"$type": "app.bsky.graph.block", "subject": who, "createdAt": time.Now().UTC().Format(time.RFC3339)}}, nil)
	}
	reason := strings.TrimSpace(a.Body)
	return c.api.post(ctx, "com.atproto.moderation.createReport", map[string]any{"reasonType": "com.atproto.moderation.defs#reasonOther",
		"reason": psync.Truncate(reason, 2000), "subject": subject}, nil)
}

// subject is who wrote the target and how a report names it: a post as
// a strong ref, a chat message as a message ref.
func (c *Connector) subject(ctx context.Context, a psync.Action) (string, map[string]any, error) {
	if convo, msg, did, ok := splitDMMsg(a.TargetID); ok {
		return did, map[string]any{"$type": "chat.bsky.convo.defs#messageRef", "did": did, "convoId": convo, "messageId": msg}, nil
	}
	uri, ok := target(a)
	if !ok {
		return "", nil, psync.Permanent(errors.New("bluesky: no message chosen, so its author is unknown"))
	}
	u, _ := parseATURI(uri)
	if !strings.HasPrefix(u.Repo, "did:") {
		return "", nil, psync.Permanent(fmt.Errorf("bluesky: %q does not name its author by DID", uri))
	}
	if a.Kind != inbox.ActionReport {
		return u.Repo, nil, nil
	}
	v, gone, err := c.thread(ctx, uri)
	if err != nil {
		return "", nil, err
	}
	if gone || v == nil {
		return "", nil, psync.Permanent(errors.New("bluesky: the post was deleted; there is nothing left to report"))
	}
	return u.Repo, map[string]any{"$type": "com.atproto.repo.strongRef", "uri": v.URI, "cid": v.CID}, nil
}
