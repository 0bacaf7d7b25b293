package mastodon

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Where a status belongs, found with as few requests as the API allows:
// a reply whose parent we have placed before goes where its parent went, at
// no cost; only a reply to a status we have not seen costs one request,
// the thread's context, which places every ancestor at once. A busy post's
// 300 replies cost one context request, not 300.

// place is where a status belongs.
type place struct {
	conv string // conversation external id; "" for one of our own posts
	kind inbox.Kind
	post string // our post a comment thread hangs under
	root bool   // the status is one of our posts: replies to it start comment threads
}

// threadBatch is a batch being filled, with what it already holds.
type threadBatch struct {
	*inbox.Batch
	me    string
	posts map[string]bool
}

// maxPlaces bounds the memory of where statuses went; past it the memory
// starts afresh (and a few context requests are made again).
const maxPlaces = 200_000

func (c *Connector) placed(id string) (place, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.places[id]
	return p, ok
}

func (c *Connector) remember(s status, p place) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.places) >= maxPlaces {
		c.places, c.known = map[string]place{}, map[string]status{}
	}
	c.places[s.ID] = p
	if p.root {
		c.known[s.ID] = s // the post is shown as the context of its comments
	}
}

// add files one status (and any ancestors it took to place it) into the
// batch. existingOnly: it may only join a conversation already stored.
func (c *Connector) add(ctx context.Context, tb *threadBatch, s status, existingOnly bool) error {
	p, err := c.place(ctx, tb, s, existingOnly)
	if err != nil {
		return err
	}
	if p.root {
		if s.Account.ID == tb.me {
			c.addPost(tb, p.post, true)
		}
		return nil
	}
	it := c.item(p, s, tb.me)
	it.ExistingOnly = existingOnly
	if s.EditedAt != nil && !existingOnly {
		// First seen already edited: the history says what it said before.
		prev, err := c.previousText(ctx, s.ID)
		if err != nil {
			return err
		}
		it.Message.PreviousText = prev
	}
	c.addItem(tb, p, it)
	return nil
}

func (c *Connector) addItem(tb *threadBatch, p place, it inbox.Inbound) {
	if p.kind == inbox.KindComment {
		c.addPost(tb, p.post, false)
	}
	tb.Items = append(tb.Items, it)
}

// addPost puts our post in the batch once, as the context of its comments
// (again when forced: it was edited).
func (c *Connector) addPost(tb *threadBatch, id string, force bool) {
	if id == "" || (tb.posts[id] && !force) {
		return
	}
	c.mu.Lock()
	root, ok := c.known[id]
	c.mu.Unlock()
	if !ok {
		return
	}
	tb.posts[id] = true
	tb.Posts = append(tb.Posts, inbox.Post{ExternalID: root.ID, Author: author(root.Account),
		Text: statusText(root), Permalink: link(root), CreatedAt: root.CreatedAt})
}

// place finds where s belongs, reading the thread's context when its
// parent is unknown. Ancestors found on the way join the batch (only into
// stored conversations when existingOnly).
func (c *Connector) place(ctx context.Context, tb *threadBatch, s status, existingOnly bool) (place, error) {
	return c.placeIn(ctx, tb, s, true, existingOnly)
}

// placeIn is place; with fetch false it never asks the server (used while
// placing ancestors, which arrive parent first).
func (c *Connector) placeIn(ctx context.Context, tb *threadBatch, s status, fetch, existingOnly bool) (place, error) {
	if s.Visibility == "direct" {
		return place{conv: "dm:" + participants(s, tb.me), kind: inbox.KindDM}, nil
	}
	if p, ok := c.placed(s.ID); ok {
		return p, nil
	}
	var p place
	parent := s.replyTo()
	pp, ok := c.placed(parent)
	if parent != "" && !ok && fetch {
		if err := c.placeAncestors(ctx, tb, s.ID, existingOnly); err != nil {
			return p, err
		}
		pp, ok = c.placed(parent)
	}
	switch {
	case parent != "" && ok && pp.root:
		p = place{conv: "reply:" + s.ID, kind: inbox.KindComment, post: pp.post}
	case parent != "" && ok:
		p = pp
	case s.Account.ID == tb.me && parent == "":
		p = place{root: true, post: s.ID}
	default:
		// The start of a thread, or a reply whose parent is gone or
		// hidden from us: a mention thread of its own.
		p = place{conv: "mention:" + s.ID, kind: inbox.KindMention}
	}
	c.remember(s, p)
	return p, nil
}

// placeAncestors reads a status's thread context once and files every
// ancestor, oldest first: each one's parent is placed before it.
func (c *Connector) placeAncestors(ctx context.Context, tb *threadBatch, id string, existingOnly bool) error {
	var t threadContext
	_, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/statuses/" + url.PathEscape(id) + "/context"}, &t)
	var pe *psync.PermanentError
	if errors.As(err, &pe) {
		return nil // deleted or hidden: no context, not an error
	}
	if err != nil {
		return err
	}
	for _, a := range t.Ancestors {
		if a.ID == "" {
			continue
		}
		_, known := c.placed(a.ID)
		p, err := c.placeIn(ctx, tb, a, false, existingOnly)
		if err != nil {
			return err
		}
		if p.root {
			continue
		}
		if !known {
			it := c.item(p, a, tb.me)
			it.ExistingOnly = existingOnly
			c.addItem(tb, p, it)
		}
	}
	return nil
}

// previousText is the text of a status before its latest edit, from its
// edit history (read once per status).
func (c *Connector) previousText(ctx context.Context, id string) (string, error) {
	c.mu.Lock()
	done := c.histOK[id]
	c.histOK[id] = true
	c.mu.Unlock()
	if done {
		return "", nil
	}
	var versions []statusEdit
	_, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: "/api/v1/statuses/" + url.PathEscape(id) + "/history"}, &versions)
	var pe *psync.PermanentError
	if errors.As(err, &pe) || len(versions) < 2 {
		return "", nil // no history here (older servers): the edit shows without it
	}
	if err != nil {
		return "", err
	}
	v := versions[len(versions)-2]
	return withWarning(v.SpoilerText, htmlToText(v.Content)), nil
}

func author(a account) inbox.Author {
	return inbox.Author{ID: a.ID, Handle: "@" + a.Acct, Name: a.DisplayName, URL: a.URL}
}

func link(s status) string {
	if s.URL != "" {
		return s.URL
	}
	return s.URI
}

func withWarning(cw, text string) string {
	if cw != "" {
		return "CW: " + cw + "\n" + text
	}
	return text
}

func statusText(s status) string { return withWarning(s.SpoilerText, htmlToText(s.Content)) }

// item is a status as a message in conversation p.
func (c *Connector) item(p place, s status, me string) inbox.Inbound {
	dir := inbox.In
	if s.Account.ID == me {
		dir = inbox.Out
	}
	m := inbox.Message{ExternalID: s.ID, ParentID: s.replyTo(), Direction: dir, Author: author(s.Account),
		Text: statusText(s), CreatedAt: s.CreatedAt, Permalink: link(s),
		Attachments: attachments(s), Poll: mapPoll(s.Poll)}
	if s.EditedAt != nil {
		m.EditedAt = *s.EditedAt
	}
	if (len(m.Attachments) > 0 || m.Poll != nil) && onlyMentions(m.Text) {
		m.Text = "" // "@brand" and a picture: the picture is the message
	}
	return inbox.Inbound{ConversationID: p.conv, Kind: p.kind, PostID: p.post, Message: m}
}

func onlyMentions(text string) bool {
	for _, f := range strings.Fields(text) {
		if !strings.HasPrefix(f, "@") {
			return false
		}
	}
	return true
}

// participants names a DM conversation by everyone in it but us, so all
// direct messages among the same people form one conversation.
func participants(s status, me string) string {
	var accts []string
	add := func(id, acct string) {
		if id != me && acct != "" && !slices.Contains(accts, acct) {
			accts = append(accts, acct)
		}
	}
	add(s.Account.ID, s.Account.Acct)
	for _, m := range s.Mentions {
		add(m.ID, m.Acct)
	}
	slices.Sort(accts)
	return strings.Join(accts, ",")
}
