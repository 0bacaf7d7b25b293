package facebook

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Instagram professional accounts speak the same Graph API (same errors,
// paging and usage headers) with their own edges: media instead of feed,
// comments with nested replies, replies posted to /replies, hide=true.

func init() {
	psync.Register("instagram", instagramFactory, "page_id", "ig_user_id", "instagram_login", "api_version", "base_url", "human_agent")
}

func instagramFactory(cfg psync.AccountConfig) (psync.Connector, error) {
	ig, _ := cfg.Options["ig_user_id"].(string)
	if ig == "" {
		return nil, fmt.Errorf("account %q: ig_user_id is missing (GET /{page-id}?fields=instagram_business_account)", cfg.Label)
	}
	c, err := factory(cfg) // page_id, token, version, base_url as for Facebook
	if err != nil {
		return nil, err
	}
	fc := c.(*Connector)
	fc.opts.IGUserID = ig
	// Instagram Login (no linked Page): graph.instagram.com, the IG account
	// owns its conversations and sends its own messages.
	fc.opts.IGLogin, _ = cfg.Options["instagram_login"].(bool)
	return fc, nil
}

type igUser struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

type igComment struct {
	ID        string  `json:"id"`
	Text      string  `json:"text"`
	Timestamp string  `json:"timestamp"`
	Username  string  `json:"username"`
	From      *igUser `json:"from"`
	Hidden    bool    `json:"hidden"`
	ParentID  string  `json:"parent_id"`
	Replies   struct {
		Data []igComment `json:"data"`
	} `json:"replies"`
}

type igMedia struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Permalink string `json:"permalink"`
	Timestamp string `json:"timestamp"`
	Username  string `json:"username"`
}

func (c *Connector) igAuthor(u *igUser, username string) inbox.Author {
	if u != nil {
		return inbox.Author{ID: u.ID, Handle: "@" + u.Username, Name: u.Username}
	}
	if username != "" {
		return inbox.Author{Handle: "@" + username, Name: username}
	}
	return inbox.Author{Name: "Instagram user"}
}

// fetchInstagram adds comments (with their replies) on the account's
// recent media; each top-level comment is a conversation, the media its
// context. Comments come whole each poll (the edge has no since), bounded
// by the backlog of media.
func (c *Connector) fetchInstagram(ctx context.Context, b *inbox.Batch, since time.Time) error {
	media, err := list[igMedia](ctx, c, c.path(c.opts.IGUserID+"/media"), url.Values{
		"fields": {"id,caption,permalink,timestamp,username"}, "limit": {"25"}})
	if err != nil {
		return err
	}
	for _, m := range media {
		if graphTime(m.Timestamp).Before(since) {
			break // newest first
		}
		cs, err := list[igComment](ctx, c, c.path(m.ID+"/comments"), url.Values{
			"fields": {"id,text,timestamp,username,from{id,username},hidden,replies{id,text,timestamp,username,from{id,username},parent_id}"},
			"limit":  {"50"}})
		if err != nil {
			if psync.IsPermanent(err) {
				continue // media deleted meanwhile
			}
			return err
		}
		if len(cs) == 0 {
			continue
		}
		b.Posts = append(b.Posts, inbox.Post{ExternalID: m.ID, Author: inbox.Author{Handle: "@" + m.Username, Name: m.Username},
			Text: m.Caption, Permalink: m.Permalink, CreatedAt: graphTime(m.Timestamp)})
		for _, cm := range cs {
			conv := "comment:" + cm.ID
			for _, x := range append([]igComment{cm}, cm.Replies.Data...) {
				dir := inbox.In
				if (x.From != nil && x.From.ID == c.opts.IGUserID) || (x.Username != "" && x.Username == m.Username) {
					dir = inbox.Out
				}
				b.Items = append(b.Items, inbox.Inbound{ConversationID: conv, Kind: inbox.KindComment, PostID: m.ID,
					Message: inbox.Message{ExternalID: x.ID, ParentID: x.ParentID, Direction: dir, Author: c.igAuthor(x.From, x.Username),
						Text: x.Text, CreatedAt: graphTime(x.Timestamp), Permalink: m.Permalink}})
			}
		}
	}
	return nil
}

// fetchTags adds posts the account is tagged in (the mentions Instagram
// lists without webhooks) as mention conversations.
func (c *Connector) fetchTags(ctx context.Context, b *inbox.Batch, since time.Time) error {
	media, err := list[igMedia](ctx, c, c.path(c.opts.IGUserID+"/tags"), url.Values{
		"fields": {"id,caption,permalink,timestamp,username"}, "limit": {"25"}})
	if err != nil {
		if psync.IsPermanent(err) {
			return nil // the token may lack access to tags: comments and DMs still work
		}
		return err
	}
	for _, m := range media {
		if graphTime(m.Timestamp).Before(since) {
			break
		}
		b.Items = append(b.Items, inbox.Inbound{ConversationID: "mention:" + m.ID, Kind: inbox.KindMention,
			Message: inbox.Message{ExternalID: m.ID, Direction: inbox.In, Author: c.igAuthor(nil, m.Username),
				Text: m.Caption, CreatedAt: graphTime(m.Timestamp), Permalink: m.Permalink}})
	}
	return nil
}

// replyToMention answers a post the account was tagged in.
func (c *Connector) replyToMention(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	media := a.ConversationID[len("mention:"):]
	var res struct {
		ID string `json:"id"`
	}
	_, err := c.http.Do(ctx, psync.Request{Method: "POST", Path: c.path(c.opts.IGUserID + "/mentions"),
		Form: url.Values{"media_id": {media}, "message": {a.Body}}}, &res)
	if err != nil {
		return psync.Receipt{}, err
	}
	return psync.Receipt{ExternalID: res.ID}, nil
}
