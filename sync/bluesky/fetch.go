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

// cursor is the account's position, stored with every batch.
type cursor struct {
	// Newest is the indexedAt of the newest notification handled: pages
	// are read newest first until one older than it.
	Newest string `json:"newest,omitempty"`
	// Chat is the chat event log's cursor (a rev); "" until the first
	// full read of the conversations.
	Chat string `json:"chat,omitempty"`
	// NoChatUntil: chat was refused (an app password without DM access);
	// it is tried again after this time (unix seconds).
	NoChatUntil int64  `json:"no_chat_until,omitempty"`
	Note        string `json:"note,omitempty"`
}

const (
	notifPage     = 50
	maxNotifPages = 20 // one fetch reads at most 1000 notifications back
	maxChatPages  = 10
)

// reasons are the notifications that are someone writing to the brand.
var reasons = []string{"reply", "mention", "quote"}

// Fetch implements sync.Connector: new notifications, then chat.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	var cur cursor
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return inbox.Batch{}, psync.Permanent(fmt.Errorf("bluesky: unreadable cursor %q", psync.Truncate(raw, 80)))
		}
	}
	var b inbox.Batch
	if err := c.notifications(ctx, &cur, &b); err != nil {
		return inbox.Batch{}, err
	}
	note := ""
	if c.opts.DirectMessages && time.Now().Unix() >= cur.NoChatUntil {
		err := c.chat(ctx, &cur, &b)
		switch {
		case errors.Is(err, errNoChat):
			cur.NoChatUntil = time.Now().Add(24 * time.Hour).Unix()
			note = "Bluesky: direct messages are not read: " + err.Error()
		case err != nil:
			return inbox.Batch{}, err
		default:
			cur.NoChatUntil = 0
		}
	} else if cur.NoChatUntil != 0 {
		note = cur.Note
	}
	if note != cur.Note {
		cur.Note = note
		if note == "" {
			b.ClearNotice = true
		} else {
			b.Notice = note
		}
	}
	enc, err := json.Marshal(cur)
	if err != nil {
		return inbox.Batch{}, err
	}
	b.Cursor = string(enc)
	return b, nil
}

// notifications reads replies, mentions and quotes newer than the
// cursor's mark (on the first sync: within the backlog).
func (c *Connector) notifications(ctx context.Context, cur *cursor, b *inbox.Batch) error {
	mark := parseTime(cur.Newest)
	if mark.IsZero() {
		mark = time.Now().Add(-c.opts.Backlog)
	}
	var got []notification
	page := ""
	seen := map[string]bool{}
pages:
	for i := 0; i < maxNotifPages; i++ {
		q := map[string][]string{"limit": {fmt.Sprint(notifPage)}, "reasons": reasons}
		if page != "" {
			q["cursor"] = []string{page}
		}
		var p notificationPage
		if err := c.api.get(ctx, "app.bsky.notification.listNotifications", q, &p); err != nil {
			return err
		}
		for _, n := range p.Notifications {
			at := parseTime(n.IndexedAt)
			if at.Before(mark) {
				break pages
			}
			if !seen[n.URI] {
				seen[n.URI] = true
				got = append(got, n)
			}
		}
		if p.Cursor == "" || p.Cursor == page || len(p.Notifications) == 0 {
			break
		}
		page = p.Cursor
	}
	me := c.api.did()
	posts := map[string]bool{}
	// Oldest first, so a conversation's order is the order things happened.
	for i := len(got) - 1; i >= 0; i-- {
		n := got[i]
		if at := parseTime(n.IndexedAt); at.After(parseTime(cur.Newest)) {
			cur.Newest = at.Format(time.RFC3339Nano)
		}
		it, ctxURI, ok := c.item(n, me)
		if !ok {
			continue
		}
		if ctxURI != "" && !posts[ctxURI] {
			posts[ctxURI] = true
			if err := c.context(ctx, ctxURI, b); err != nil {
				return err
			}
		}
		b.Items = append(b.Items, it)
	}
	return nil
}

// item turns a notification into an inbox item, and names the post whose
// text is its context (a thread's root, the brand post quoted).
func (c *Connector) item(n notification, me string) (it inbox.Inbound, ctxURI string, ok bool) {
	if n.URI == "" || n.Author.DID == "" || n.Author.DID == me {
		return it, "", false
	}
	var rec postRecord
	if json.Unmarshal(n.Record, &rec) != nil {
		return it, "", false
	}
	msg := inbox.Message{ExternalID: n.URI, Direction: inbox.In, Author: author(n.Author), Text: rec.Text,
		CreatedAt: parseTime(rec.CreatedAt), Permalink: permalink(n.URI, n.Author.Handle)}
	if msg.CreatedAt.IsZero() {
		msg.CreatedAt = parseTime(n.IndexedAt)
	}
	msg.Attachments = attachments(rec.Embed)
	switch n.Reason {
	case "reply":
		root := n.URI
		if rec.Reply != nil && rec.Reply.Root.URI != "" {
			root = rec.Reply.Root.URI
		}
		it.ConversationID, it.Kind, it.PostID = threadConv(root), inbox.KindComment, root
		ctxURI = root
	case "mention", "quote":
		it.ConversationID, it.Kind = postConv(n.URI), inbox.KindMention
		switch {
		case rec.Reply != nil && rec.Reply.Root.URI != "":
			ctxURI = rec.Reply.Root.URI
		case n.Reason == "quote" && n.ReasonSubject != "":
			ctxURI = n.ReasonSubject
		}
		it.PostID = ctxURI
	default:
		return it, "", false
	}
	if rec.Reply != nil && rec.Reply.Parent.URI != "" {
		msg.ParentID = rec.Reply.Parent.URI
	}
	if strings.TrimSpace(msg.Text) == "" && len(msg.Attachments) == 0 {
		return it, "", false
	}
	it.Message = msg
	return it, ctxURI, true
}

// context stores the post a conversation hangs under, fetched once per
// thread in a process (getPostThread). A post that is gone is marked
// deleted.
func (c *Connector) context(ctx context.Context, uri string, b *inbox.Batch) error {
	c.mu.Lock()
	done := c.roots[uri]
	c.mu.Unlock()
	if done {
		return nil
	}
	v, gone, err := c.thread(ctx, uri)
	if err != nil {
		return err
	}
	if gone {
		b.Deletions = append(b.Deletions, inbox.Deletion{ExternalID: uri, At: time.Now()})
	} else if v != nil {
		var rec postRecord
		_ = json.Unmarshal(v.Record, &rec)
		b.Posts = append(b.Posts, inbox.Post{ExternalID: v.URI, Author: author(v.Author), Text: rec.Text,
			Permalink: permalink(v.URI, v.Author.Handle), CreatedAt: parseTime(rec.CreatedAt)})
	}
	c.mu.Lock()
	c.roots[uri] = true
	c.mu.Unlock()
	return nil
}

// thread fetches one post (getPostThread, no replies, no parents); gone
// says that it was deleted.
func (c *Connector) thread(ctx context.Context, uri string) (v *postView, gone bool, err error) {
	var ans threadAnswer
	err = c.api.get(ctx, "app.bsky.feed.getPostThread", map[string][]string{"uri": {uri}, "depth": {"0"}, "parentHeight": {"0"}}, &ans)
	if isXRPC(err, "NotFound") {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if ans.Thread.gone() {
		return nil, !ans.Thread.Blocked && !strings.HasSuffix(ans.Thread.Type, "#blockedPost"), nil
	}
	return ans.Thread.Post, false, nil
}

func author(p profile) inbox.Author {
	a := inbox.Author{ID: p.DID, Name: p.DisplayName}
	if p.Handle != "" && p.Handle != "handle.invalid" {
		a.Handle, a.URL = "@"+p.Handle, "https://bsky.app/profile/"+p.Handle
	} else if p.DID != "" {
		a.URL = "https://bsky.app/profile/" + p.DID
	}
	return a
}

// attachments describe a post's embed: images by their alt text, link
// cards, videos, quoted posts.
func attachments(raw json.RawMessage) []inbox.Attachment {
	if len(raw) == 0 {
		return nil
	}
	var e embed
	if json.Unmarshal(raw, &e) != nil {
		return nil
	}
	return describe(&e, 0)
}

func describe(e *embed, depth int) []inbox.Attachment {
	if e == nil || depth > 2 {
		return nil
	}
	var out []inbox.Attachment
	switch strings.TrimSuffix(e.Type, "#main") {
	case "app.bsky.embed.images":
		for _, im := range e.Images {
			a := inbox.Attachment{Kind: inbox.AttachImage, Description: im.Alt}
			if r := im.AspectRatio; r != nil {
				a.Width, a.Height = r.Width, r.Height
			}
			out = append(out, a)
		}
	case "app.bsky.embed.external":
		if x := e.External; x != nil {
			out = append(out, inbox.Attachment{Kind: inbox.AttachLink, URL: x.URI, Description: x.Title})
		}
	case "app.bsky.embed.video":
		out = append(out, inbox.Attachment{Kind: inbox.AttachVideo, Description: e.Alt})
	case "app.bsky.embed.record":
		if r := e.Record; r != nil && r.URI != "" {
			out = append(out, inbox.Attachment{Kind: inbox.AttachLink, URL: permalink(r.URI, ""), Description: "quoted post"})
		}
	case "app.bsky.embed.recordWithMedia":
		out = append(out, describe(e.Media, depth+1)...)
	}
	return out
}
