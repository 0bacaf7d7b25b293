package facebook

import (
	"context"
	"errors"
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
	psync.Register("instagram", instagramFactory, "page_id", "ig_user_id", "instagram_login", "api_version", "base_url", "human_agent", "app_id", "app_secret_file", "app_secret_env")
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
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	Timestamp string    `json:"timestamp"`
	Username  string    `json:"username"`
	From      *igUser   `json:"from"`
	Hidden    bool      `json:"hidden"`
	ParentID  string    `json:"parent_id"`
	Replies   igReplies `json:"replies,omitzero"`
}

// igReplies is the first page of a comment's replies, as field expansion
// returns it; the rest are behind paging.next.
type igReplies struct {
	Data   []igComment `json:"data"`
	Paging struct {
		Next string `json:"next,omitempty"`
	} `json:"paging,omitzero"`
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
func (c *Connector) fetchInstagram(ctx context.Context, b *inbox.Batch, ref *refusals, since time.Time) error {
	media, err := list[igMedia](ctx, c, c.path(c.opts.IGUserID+"/media"), url.Values{
		"fields": {"id,caption,permalink,timestamp,username"}, "limit": {"25"}})
	if err != nil {
		return ref.check(partIGComments, err)
	}
	for _, m := range media {
		if graphTime(m.Timestamp).Before(since) {
			break // newest first
		}
		cs, err := list[igComment](ctx, c, c.path(m.ID+"/comments"), url.Values{
			"fields": {"id,text,timestamp,username,from{id,username},hidden,replies{" + igReplyFields + "}"},
			"limit":  {"50"}})
		if isGone(err) {
			continue // media deleted meanwhile
		}
		if err != nil {
			if err := ref.check(partIGComments, err); err != nil {
				return err
			}
			continue
		}
		if len(cs) == 0 {
			continue
		}
		b.Posts = append(b.Posts, inbox.Post{ExternalID: m.ID, Author: inbox.Author{Handle: "@" + m.Username, Name: m.Username},
			Text: m.Caption, Permalink: m.Permalink, CreatedAt: graphTime(m.Timestamp)})
		for _, cm := range cs {
			conv := "comment:" + cm.ID
			replies := cm.Replies.Data
			if cm.Replies.Paging.Next != "" {
				// More replies than the expansion holds: read them all.
				all, err := list[igComment](ctx, c, c.path(cm.ID+"/replies"), url.Values{"fields": {igReplyFields}, "limit": {"50"}})
				switch {
				case isGone(err):
				case err != nil:
					return err
				default:
					replies = all
				}
			}
			for _, x := range append([]igComment{cm}, replies...) {
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

// igReplyFields are what parley reads of a comment's replies.
const igReplyFields = "id,text,timestamp,username,from{id,username},parent_id"

// fetchTags adds posts the account is tagged in (GET /{ig-user}/tags) as
// read-only conversations: Meta does not let an app comment on them. Real
// @mentions in captions and comments reach an app only by the mentions
// webhook (issue 11) and are answered through /{ig-user}/mentions.
func (c *Connector) fetchTags(ctx context.Context, b *inbox.Batch, since time.Time) error {
	media, err := list[igMedia](ctx, c, c.path(c.opts.IGUserID+"/tags"), url.Values{
		"fields": {"id,caption,permalink,timestamp,username"}, "limit": {"25"}})
	if err != nil {
		return err
	}
	for _, m := range media {
		if graphTime(m.Timestamp).Before(since) {
			break
		}
		b.Items = append(b.Items, inbox.Inbound{ConversationID: tagPrefix + m.ID, Kind: inbox.KindMention,
			Message: inbox.Message{ExternalID: m.ID, Direction: inbox.In, Author: c.igAuthor(nil, m.Username),
				Text: m.Caption, CreatedAt: graphTime(m.Timestamp), Permalink: m.Permalink}})
	}
	return nil
}

// tagPrefix marks a conversation about a post the account is tagged in.
const tagPrefix = "tagged:"

// errTagged explains why a tagged post cannot be answered or moderated
// from parley.
var errTagged = psync.Permanent(errors.New("Instagram does not let apps comment on or moderate posts the account is only tagged in; answer it in the Instagram app (the post's link is in the conversation)"))

// replyToMention answers an @mention in a caption (the conversation's id
// is the media's) through /{ig-user}/mentions.
func (c *Connector) replyToMention(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	media := a.ConversationID[len("mention:"):]
	var res struct {
		ID string `json:"id"`
	}
	form := url.Values{"media_id": {media}, "message": {a.Body}}
	if a.TargetID != "" && a.TargetID != media {
		form.Set("comment_id", a.TargetID) // the mention was in a comment (webhook.go)
	}
	_, err := c.http.Do(ctx, psync.Request{Method: "POST", Path: c.path(c.opts.IGUserID + "/mentions"), Form: form}, &res)
	if err != nil {
		return psync.Receipt{}, err
	}
	return psync.Receipt{ExternalID: res.ID}, nil
}
