package facebook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Stream implements sync.Streamer with Meta webhooks, which `parley serve`
// receives ([webhooks]) and routes here by the Page's or Instagram
// account's id. A webhook is a hint, never the only copy: a comment, post
// or message change asks the engine to fetch the account now; an Instagram
// mention, which no listing returns, is read by its id. Without a receiver
// (the local TUI, parley sync) the account is polled.
func (c *Connector) Stream(ctx context.Context, connected func(), deliver func(inbox.Batch) error) error {
	if !psync.Webhooks.Listening() {
		return fmt.Errorf("facebook: no webhook receiver in this process (parley serve with [webhooks]): %w", psync.ErrNoStream)
	}
	id := c.opts.PageID
	if c.opts.IGUserID != "" {
		id = c.opts.IGUserID
	}
	pushes := psync.Webhooks.Subscribe(ctx, id)
	connected()
	for {
		select {
		case <-ctx.Done():
			return nil
		case p := <-pushes:
			if p.Field == "mentions" && c.opts.IGUserID != "" {
				b, err := c.mentioned(ctx, p.Value)
				if err != nil {
					return err // the engine reconnects and catches up
				}
				if len(b.Items) > 0 {
					if err := deliver(b); err != nil {
						return err
					}
				}
				continue
			}
			psync.CatchUpNow(ctx)
		}
	}
}

// mentioned reads the comment or caption an Instagram mentions webhook
// names, by id (GET /{ig-user-id}?fields=mentioned_comment.comment_id(…)
// or mentioned_media.media_id(…)), as a mention conversation on that
// media.
func (c *Connector) mentioned(ctx context.Context, raw json.RawMessage) (inbox.Batch, error) {
	var v struct {
		MediaID   string `json:"media_id"`
		CommentID string `json:"comment_id"`
	}
	if json.Unmarshal(raw, &v) != nil || v.MediaID == "" {
		return inbox.Batch{}, nil // not a mention we can read; polling goes on
	}
	type media struct {
		ID        string `json:"id"`
		Caption   string `json:"caption"`
		Permalink string `json:"permalink"`
		Timestamp string `json:"timestamp"`
		Username  string `json:"username"`
	}
	var res struct {
		Comment *struct {
			ID        string `json:"id"`
			Text      string `json:"text"`
			Timestamp string `json:"timestamp"`
			Media     *media `json:"media"`
		} `json:"mentioned_comment"`
		Media *media `json:"mentioned_media"`
	}
	fields := fmt.Sprintf("mentioned_media.media_id(%s){caption,media_type,comments_count,timestamp,permalink}", v.MediaID)
	if v.CommentID != "" {
		fields = fmt.Sprintf("mentioned_comment.comment_id(%s){id,text,timestamp,like_count,media{id,permalink}}", v.CommentID)
	}
	_, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: c.path(c.opts.IGUserID), Query: url.Values{"fields": {fields}}}, &res)
	if isGone(err) {
		return inbox.Batch{}, nil // deleted before we asked
	}
	if err != nil {
		return inbox.Batch{}, err
	}
	conv := "mention:" + v.MediaID
	var b inbox.Batch
	switch {
	case res.Comment != nil && res.Comment.ID != "":
		link := ""
		if res.Comment.Media != nil {
			link = res.Comment.Media.Permalink
		}
		// The mention API does not say who wrote the comment.
		b.Items = append(b.Items, inbox.Inbound{ConversationID: conv, Kind: inbox.KindMention,
			Message: inbox.Message{ExternalID: res.Comment.ID, Direction: inbox.In, Author: c.igAuthor(nil, ""),
				Text: res.Comment.Text, CreatedAt: graphTime(res.Comment.Timestamp), Permalink: link}})
	case res.Media != nil:
		b.Items = append(b.Items, inbox.Inbound{ConversationID: conv, Kind: inbox.KindMention,
			Message: inbox.Message{ExternalID: v.MediaID, Direction: inbox.In, Author: c.igAuthor(nil, res.Media.Username),
				Text: res.Media.Caption, CreatedAt: graphTime(res.Media.Timestamp), Permalink: res.Media.Permalink}})
	}
	return b, nil
}

// AppSecret is an account's Meta app secret source from its options
// (app_secret_file or app_secret_env; nil when neither is set), for the
// webhook receiver, which checks payload signatures with it.
func AppSecret(label string, opts map[string]any) (func(context.Context) (string, error), error) {
	return secretSource(label, opts)
}
