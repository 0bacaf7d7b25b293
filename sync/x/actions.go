package x

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Perform implements sync.Connector: replies (posts or DMs) and hiding a reply. Sends are
// booked in the ledger but never held back by it: a reply the manager
// wrote goes out.
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	switch a.Kind {
	case inbox.ActionReply:
		if conv, ok := strings.CutPrefix(a.ConversationID, "dm:"); ok {
			return c.sendDM(ctx, a, conv)
		}
		return c.reply(ctx, a)
	case inbox.ActionHide:
		return psync.Receipt{}, c.hide(ctx, a)
	}
	return psync.Receipt{}, psync.Permanent(fmt.Errorf("x cannot %s", a.Kind))
}

// target is the post answered: the message chosen, else the thread's
// first post.
func target(a psync.Action) (string, bool) {
	if numeric(a.TargetID) {
		return a.TargetID, true
	}
	if id, ok := strings.CutPrefix(a.ConversationID, "conv:"); ok && numeric(id) {
		return id, true
	}
	return "", false
}

// reply posts an answer. X has no idempotency key: a later attempt first
// reads the brand's own recent posts for an answer to the same post sent
// since the action was queued.
func (c *Connector) reply(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	if err := postLimit.CheckLength("X", a.Body); err != nil {
		return psync.Receipt{}, psync.Permanent(err)
	}
	to, ok := target(a)
	if !ok {
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("x: %q names no post to answer", a.ConversationID))
	}
	if a.Attempt > 1 {
		if r, ok, err := c.earlier(ctx, a, to); err != nil || ok {
			return r, err
		}
	}
	var ans created
	err := c.api.do(ctx, psync.Request{Method: "POST", Path: "/2/tweets",
		JSON: map[string]any{"text": a.Body, "reply": map[string]string{"in_reply_to_tweet_id": to}}}, &ans)
	if err != nil {
		if isStatus(err, 403) {
			return psync.Receipt{}, psync.Permanent(fmt.Errorf("%w — X refuses replies where the author did not mention or engage the brand, to deleted or protected posts, and duplicates of a recent post", err))
		}
		return psync.Receipt{}, err
	}
	price := c.opts.Prices.PostCreate
	if urlIn(a.Body) {
		price = c.opts.Prices.PostCreateURL
	}
	c.spend.book(price, false, time.Now())
	if !numeric(ans.Data.ID) {
		return psync.Receipt{}, errors.New("x POST /2/tweets: accepted without a post id; will look for it before trying again")
	}
	return psync.Receipt{ExternalID: ans.Data.ID, Permalink: permalink(c.opts.Username, ans.Data.ID)}, nil
}

// earlier looks among the brand's posts since the action was queued for
// one that answers the same post with the same text (X may shorten links,
// so a reply with a link matches on the post answered alone).
func (c *Connector) earlier(ctx context.Context, a psync.Action, to string) (psync.Receipt, bool, error) {
	since := a.Queued.Add(-time.Minute)
	if a.Queued.IsZero() {
		since = time.Now().Add(-24 * time.Hour)
	}
	q := map[string][]string{"max_results": {"20"}, "tweet.fields": {tweetFields}, "exclude": {"retweets"},
		"start_time": {since.UTC().Format(time.RFC3339)}}
	var p page
	if err := c.api.do(ctx, psync.Request{Method: "GET", Path: "/2/users/" + c.opts.UserID + "/tweets", Query: q}, &p); err != nil {
		return psync.Receipt{}, false, err
	}
	c.spend.book(float64(len(p.Data))*c.opts.Prices.PostRead, false, time.Now())
	for _, t := range p.Data {
		if t.replyTo() == to && numeric(t.ID) && (urlIn(a.Body) || sameText(t.Text, a.Body)) {
			return psync.Receipt{ExternalID: t.ID, Permalink: permalink(c.opts.Username, t.ID)}, true, nil
		}
	}
	return psync.Receipt{}, false, nil
}

// sameText compares X's copy of a post with what was sent: X escapes &,
// < and > and may drop the leading @handles of a reply.
func sameText(got, sent string) bool {
	norm := func(s string) string {
		s = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
		for strings.HasPrefix(s, "@") {
			_, rest, ok := strings.Cut(s, " ")
			if !ok {
				return ""
			}
			s = rest
		}
		return strings.TrimSpace(s)
	}
	return norm(got) == norm(sent)
}

func urlIn(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "http://") || strings.Contains(l, "https://")
}

// hide hides a reply in one of the brand's threads (only those can be
// hidden); hiding twice is harmless, so no look-before-retry is needed.
func (c *Connector) hide(ctx context.Context, a psync.Action) error {
	id := a.TargetID
	if !numeric(id) {
		return psync.Permanent(errors.New("x: no reply chosen to hide"))
	}
	var ans struct {
		Data struct {
			Hidden bool `json:"hidden"`
		} `json:"data"`
	}
	err := c.api.do(ctx, psync.Request{Method: "PUT", Path: "/2/tweets/" + id + "/hidden", JSON: map[string]bool{"hidden": true}}, &ans)
	if err != nil {
		if isStatus(err, 403) {
			return psync.Permanent(fmt.Errorf("%w — only replies under the brand's own posts can be hidden", err))
		}
		return err
	}
	c.spend.book(c.opts.Prices.ContentManage, false, time.Now())
	if !ans.Data.Hidden {
		return errors.New("x: X did not confirm the reply as hidden; will try again")
	}
	return nil
}
